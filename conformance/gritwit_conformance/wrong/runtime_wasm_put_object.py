"""Wrong adapter: the Wasm host lets a Wit store an object (RUN-016.2).

Besides the host functions of ABI 1 the host links ``gritwit.put_object``
(``(i32, i32, i32, i32) -> i32``): a module importing it loads and runs, so a
transition can store an object other than by returning it.
"""

from __future__ import annotations

import wasmtime

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-016.2", "WASM-013.1"}),
    "failed",
    "the Wasm host links one import beyond ABI 1, gritwit.put_object: a Wit can store an "
    "object other than by returning it",
    smoke=True,
)

_real_init = _engine.WasmEngine.__init__


def init(self: _engine.WasmEngine, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    _real_init(self, *args, **kwargs)
    i32 = wasmtime.ValType.i32()
    kind = wasmtime.FuncType([i32, i32, i32, i32], [i32])
    self._linker.define_func("gritwit", "put_object", kind, lambda a, b, c, d: 0, False)
    self._caller_linker.define_func(
        "gritwit", "put_object", kind, lambda caller, a, b, c, d: 0, True
    )
    _engine.IMPORTS["put_object"] = 4  # type: ignore[attr-defined]  # the bug: one import more


def install() -> None:
    patch(_engine.WasmEngine, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: the Wasm host lets a Wit read a ref (RUN-016.1).

Besides the host functions of ABI 1 the host links ``gritwit.ref_get``
(``(i32, i32, i32, i32) -> i32``): a module importing it loads and runs, so a
transition can read a ref (a head, ``names/outside-outbox/<h>``, ``names/failed/…``).
"""

from __future__ import annotations

import wasmtime

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-016.1"}),
    "failed",
    "the Wasm host links one import beyond ABI 1, gritwit.ref_get: a Wit can read a ref",
    smoke=True,
)

_real_init = _engine.WasmEngine.__init__


def init(self: _engine.WasmEngine, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    _real_init(self, *args, **kwargs)
    i32 = wasmtime.ValType.i32()
    kind = wasmtime.FuncType([i32, i32, i32, i32], [i32])
    self._linker.define_func("gritwit", "ref_get", kind, lambda a, b, c, d: 0, False)
    self._caller_linker.define_func("gritwit", "ref_get", kind, lambda caller, a, b, c, d: 0, True)
    _engine.IMPORTS["ref_get"] = 4  # type: ignore[attr-defined]  # the bug: one import more


def install() -> None:
    patch(_engine.WasmEngine, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

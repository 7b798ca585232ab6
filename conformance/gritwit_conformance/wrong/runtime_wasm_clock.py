"""Wrong adapter: the Wasm host offers a Wit a clock (RUN-016.3).

Besides the host functions of ABI 1 the host links ``gritwit.clock_now``
(``() -> i64``, nanoseconds of a monotonic clock): a module importing it loads
and runs, so a transition can depend on something other than its input.
"""

from __future__ import annotations

import time

import wasmtime

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-016.3"}),
    "failed",
    "the Wasm host links one import beyond ABI 1, gritwit.clock_now: a Wit can read a clock",
    smoke=True,
)

_real_init = _engine.WasmEngine.__init__


def init(self: _engine.WasmEngine, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    _real_init(self, *args, **kwargs)
    clock = wasmtime.FuncType([], [wasmtime.ValType.i64()])
    self._linker.define_func("gritwit", "clock_now", clock, time.monotonic_ns, False)
    self._caller_linker.define_func(
        "gritwit", "clock_now", clock, lambda caller: time.monotonic_ns(), True
    )
    _engine.IMPORTS["clock_now"] = 0  # type: ignore[attr-defined]  # the bug: one import more


def install() -> None:
    patch(_engine.WasmEngine, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter (open-loop, written from spec/ alone): memory.grow to exactly 256 pages is
refused (WASM-017.1, WASM-016).

WASM-016 sets the memory limit at 256 pages and WASM-017.1 refuses a ``memory.grow``
*beyond* it.  This host's limiter allows a growth only while the new size stays below
the limit (``desired < max`` where ``<=`` is meant), as a resource limiter written
with a strict comparison does: a memory may reach 255 pages but never 256, so a guest
that grows to exactly the limit gets ``-1``.  One page past the limit is refused by
both, as it must be.
"""

from __future__ import annotations

import wasmtime

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit.wasm._abi import PAGE_BYTES, WasmLimits
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-017.1"}),
    "failed",
    "memory.grow to exactly the 256-page limit returns -1 (the limiter allows < limit)",
    copied_from=(("gritwit.wasm._engine:_new_store", "4a95150884e7bf40"),),
)


def _grower(pages: int) -> bytes:
    """A module of one page whose ``step`` grows by ``pages`` and traps if refused."""
    return _engine.wat_to_wasm(f"""
(module
  (memory (export "memory") 1)
  (func (export "step")
    (if (i32.eq (memory.grow (i32.const {pages})) (i32.const -1)) (then unreachable))))
""")


#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    # one page past the limit: refused by both (the step traps)
    {"cmd": "wit-genesis", "runtime": "w1", "module": _grower(256).hex()},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    # exactly the limit: allowed (the step is adopted)
    {"cmd": "wit-genesis", "runtime": "w1", "module": _grower(255).hex()},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
]


def _new_store(engine: wasmtime.Engine, limits: WasmLimits) -> wasmtime.Store:
    store = wasmtime.Store(engine)
    store.set_fuel(limits.fuel)
    store.set_limits(
        memory_size=limits.memory_pages * PAGE_BYTES - 1,  # the bug: strictly below the limit
        table_elements=limits.table_elements,
        instances=1,
        tables=1,
        memories=1,
    )
    return store


def install() -> None:
    patch(_engine, "_new_store", _new_store)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

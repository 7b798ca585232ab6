"""Wrong adapter: an out-of-bounds memory access fails as ``memory-limit`` (WASM-015.1).

The host types traps by their code and counts ``MEMORY_OUT_OF_BOUNDS`` as a memory
limit rather than a trap: a guest reading past its memory fails with the class of a
module whose memory is too large.
"""

from __future__ import annotations

import wasmtime

from gritwit._errors import GritError, MemoryLimit
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-015.1"}),
    "failed",
    "an out-of-bounds memory access fails the step as memory-limit instead of trap",
    smoke=True,
)

_real_typed = _engine._typed


def typed(trap: wasmtime.Trap) -> GritError:
    if trap.trap_code == wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS:  # the bug
        return MemoryLimit("WASM-017", "the guest accessed memory beyond its size")
    return _real_typed(trap)


def install() -> None:
    patch(_engine, "_typed", typed)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: ``random_get`` charges the call but not its bytes (SBX-006.5).

A program asks for a MiB of random bytes at a time for the price of one call: the
host's SHA-256 work is not bounded by the run's fuel.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _snapshot
from gritwit.sandbox.wasi import _calls, _cost
from gritwit.sandbox.wasi._state import WasiState
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.5"}),
    "failed",
    "random_get charges the call but not 256 fuel a byte: a MiB of random bytes costs one call",
    timeout=STARTUP_TIMEOUT,
)


def random_get(self: _snapshot.Point, state: WasiState, caller: int, ptr: int, length: int) -> int:
    stream = self.state if self.reached else self.startup
    if ptr + length > state.size:
        return 21  # EFAULT
    state.charge(_cost.CALL_FUEL, "random_get")  # the bug: not 256 fuel a byte
    for at in range(0, length, _calls.RANDOM_CHUNK):
        state.write(ptr + at, stream.random(min(_calls.RANDOM_CHUNK, length - at)))
    return 0


def install() -> None:
    patch(_snapshot.Point, "_random_get", random_get)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

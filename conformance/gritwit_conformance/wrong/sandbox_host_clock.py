"""Wrong adapter: the clocks read the host's time (SBX-005.4).

``clock_time_get`` answers the host's real time to a program: two reads differ, and a
run's output depends on when it ran. (The interpreter's start-up, which the host
snapshots once, still reads the fixed time, so the snapshot stays cacheable.)
"""

from __future__ import annotations

import time
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.4", "ADP-019.6"}),
    "failed",
    "clock_time_get reads the host's real time",
    timeout=STARTUP_TIMEOUT,
)

_real = _calls.FUNCTIONS["clock_time_get"]


def clock_time_get(state: Any, _id: int, _precision: int, ptr: int) -> int:
    if not state.seed:  # the interpreter's start-up (snapshotted once) reads the fixed time
        return int(_real[2](state, _id, _precision, ptr))
    state.u64(ptr, time.time_ns())  # the bug: a program reads the host's time
    return 0


def install() -> None:
    params, results, old = _calls.FUNCTIONS["clock_time_get"]
    bent = fault("_calls.FUNCTIONS[clock_time_get]", old, clock_time_get)
    _calls.FUNCTIONS["clock_time_get"] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

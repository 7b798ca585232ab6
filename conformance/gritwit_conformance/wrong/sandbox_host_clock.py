"""Wrong adapter: the clocks read the host's time (SBX-005.4).

``clock_time_get`` answers the host's real time: two reads differ, and a run's
output depends on when it ran.
"""

from __future__ import annotations

import time
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _calls
from gritwit_conformance.wrong import run


def clock_time_get(state: Any, _id: int, _precision: int, ptr: int) -> int:
    state.u64(ptr, time.time_ns())  # the bug
    return 0


def install() -> None:
    params, results, _ = _calls.FUNCTIONS["clock_time_get"]
    _calls.FUNCTIONS["clock_time_get"] = (params, results, clock_time_get)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

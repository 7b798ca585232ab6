"""Wrong adapter: a request past a bound is dropped without an answer (TIM-004, TIM-002.5).

The timer service reads a request it will not set — malformed, past ``max_timers``, too
early or too late — and drops it: the actor that asked is never told, and waits for a
timer that will never fire: a request read is neither accepted nor refused (TIM-002.5).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-004.1", "TIM-004.2", "TIM-004.3", "TIM-002.5"}),
    "failed",
    "a refused request is dropped: no timer-refused message to its sender",
)


def _refuse(self: _timers.TimerService, *args: Any) -> None:
    return None  # the bug: no answer


def install() -> None:
    patch(_timers.TimerService, "_refuse", _refuse)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a timer fires a millisecond before its time (TIM-003.1).

The timer service takes a timer as due when its time is at most one millisecond ahead of
the clock, a rounding an implementer might allow for "close enough": it fires before its
time, with a ``timer-fired-at`` earlier than ``timer-set-for``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-003.1"}),
    "failed",
    "a timer due within a millisecond fires at once: before its time",
)

_real_fire = _timers.TimerService._fire


def _fire(self: _timers.TimerService, job: _timers._Pass, mine: set) -> int:  # type: ignore[type-arg]
    job.now += 1  # the bug: "due" a millisecond early
    try:
        return _real_fire(self, job, mine)
    finally:
        job.now -= 1


def install() -> None:
    patch(_timers.TimerService, "_fire", _fire)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

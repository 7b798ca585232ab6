"""Wrong adapter: a fire says the time of day, not the service's clock (TIM-003.4, TIM-003.1).

The timer service stamps ``timer-fired-at`` from the process's wall clock: the fire's
time is not the clock the service judged it due by, and a replay of the same operations
on another runtime delivers a different message, so the step that reads it differs.
"""

from __future__ import annotations

from gritwit._objects import make_headers
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit.wit._model import queued_send
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-003.4", "TIM-003.1"}),
    "failed",
    "timer-fired-at is read from the wall clock: fires differ from one run to the next",
)

_real_fire = _timers.TimerService._fire


def _fire(self: _timers.TimerService, job: _timers._Pass, mine: set) -> int:  # type: ignore[type-arg]
    start = len(job.sends)
    fired = _real_fire(self, job, mine)
    for i in range(start, len(job.sends)):
        send = job.sends[i]
        headers = dict(send.headers)
        headers["timer-fired-at"] = str(_timers.wall_clock())  # the bug: another clock
        job.sends[i] = queued_send(send.recipient, send.content, make_headers(headers))
    return fired


def install() -> None:
    patch(_timers.TimerService, "_fire", _fire)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

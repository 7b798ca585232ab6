"""Wrong adapter: ``timer-after`` is counted from zero, not from the acceptance (TIM-002.4).

TIM-002.4 sets a ``timer-after`` timer for *T₀* + ``timer-after``, *T₀* being the
service's clock when it built the step that accepts it. This timer service reads the
delay as a time, as it reads ``timer-at``: the timer is set for the epoch plus the delay,
long past, and fires at once.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit.wit import PendingMessage
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-002.4"}),
    "failed",
    "a timer-after timer is set for the delay itself, not the time of acceptance plus it",
)

_real_request = _timers.TimerService._request


def _request(
    self: _timers.TimerService, job: _timers._Pass, sender: _timers.ObjectId, item: PendingMessage
) -> None:
    if item.mt != "timer-set" or "timer-after" not in item.message.headers:
        return _real_request(self, job, sender, item)
    now, job.now = job.now, 0  # the bug: T0 taken as zero
    try:
        return _real_request(self, job, sender, item)
    finally:
        job.now = now


def install() -> None:
    patch(_timers.TimerService, "_request", _request)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a timer is known by its id alone, not by its setter and id (TIM-002.2).

Two actors' first requests with equal headers and content are one message, so one id
(WIT-004). This timer service keys its table by the id alone: the second actor's request
looks like a signal equal to a timer already set (TIM-004.1) and is refused, so the
second actor's timer is never set.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit.wit import PendingMessage
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-002.2"}),
    "failed",
    "timers are keyed by id alone: a second actor's equal request is refused as a duplicate",
)

_real_request = _timers.TimerService._request


def _request(
    self: _timers.TimerService, job: _timers._Pass, sender: _timers.ObjectId, item: PendingMessage
) -> None:
    taken = any(timer_id == item.id for _, timer_id in job.table.timers)  # the bug: any setter's
    if item.mt == "timer-set" and taken:
        return self._refuse(job, sender, item, "timer-invalid", "TIM-004.1")
    return _real_request(self, job, sender, item)


def install() -> None:
    patch(_timers.TimerService, "_request", _request)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: only ``timer-after`` is understood; ``timer-at`` is refused (TIM-002.1).

TIM-002.1 lets a request say when by exactly one of ``timer-after`` and ``timer-at``. This
timer service was written for delays only: a request with ``timer-at`` is answered
``timer-invalid`` as if it were malformed, so a timer at a time of day is never set.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit.wit import PendingMessage
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-002.1"}),
    "failed",
    "a timer-set request with timer-at is refused as invalid: only timer-after is set",
)

_real_request = _timers.TimerService._request


def _request(
    self: _timers.TimerService, job: _timers._Pass, sender: _timers.ObjectId, item: PendingMessage
) -> None:
    if item.mt == "timer-set" and "timer-at" in item.message.headers:  # the bug
        return self._refuse(job, sender, item, "timer-invalid", "TIM-004.1")
    return _real_request(self, job, sender, item)


def install() -> None:
    patch(_timers.TimerService, "_request", _request)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

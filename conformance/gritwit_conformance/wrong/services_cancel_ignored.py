"""Wrong adapter: a ``timer-cancel`` is read and does nothing (TIM-005.1, TIM-005.2).

The service reads a well-formed cancel without effect, as it reads a message of another
``mt``: the timer stays pending, is listed, and fires.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit.wit import PendingMessage
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-005.1", "TIM-005.2"}),
    "failed",
    "a timer-cancel is read without effect: the timer stays pending and fires",
)

_real_request = _timers.TimerService._request


def _request(
    self: _timers.TimerService, job: _timers._Pass, sender: object, item: PendingMessage
) -> None:
    if item.mt == "timer-cancel" and item.message.headers.get("timer-id"):
        return None  # the bug: the cancel removes nothing
    return _real_request(self, job, sender, item)  # type: ignore[arg-type]


def install() -> None:
    patch(_timers.TimerService, "_request", _request)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: the timer service reads its clock in seconds (TIM-006.1).

The adapter hands the timer service the harness's clock divided by 1000, as a runtime
whose clock counts seconds since 1970 would read it, where the service's clock is
milliseconds: a timer set 10 ms ahead is set for a time thousands of "seconds" before
the milliseconds the harness gave, and ``timer-fired-at`` is no reading of the clock.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-006.1"}),
    "failed",
    "the timer service's clock is read in seconds, not milliseconds",
)

_real_init = _timers.TimerService.__init__


def _init(self: _timers.TimerService, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    millis = self.clock
    self.clock = lambda: millis() // 1000  # the bug: seconds since 1970


def install() -> None:
    patch(_timers.TimerService, "__init__", _init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

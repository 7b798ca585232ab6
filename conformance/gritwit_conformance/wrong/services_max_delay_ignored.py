"""Wrong adapter: the timer service sets a timer however far ahead (TIM-004.4).

``rt-open``'s ``max_delay`` is taken and then never enforced: a request set for more
than ``max_delay`` after its acceptance is set, not refused ``timer-too-late``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-004.4"}),
    "failed",
    "max_delay is never enforced: a timer set too far ahead is set, not refused",
)

_real_init = _timers.TimerService.__init__


def _init(self: _timers.TimerService, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.bounds = dataclasses.replace(self.bounds, max_delay=2**62)  # the bug: no bound


def install() -> None:
    patch(_timers.TimerService, "__init__", _init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: ``max_fires`` bounds each timer pass, not each second (TIM-004.5).

The service forgets the fires of the passes before in the same second of its clock, so
every pass fires up to ``max_fires`` again: an ``rt-run`` of several passes fires more
than the bound in one second.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-004.5"}),
    "failed",
    "max_fires counted per timer pass, not per second of the clock",
)

_real_count = _timers.TimerService._count


def _count(self: _timers.TimerService, now: int, fired: int) -> None:
    _real_count(self, now, fired)
    self._fired = 0  # the bug: the next pass starts its count again


def install() -> None:
    patch(_timers.TimerService, "_count", _count)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a runtime given a share fires every timer due (TIM-006.3).

The timer service keeps to its share when it reads requests, but fires the timers due
whoever set them: a runtime of one share fires, and strikes off, another share's timers,
which are that share's runtime's.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-006.3"}),
    "failed",
    "a runtime given a share fires the timers every actor set, not its share's alone",
)

_real_fire = _timers.TimerService._fire


def _fire(self: _timers.TimerService, job: _timers._Pass, mine: set[ObjectId]) -> int:
    everyone = set(job.table.counts)  # the bug: share ignored
    return _real_fire(self, job, mine | everyone)


def install() -> None:
    patch(_timers.TimerService, "_fire", _fire)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

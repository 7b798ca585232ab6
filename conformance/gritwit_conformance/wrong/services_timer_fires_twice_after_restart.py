"""Wrong adapter: a fired timer is struck off in memory only (TIM-003.2).

The timer service fires a timer and remembers in its process that it did, but leaves
the timer in the timer party's core: while the process lives the timer fires once, and
after a restart (a kill, a new process) it fires again.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-003.2"}),
    "failed",
    "fired timers are struck off in the process's memory, not in the party's core: "
    "after a restart each fires again",
)

_real_fire = _timers.TimerService._fire
#: The timers this process fired (the bug: the only record of it).
_DONE: set[tuple[ObjectId, ObjectId]] = set()


def _fire(self: _timers.TimerService, job: _timers._Pass, mine: set) -> int:  # type: ignore[type-arg]
    hidden = {tid: t for tid, t in job.table.timers.items() if tid in _DONE}
    for tid in hidden:
        job.table.remove(tid)
    before = dict(job.table.timers)
    fired = _real_fire(self, job, mine)
    for tid, timer in before.items():
        if tid not in job.table.timers:
            _DONE.add(tid)
            job.changes[tid] = timer  # the bug: the core keeps it
    for timer in hidden.values():
        job.table.add(timer)
    return fired


def install() -> None:
    patch(_timers.TimerService, "_fire", _fire)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

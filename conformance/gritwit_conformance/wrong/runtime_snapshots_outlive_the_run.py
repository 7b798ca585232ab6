"""Wrong adapter: idle snapshots outlive the ``rt-run`` call that made them (ADP-015.2).

ADP-014 step 2b keeps, per actor, the last pending message of each sender it looked at
and left; ADP-015.2 says a snapshot lasts for one call.  An implementer who keeps them
with the runtime instead (a map on the scheduler, cleared only when the process
restarts) parks an actor whose transition read nothing (WIT-012.6) for good: the next
call skips it, its messages stay pending and the call answers quiescent with none
adopted.  A choice the outsider reversed, once uncaught.
"""

from __future__ import annotations

import weakref

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime, _schedule
from gritwit.wit import Failure, RunReport
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"ADP-015.2"}),
    "failed",
    "rt-run keeps every idle snapshot for later calls of the same process",
)

#: Each scheduler's snapshots, kept past its calls (a restart makes a new scheduler).
_KEPT: weakref.WeakKeyDictionary[_schedule.Scheduler, dict[ObjectId, tuple[ObjectId, ...]]] = (
    weakref.WeakKeyDictionary()
)


class KeepsSnapshots(_schedule.Scheduler):
    """The reference scheduler, whose rounds start from the snapshots of earlier calls."""

    async def _rounds(
        self,
        max_steps: int,
        steps: list[tuple[ObjectId, ObjectId]],
        marked: list[Failure],
        idle: dict[ObjectId, tuple[ObjectId, ...]],
    ) -> RunReport:
        kept = _KEPT.setdefault(self, {})  # the bug: one map for every call
        self._commits.begin(steps, kept)
        return await super()._rounds(max_steps, steps, marked, kept)


def install() -> None:
    patch(_runtime, "Scheduler", KeepsSnapshots)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

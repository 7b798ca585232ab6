"""Wrong adapter: a failed actor reverted stays busy until an attempt of it starts
(RUN-025.4).

RUN-025.4 read before its failed case was written: an actor reverted since a run last
looked at it is busy until a run has "started an attempt of it, or found nothing pending
for it". A failed actor reverted and not cleared is held (RUN-024.8): no run starts an
attempt of it, and its messages stay pending, so in this reading it stays busy until its
mark is cleared; ``rt-evict`` never archives it, where the run that finds its mark and
holds it has looked at it, and it is idle again, as RUN-012.1 counts a failed actor.
"""

from __future__ import annotations

from typing import Any

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime, _schedule
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-025.4"}),
    "failed",
    "a failed actor reverted and not cleared is never archived: busy until an attempt",
)


class UnseenScheduler(_schedule.Scheduler):
    """The reference scheduler, which keeps reverted failed actors busy at eviction."""

    unseen: set[ObjectId]

    def evict_idle(self, *, everything_idle: bool = False) -> list[ObjectId]:
        unseen: set[ObjectId] = getattr(self, "unseen", set()) & self._index.failed  # the bug
        return self._residents.evict_idle(
            self._running, self._dirty | unseen, everything_idle=everything_idle
        )


class RevertedFailedBusy(_runtime.Runtime):
    """The reference runtime, which notes the failed actors it reverts."""

    def revert(self, actor: ObjectId, to_step: ObjectId, *, head: Any = None) -> ObjectId:
        new_head = super().revert(actor, to_step, head=head)
        if actor in self._index.failed:
            scheduler: Any = self._scheduler
            scheduler.unseen = {*getattr(scheduler, "unseen", set()), actor}
        return new_head


def install() -> None:
    import gritwit.adapter._runtime as adapter_runtime

    patch(_runtime, "Scheduler", UnseenScheduler)
    patch(adapter_runtime, "Runtime", RevertedFailedBusy)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

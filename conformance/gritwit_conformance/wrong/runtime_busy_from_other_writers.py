"""Wrong adapter: ``rt-evict`` reads the refs, so another writer's send makes busy (RUN-012.9).

RUN-012.1 makes the recipient of a message "sent since" the last run busy between runs;
RUN-012.9 says whose sends those are: this runtime's own, not another writer's.  An
implementer who read "sent since" as "in the store since" reads the refs before each
``rt-evict`` and keeps every actor something new is pending for, whoever sent it: a
counter another runtime on the store sent to stays resident, and ``rt-evict``'s answer
depends on when that writer's swap landed.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime, _schedule
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.9"}),
    "failed",
    "rt-evict keeps an actor another writer sent to since the last run",
)


class ReadsRefsToEvict(_schedule.Scheduler):
    """The reference scheduler, which reads the refs again before an ``rt-evict``."""

    _at_end: dict[ObjectId, tuple[ObjectId, ...]]

    def _last_pending(self) -> dict[ObjectId, tuple[ObjectId, ...]]:
        found = {}
        for actor in self._mine(self._index.recipients()) - self._index.failed:
            _, _, pending = self._routing.pending(actor)
            if pending:
                found[actor] = tuple(items[-1].id for items in pending.values())
        return found

    def _evict_between_rounds(
        self, idle: dict[ObjectId, tuple[ObjectId, ...]], *, final: bool = False
    ) -> None:
        super()._evict_between_rounds(idle, final=final)
        if final:
            self._at_end = self._last_pending()

    def evict_idle(self, *, everything_idle: bool = False) -> list[ObjectId]:
        if everything_idle and hasattr(self, "_at_end"):
            self._routing.start_rounds()  # the bug: what the store holds now, any writer's
            for actor, last in self._last_pending().items():
                if self._at_end.get(actor) != last:
                    self._dirty.add(actor)
        return super().evict_idle(everything_idle=everything_idle)


def install() -> None:
    patch(_runtime, "Scheduler", ReadsRefsToEvict)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

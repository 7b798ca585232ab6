"""Wrong adapter: before its first run, a runtime counts every actor with a message
pending in the store as busy (RUN-012.9).

RUN-012.1 judges an actor between runs "as at the end of the last run"; a runtime that
has not run has no last run, and an implementer who read "no run has looked at it yet"
as busy reads the refs at its first ``rt-evict`` and keeps every actor something is
pending for: a counter with an ``inc`` left from before the directory was opened again
stays resident, where only a send through the runtime since it opened makes busy.
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
    "before its first run, rt-evict keeps every actor with a message pending in the store",
)


class BusyUntilFirstRun(_schedule.Scheduler):
    """The reference scheduler, which before its first run reads the refs to evict."""

    _has_run: bool = False

    def _evict_between_rounds(
        self, idle: dict[ObjectId, tuple[ObjectId, ...]], *, final: bool = False
    ) -> None:
        self._has_run = True
        super()._evict_between_rounds(idle, final=final)

    def evict_idle(self, *, everything_idle: bool = False) -> list[ObjectId]:
        if everything_idle and not self._has_run:
            self._routing.start_rounds()  # the bug: what the store holds, unread, is busy
            for actor in self._mine(self._index.recipients()) - self._index.failed:
                _, _, pending = self._routing.pending(actor)
                if pending:
                    self._dirty.add(actor)
        return super().evict_idle(everything_idle=everything_idle)


def install() -> None:
    patch(_runtime, "Scheduler", BusyUntilFirstRun)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

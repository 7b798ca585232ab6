"""Wrong adapter: each evaluation of the capacity rule evicts one actor at most (RUN-012.2).

RUN-012.2 evicts least recently used idle actors *while* more than ``max_resident`` are
resident.  An implementer who writes ``if`` where the rule says ``while`` evicts one per
evaluation: right whenever one actor at a time crosses the limit — as in the tests of
``max_resident`` 0, 1 and 2 with two or three actors — and left above it when many
cross at once.  A limit tested only at small values.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _resident, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.2"}),
    "failed",
    "each evaluation of the capacity rule evicts one idle actor at most ('if' for 'while')",
)


class EvictsOne(_resident.ResidentActors):
    """The reference's residents, whose capacity rule evicts one actor per evaluation."""

    def evict_idle(
        self, running: set[ObjectId], dirty: set[ObjectId], *, everything_idle: bool = False
    ) -> list[ObjectId]:
        limit = self.max_resident
        if limit is not None:  # the bug: the limit seen as one below what is resident
            self.max_resident = max(limit, len(self._resident) - 1)
        try:
            return super().evict_idle(running, dirty, everything_idle=everything_idle)
        finally:
            self.max_resident = limit


def install() -> None:
    patch(_runtime, "ResidentActors", EvictsOne)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

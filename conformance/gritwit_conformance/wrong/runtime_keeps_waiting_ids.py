"""Wrong adapter: an id no actor has is never idle, so never evicted (RUN-012.10).

Its messages wait for a genesis (WIT-009.4), so they are still pending, and this
runtime reads "no message pending" (RUN-012.1) literally: an actor without a head is
never a candidate for eviction.  Every id ever written to stays resident — the
reference's runs to quiescence did so before RUN-012.10 (there through the idle
snapshot kept with the resident record) — and ``max_resident`` bounds nothing.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _resident, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.10"}),
    "failed",
    "an actor without a head, whose messages wait for its genesis, is never evicted",
    copied_from=(("gritwit.runtime._resident:ResidentActors.evict_idle", "df399f5d17176dc8"),),
)


class KeepsWaitingIds(_resident.ResidentActors):
    """The reference runtime's residents, whose idle test counts waiting ids as busy."""

    def evict_idle(
        self, running: set[ObjectId], dirty: set[ObjectId], *, everything_idle: bool = False
    ) -> list[ObjectId]:
        evicted: list[ObjectId] = []
        now = self._clock()
        if not everything_idle and not self._resident.may_evict(
            now, self.max_resident, self.idle_after
        ):
            return evicted
        candidates = [  # the bug: an actor without a head is never a candidate
            (actor, r)
            for actor, r in self._resident.oldest_first()
            if actor not in running and actor not in dirty and r.head is not None
        ]
        for actor, r in candidates:
            if everything_idle or (self.idle_after is not None and now - r.used >= self.idle_after):
                self.archive(actor, "idle", evicted)
        if self.max_resident is not None:
            for actor, _ in candidates:
                if len(self._resident) <= self.max_resident:
                    break
                if actor in self._resident:
                    self.archive(actor, "capacity", evicted)
        return evicted


def install() -> None:
    patch(_runtime, "ResidentActors", KeepsWaitingIds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

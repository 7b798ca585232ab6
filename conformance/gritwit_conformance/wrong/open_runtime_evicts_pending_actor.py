"""Wrong adapter (open-loop, written from spec/ alone):
an actor with a message pending counts as idle (RUN-012.1).

RUN-012.1 lets a runtime evict only an *idle* actor: "no transition running, none about
to start and no message pending that it left unconsumed". An implementer who tracks only
the first part (no transition running right now) evicts an actor a message was just sent
to: `rt-evict` archives it, and the next `rt-run` restores it again (two more events).
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _resident, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.1"}),
    "failed",
    "rt-evict (and eviction between rounds) evicts a resident actor that has a message pending",
    copied_from=(("gritwit.runtime._resident:ResidentActors.evict_idle", "df399f5d17176dc8"),),
)

COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "counter"},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},  # the counter is resident
    {"cmd": "rt-send", "runtime": "r1", "to": COUNTER, "mt": "inc", "content": {"blob": "35"}},
    {"cmd": "rt-evict", "runtime": "r1"},  # the reference keeps it: a message is pending
    {"cmd": "rt-events", "runtime": "r1"},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},
    {"cmd": "rt-events", "runtime": "r1"},
]


class EvictsBusyResidents(_resident.ResidentActors):
    """The reference runtime's residents, whose idle test looks only at running transitions."""

    def evict_idle(
        self, running: set[ObjectId], dirty: set[ObjectId], *, everything_idle: bool = False
    ) -> list[ObjectId]:
        evicted: list[ObjectId] = []
        now = self._clock()
        if not everything_idle and not self._resident.may_evict(
            now, self.max_resident, self.idle_after
        ):
            return evicted
        candidates = [  # the bug: pending messages (dirty, waiting) are not looked at
            (actor, r) for actor, r in self._resident.oldest_first() if actor not in running
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
    patch(_runtime, "ResidentActors", EvictsBusyResidents)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

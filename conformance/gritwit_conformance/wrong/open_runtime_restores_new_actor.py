"""Wrong adapter (open-loop, written from spec/ alone):
a new actor's first use emits restore events (RUN-012.6).

RUN-012.6: "An actor without a head becomes resident without a restore (RUN-013): there
is no head to load, so it emits no `restore-requested` or `restored` event (RUN-014)."
An implementer who emits the pair whenever a non-resident actor becomes resident (the
natural hook) also emits it for an actor's genesis transition, when it has no head yet:
`rt-events` after the first `rt-run` of a new actor lists two events instead of none.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit._objects import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import RESTORE_REQUESTED, RESTORED, _resident, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.6"}),
    "failed",
    "an actor without a head emits restore-requested and restored when it first becomes resident",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "counter"},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},
    {"cmd": "rt-events", "runtime": "r1"},  # none in the reference
]


class RestoresEveryNewcomer(_resident.ResidentActors):
    """The reference runtime's residents, with a restore for every actor that becomes resident."""

    def use(self, actor: ObjectId, head: ObjectId | None, step: Step | None, why: str) -> None:
        if actor in self._resident:
            self.remember(actor, head, step)
            return
        self.emit(RESTORE_REQUESTED, actor, why)  # the bug: even without a head
        self.remember(actor, head, step)
        self.emit(RESTORED, actor)


def install() -> None:
    patch(_runtime, "ResidentActors", RestoresEveryNewcomer)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

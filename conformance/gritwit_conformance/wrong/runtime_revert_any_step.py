"""Wrong adapter: a revert takes any stored step (RUN-024.6).

``revert`` checks only that the actor has a head and that ``to_step`` is a step: a step
of another actor, or of the actor's parent below a fork, is accepted, and the actor
takes that step's core.
"""

from __future__ import annotations

from gritwit._errors import InvalidRefTarget, ObjectNotFound, RefConflict
from gritwit._ids import ObjectId
from gritwit._objects import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _revert
from gritwit.store import Store, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-024.6"}),
    "failed",
    "a revert accepts a step of another actor, or of the parent below a fork",
)


def plan_revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> tuple[ObjectId, Step]:
    head = store.get_ref(head_ref(actor))
    if head is None:
        raise ObjectNotFound("RUN-024.6", f"actor {actor} has no head")
    if expected is not None and head != expected:  # RUN-024.10, as the reference's
        raise RefConflict("RUN-024.10", f"the head of {actor} is {head}", current=head)
    target = store.get_object(to_step)
    if not isinstance(target, Step) or to_step == head:  # the bug: whose step, not asked
        raise InvalidRefTarget("RUN-024.6", f"{to_step} is not a step to revert to")
    last = store.get_object(head)
    assert isinstance(last, Step)
    step = Step(actor=actor, core=target.core, previous=head, inbox=last.inbox, outbox=last.outbox)
    return head, step


def install() -> None:
    patch(_revert, "plan_revert", plan_revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

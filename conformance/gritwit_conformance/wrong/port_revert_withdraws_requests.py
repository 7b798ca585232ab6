"""Wrong adapter: a revert takes back what the reverted steps sent (PORT-007.4).

The revert step gets the outbox of the step reverted to instead of the head's, as if
undoing a step undid its sends: the request the reverted step sent is withdrawn from the
actor's outbox, and the same request asked again is the very message the port already
read, so it is neither sent nor answered.
"""

from __future__ import annotations

import dataclasses

from gritwit._ids import ObjectId
from gritwit._objects import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _revert
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-007.4"}),
    "failed",
    "a revert step has the outbox of the step reverted to: the reverted steps' requests withdrawn",
)

_real_plan = _revert.plan_revert


def _plan_revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> tuple[ObjectId, Step]:
    head, step = _real_plan(store, actor, to_step, expected)
    target = store.get_object(to_step)
    assert isinstance(target, Step)  # the real plan checked it
    return head, dataclasses.replace(step, outbox=target.outbox)  # the bug


def install() -> None:
    patch(_revert, "plan_revert", _plan_revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a revert step keeps the head's core (RUN-024.2).

The revert step is shaped as the clause says but for its core, which is the head's and
not the reverted-to step's: the actor's state does not go back.
"""

from __future__ import annotations

from dataclasses import replace

from gritwit._ids import ObjectId
from gritwit._objects import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _revert
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-024.2"}),
    "failed",
    "a revert step keeps the head's core, so the state does not go back",
)

_plan = _revert.plan_revert


def plan_revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> tuple[ObjectId, Step]:
    head, step = _plan(store, actor, to_step, expected)
    last = store.get_object(head)
    assert isinstance(last, Step)
    return head, replace(step, core=last.core)  # the bug


def install() -> None:
    patch(_revert, "plan_revert", plan_revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

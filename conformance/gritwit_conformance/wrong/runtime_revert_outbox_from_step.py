"""Wrong adapter: a revert step takes the outbox of the step reverted to (RUN-024.4).

The actor's next message to a recipient then chains after an older message than the
last one sent, so the recipient's walk (WIT-005) no longer meets its cursor and the
messages the reverted steps sent are delivered again.
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
    frozenset({"RUN-024.4"}),
    "failed",
    "a revert step takes the reverted-to step's outbox: messages already sent are sent again",
)

_plan = _revert.plan_revert


def plan_revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> tuple[ObjectId, Step]:
    head, step = _plan(store, actor, to_step, expected)
    target = store.get_object(to_step)
    assert isinstance(target, Step)
    return head, replace(step, outbox=target.outbox)  # the bug


def install() -> None:
    patch(_revert, "plan_revert", plan_revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a revert step takes the inbox of the step reverted to (RUN-024.3).

The revert step's cursors are those of ``to_step``: every message the reverted steps
read is pending again and read a second time, from the reverted state (a replay, which
is what a fork from that step does, RUN-008, not a revert).
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
    frozenset({"RUN-024.3"}),
    "failed",
    "a revert step takes the reverted-to step's inbox: the reverted steps' messages are read again",
)

_plan = _revert.plan_revert


def plan_revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> tuple[ObjectId, Step]:
    head, step = _plan(store, actor, to_step, expected)
    target = store.get_object(to_step)
    assert isinstance(target, Step)
    return head, replace(step, inbox=target.inbox)  # the bug


def install() -> None:
    patch(_revert, "plan_revert", plan_revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a fork carries its parent's timers (TIM-007.1).

The fork keeps, in the child's first step, the parent's outbox entry for the timer party
(as if timers were state to inherit); the timer party has no cursor for the child, so
every request the parent sent is pending again from the child and set for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._ids import ObjectId
from gritwit._objects import GritObject, Mailbox, Step
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import TIMER
from gritwit.store import Store, head_ref
from gritwit.wit import mailbox_map
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-007.1"}),
    "failed",
    "a fork's first step keeps the parent's outbox entry for the timer party",
)

_real_fork = adapter_runtime.fork


def fork(
    store: Store,
    actor: ObjectId,
    at_step: ObjectId,
    new_actor_state: Mapping[str, GritObject] | None = None,
) -> ObjectId:
    child = _real_fork(store, actor, at_step, new_actor_state)
    parent_step = store.get_object(at_step)
    assert isinstance(parent_step, Step)
    entry = mailbox_map(store, parent_step.outbox).get(TIMER)
    if entry is not None:
        first_id = store.get_ref(head_ref(child))
        first = store.get_object(first_id) if first_id is not None else None
        if isinstance(first, Step):
            box = store.put_object(Mailbox(entries={TIMER: entry}))  # the bug: carried over
            step = Step(actor=child, core=first.core, previous=first.previous,
                        inbox=first.inbox, outbox=box)  # fmt: skip
            store.cas_ref(head_ref(child), first_id, store.put_object(step))
    return child


def install() -> None:
    patch(adapter_runtime, "fork", fork)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter (open-loop, written from spec/ alone):
a fork's first step keeps the parent's outbox (RUN-008.5).

RUN-008.5 gives the child's first step the `inbox` of `at_step` "and no `outbox`". An
implementer who builds the child's first step by copying the parent's step and changing
only `actor`, `core` and `previous` carries the outbox along too: the child's first step
(its head) gets another id, and every message the parent sent is pending again from the
child at each recipient (the double delivery the rationale warns about).
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._codec import object_id
from gritwit._errors import InvalidObject, InvalidRefTarget, RefConflict
from gritwit._ids import ObjectId
from gritwit._objects import GritObject, Step, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime._fork import FORK_ENTRY, ChildExists, fork_blob
from gritwit.store import Store, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-008.5"}),
    "failed",
    "a fork's first step keeps the outbox of the parent's step instead of having none",
    copied_from=(("gritwit.runtime._fork:fork", "068c58d85bf1e449"),),
)

ECHO = "2005be9a0e88c2bc2f052ada2057b544c75deef2e64d3fc0f8e5cd74dfc66161"
STEP = "0ecf560e74f999172cf15434a555572041b0bae184e9735a4c66ff133b3df783"
CHILD = "5cc88d7a9df008ebab17fcd8698e2f219f4330c9823160c40ab1217a76e849fd"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "echo"},
    {"cmd": "rt-send", "runtime": "r1", "to": ECHO, "mt": "hi", "content": {"blob": "41"}},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},  # echo replies: an outbox entry
    {"cmd": "rt-fork", "runtime": "r1", "actor": ECHO, "step": STEP},
    {"cmd": "rt-head", "runtime": "r1", "actor": CHILD},  # the child's first step differs
]


def wrong_fork(
    store: Store,
    actor: ObjectId,
    at_step: ObjectId,
    new_actor_state: Mapping[str, GritObject] | None = None,
) -> ObjectId:
    step = store.get_object(at_step)
    if not isinstance(step, Step) or step.actor != actor:
        raise InvalidRefTarget("RUN-008.1", f"{at_step} is not a step of {actor}")
    core = store.get_object(step.core)
    if not isinstance(core, Tree):
        raise InvalidRefTarget("RUN-008.1", f"the core of {at_step} is not a tree")
    entries = dict(core.entries)
    for name, obj in (new_actor_state or {}).items():
        if name == FORK_ENTRY:
            raise InvalidObject("RUN-008.3", f"the entry {FORK_ENTRY!r} is set by fork itself")
        entries[name] = store.put_object(obj)
    entries[FORK_ENTRY] = store.put_object(fork_blob(actor, at_step))
    child_core = Tree(entries=entries)
    child = store.put_object(child_core)
    # the bug: the parent's step copied whole, its outbox included
    first = Step(actor=child, core=child, previous=at_step, inbox=step.inbox, outbox=step.outbox)
    try:
        store.cas_ref(head_ref(child), None, store.put_object(first))
    except RefConflict as exc:  # the same fork made before, or the child set otherwise
        raise ChildExists(child, exc.current) from None
    assert child == object_id(child_core)
    return child


def install() -> None:
    patch(adapter_runtime, "fork", wrong_fork)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

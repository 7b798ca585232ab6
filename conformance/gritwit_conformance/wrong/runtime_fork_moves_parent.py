"""Wrong adapter: forking moves the parent onto the child's first step (RUN-008.7).

After creating the child, ``fork`` also swaps the parent's head from
``at_step`` to the child's first step, as if the parent continued as the
child: the parent's history then holds a step of another actor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from gritwit._errors import RefConflict
from gritwit._ids import ObjectId
from gritwit._objects import GritObject
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _fork
from gritwit.store import Store, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-008.7"}),
    "failed",
    "after a fork, the parent's head is swapped from the fork step to the child's first "
    "step: the parent's history holds a step of the child",
    smoke=True,
)

_real_fork = _fork.fork


def fork(
    store: Store,
    actor: ObjectId,
    at_step: ObjectId,
    new_actor_state: Mapping[str, GritObject] | None = None,
) -> ObjectId:
    child = _real_fork(store, actor, at_step, new_actor_state)
    first = store.get_ref(head_ref(child))
    with contextlib.suppress(RefConflict):  # the bug: the parent follows its child
        store.cas_ref(head_ref(actor), at_step, first)
    return child


def install() -> None:
    patch(adapter_runtime, "fork", fork)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

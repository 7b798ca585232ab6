"""Wrong adapter: a fork copies its parent's placement record (RUN-021.9).

RUN-021.9 has a fork write no placement record: the child, another actor, runs in the
share of its own id. This runtime copies the parent's record to the child, so the
child runs beside its parent, in the share no rule gave it.
"""

from __future__ import annotations

from collections.abc import Mapping

import gritwit.adapter._runtime as adapter_runtime
from gritwit._ids import ObjectId
from gritwit._objects import GritObject
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime._placement import placement_ref
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.9"}),
    "failed",
    "a fork copies its parent's placement record: the child runs in its parent's share",
)

_fork = adapter_runtime.fork


def fork(
    store: Store,
    actor: ObjectId,
    at_step: ObjectId,
    new_actor_state: Mapping[str, GritObject] | None = None,
) -> ObjectId:
    child = _fork(store, actor, at_step, new_actor_state)
    record = store.get_ref(placement_ref(actor))
    if record is not None and store.get_ref(placement_ref(child)) is None:
        store.cas_ref(placement_ref(child), None, record)  # the bug: the parent's place
    return child


def install() -> None:
    patch(adapter_runtime, "fork", fork)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

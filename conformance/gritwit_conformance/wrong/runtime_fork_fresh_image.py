"""Wrong adapter: a fork starts the child from a fresh instance (WASM-029.2).

The fork treats the guest's memory as process state that a new actor does not
inherit: when the parent's core holds an image (WASM-023), the child's ``image``
entry is reset to the empty blob, so the child's first call instantiates the
module anew (WASM-025.7) instead of restoring the parent's image at the fork step.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._ids import ObjectId
from gritwit._objects import Blob, GritObject, Step, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _fork
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"WASM-029.2"}),
    "failed",
    "a fork resets the child's image to the empty blob: the child starts from a fresh "
    "instance instead of its parent's image at the fork step",
    smoke=True,
)

_real_fork = _fork.fork


def fork(
    store: Store,
    actor: ObjectId,
    at_step: ObjectId,
    new_actor_state: Mapping[str, GritObject] | None = None,
) -> ObjectId:
    step = store.get_object(at_step)
    state = dict(new_actor_state or {})
    if isinstance(step, Step):
        core = store.get_object(step.core)
        if isinstance(core, Tree) and "image" in core.entries and "image" not in state:
            state["image"] = Blob(data=b"")  # the bug: the child starts from no image
    return _real_fork(store, actor, at_step, state)


def install() -> None:
    patch(adapter_runtime, "fork", fork)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

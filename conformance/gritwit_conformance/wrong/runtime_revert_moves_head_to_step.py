"""Wrong adapter: a revert moves the head back to the step itself (RUN-024.1, RUN-024.5).

Instead of adopting a new step whose ``previous`` is the head, ``revert`` swaps
``heads/<actor>`` to ``to_step``: the reverted steps leave the history, and the inbox and
outbox cursors move back with it, so what those steps read is pending again.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _revert
from gritwit.runtime import _runtime as runtime_module
from gritwit.store import Store, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-024.1", "RUN-024.5"}),
    "failed",
    "a revert swaps the head back to the step reverted to instead of adopting a new step "
    "after the head: the reverted steps leave the history and their messages are read again",
)


def revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> ObjectId:
    head, _ = _revert.plan_revert(store, actor, to_step, expected)  # the reference's checks
    store.cas_ref(head_ref(actor), head, to_step)  # the bug: no new step
    return to_step


def install() -> None:
    patch(runtime_module, "revert", revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a revert clears the actor's failed mark (RUN-024.8).

The revert is made as the clause says, then ``names/failed/<actor>`` is deleted as
well: a held actor runs its pending messages at once, before anyone cleared it.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _revert
from gritwit.runtime import _runtime as runtime_module
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-024.8"}),
    "failed",
    "a revert of an actor marked failed deletes the mark: the actor runs again at once",
)


def revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> ObjectId:
    new = _revert.revert(store, actor, to_step, expected)
    _revert.clear_failed(store, actor)  # the bug
    return new


def install() -> None:
    patch(runtime_module, "revert", revert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

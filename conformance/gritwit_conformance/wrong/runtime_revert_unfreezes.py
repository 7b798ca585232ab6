"""Wrong adapter: a revert ignores a frozen core (RUN-024.7).

A frozen actor reverted to a step before its freeze loses its ``frozen`` entry, and
with it the promise that its code never changes (WIT-016).
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _revert
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-024.7"}),
    "failed",
    "a revert of a frozen actor to a step before its freeze is made: the actor unfreezes",
)


def check_frozen(store: Store, head_core: ObjectId, core: ObjectId) -> None:
    return None  # the bug: any core will do


def install() -> None:
    patch(_revert, "_check_frozen", check_frozen)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

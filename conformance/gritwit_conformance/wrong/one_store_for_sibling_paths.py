"""Wrong adapter: the durable store of a ``path`` is named by its parent directory, so
sibling paths share one store (ADP-010.6).

The bug of a store kept outside the directory and named by the wrong thing — one
database schema per run of the harness instead of one per path.  Every answer on one
path is right, a reopen and a restart find the store again (ADP-010.3 holds); only a
second, new directory beside the first is not a new, empty store.
"""

from __future__ import annotations

from pathlib import Path

from gritwit.adapter import _stores
from gritwit.adapter._args import _durable_store
from gritwit.store import Store
from gritwit_conformance.wrong import ReferenceAdapter, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-010.6"}),
    "failed",
    "names a durable store by its path's parent directory: a new directory beside "
    "another opens that one's store, not a new, empty one",
)


def _by_parent(self: _stores.StoreLocations, path: Path) -> Store:
    shared = path.parent / "shared-store"
    shared.mkdir(exist_ok=True)
    return _durable_store(shared)


if __name__ == "__main__":
    patch(_stores.StoreLocations, "open", _by_parent)
    run(ReferenceAdapter)

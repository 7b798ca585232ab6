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
from gritwit_conformance.wrong import ReferenceAdapter, patch, run


def _by_parent(self: _stores.StoreLocations, path: Path) -> Store:
    shared = path.parent / "shared-store"
    shared.mkdir(exist_ok=True)
    return _durable_store(shared)


if __name__ == "__main__":
    patch(_stores.StoreLocations, "open", _by_parent)
    run(ReferenceAdapter)

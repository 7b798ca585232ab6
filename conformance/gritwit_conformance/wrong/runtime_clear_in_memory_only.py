"""Wrong adapter: clearing a failed mark forgets it in memory only (RUN-025.1, RUN-025.3).

``rt-clear`` answers ``cleared: true`` for a marked actor but leaves
``names/failed/<actor>`` in the store, so the next run, which reads the marks from the
refs, still holds the actor: it never runs again.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime as runtime_module
from gritwit.runtime import failed_ref
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-025.1", "RUN-025.3"}),
    "failed",
    "a clear answers true but leaves the failed mark in the store: the actor stays held",
)


def clear_failed(store: Store, actor: ObjectId) -> bool:
    return store.get_ref(failed_ref(actor)) is not None  # the bug: nothing is deleted


def install() -> None:
    patch(runtime_module, "clear_failed", clear_failed)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a step's bytes count every object it carries, held ones too (RUN-022.1).

The store is never asked which objects it holds: a blob another step stored first, an
object the open group stores, counts again.  A step writing a blob the store has fails
``step-too-large`` at a bound it keeps, and a run stops early.
"""

from __future__ import annotations

from collections.abc import Iterable

from gritwit._codec import Encoded
from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-022.1"}),
    "failed",
    "a step's bytes count every object it carries, those the store or the open group "
    "holds too: a step writing a stored blob again fails step-too-large at a bound it "
    "keeps, and runs stop early",
)


def added_bytes(store: Store, encodings: Iterable[Encoded], known: Iterable[ObjectId] = ()) -> int:
    sizes: dict[ObjectId, int] = {}
    for encoding, oid in encodings:
        sizes.setdefault(oid, len(encoding))
    return sum(sizes.values())  # the bug: neither the store nor the group is asked


def install() -> None:
    patch(_disk, "added_bytes", added_bytes)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

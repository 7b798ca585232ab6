"""Wrong adapter: ``has`` answers false for an erased id (RUN-011.4).

The durable store's ``has`` looks at stored bytes only, not at tombstones: once
a blob is erased, a step that names it (a reply with the same content, a core
entry) is refused as naming an absent object, and its actor fails.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.store import _sqlite
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-011.4"}),
    "failed",
    "the durable store's has looks at stored bytes only: a step naming an erased blob "
    "is refused as naming an absent object",
    smoke=True,
)


def contains(self: _sqlite.SqliteBackend, oid: ObjectId) -> bool:
    return self.read(oid) is not None  # the bug: a tombstone is not enough


def install() -> None:
    patch(_sqlite.SqliteBackend, "contains", contains)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

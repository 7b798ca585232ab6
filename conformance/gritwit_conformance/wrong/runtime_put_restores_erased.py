"""Wrong adapter: putting an erased blob's bytes again restores them (RUN-011.5).

The durable store inserts every object it is given, tombstone or not, and drops
the tombstone of an id whose bytes come back: an erasure lasts only until the
same bytes are sent or set in a core again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.store import _sqlite
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-011.5"}),
    "failed",
    "the durable store drops an id's tombstone when its bytes are put again: an erased "
    "blob comes back once the same bytes are sent or set in a core",
    smoke=True,
)


def insert_rows(
    conn: sqlite3.Connection,
    items: Iterable[tuple[ObjectId, bytes]],
    fresh: set[bytes] | None = None,
) -> None:
    rows = [(oid.digest, data) for oid, data in items]
    conn.executemany("DELETE FROM tombstones WHERE id = ?", [(d,) for d, _ in rows])  # the bug
    for row in rows:  # the rows made are fresh (RUN-022.1), as the real insert reports
        made = conn.execute("INSERT OR IGNORE INTO objects (id, data) VALUES (?, ?)", row)
        if made.rowcount == 1 and fresh is not None:
            fresh.add(row[0])


def insert(self: _sqlite.SqliteBackend, oid: ObjectId, data: bytes) -> None:
    self.insert_many([(oid, data)])


def install() -> None:
    patch(_sqlite.SqliteBackend, "_insert_rows", staticmethod(insert_rows))
    patch(_sqlite.SqliteBackend, "insert", insert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter (open-loop, written from spec/ alone):
putting an erased blob's bytes again restores it (RUN-011.5).

RUN-011.2 drops the bytes and keeps a tombstone; RUN-011.5: "Putting the same bytes
again MUST NOT restore them." An implementer whose object insert is a plain upsert on
the objects table (the tombstones are a table of their own, looked at only by reads of
absent ids) stores the bytes again when anything re-sends the same blob, and the erased
id reads back: `rt-object` answers the bytes instead of failing `erased`.
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
    "storing an erased blob's bytes again (a send or genesis naming them) brings the blob back",
)

COUNTER_WITH_NOTE = "8380838a5c18310c2703c89eca5690cce65fff8cf7642f0572707d9e7efd4191"
HI = "b046b80b2cff5bbd30dfe24210adc778a3d77bd9d86dd12d020c797b9e6908eb"  # the blob "hi"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "counter", "state": {"note": "6869"}},
    {"cmd": "rt-erase", "runtime": "r1", "blob": HI, "reason": "asked to forget it"},
    {"cmd": "rt-object", "runtime": "r1", "id": HI},  # erased
    {"cmd": "rt-send", "runtime": "r1", "to": COUNTER_WITH_NOTE, "content": {"blob": "6869"}},
    {"cmd": "rt-object", "runtime": "r1", "id": HI},  # still erased in the reference
]


#: A row inserted unless its id is held as bytes: ``rowcount`` tells whether it was made.
_INSERT_NEW = "INSERT INTO objects (id, data) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING"


def wrong_insert_rows(
    conn: sqlite3.Connection,
    items: Iterable[tuple[ObjectId, bytes]],
    fresh: set[bytes] | None = None,
) -> None:
    """Every write of objects (a send, a genesis, a step, a batch): the bug, a plain
    upsert with no tombstone look-up; rows made are fresh (RUN-022.1) and held copies
    mended (STO-002.3), as the reference's insert does."""
    rows = [(oid.digest, data) for oid, data in items]
    if fresh is None:
        conn.executemany(_sqlite._UPSERT_VALUES, rows)  # the bug: no tombstone look-up
        return
    for row in rows:
        if conn.execute(_INSERT_NEW, row).rowcount == 1:  # the bug: nor here
            fresh.add(row[0])
        else:
            conn.execute(_sqlite._MEND_HELD, row)


def wrong_insert(self: _sqlite.SqliteBackend, oid: ObjectId, data: bytes) -> None:
    """A single ``put``: the same plain upsert."""
    with self._connection() as conn, self._transaction(conn):
        conn.execute(_sqlite._UPSERT_VALUES, (oid.digest, data))  # the bug: no tombstone look-up


def install() -> None:
    # Since SQLite writes report their fresh rows (RUN-022.1) and sends are committed in
    # groups (RUN-019), a send or genesis stores its objects through _insert_rows, not
    # insert: bending that path's SQL constants modelled the bug but left the one counted
    # fault (insert) never entered.  Both paths are bent as code now, and counted.
    patch(_sqlite.SqliteBackend, "_insert_rows", staticmethod(wrong_insert_rows))
    patch(_sqlite.SqliteBackend, "insert", wrong_insert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

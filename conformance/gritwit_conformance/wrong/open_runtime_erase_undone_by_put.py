"""Wrong adapter (open-loop, written from spec/ alone):
putting an erased blob's bytes again restores it (RUN-011.5).

RUN-011.2 drops the bytes and keeps a tombstone; RUN-011.5: "Putting the same bytes
again MUST NOT restore them." An implementer whose object insert is a plain upsert on
the objects table (the tombstones are a table of their own, looked at only by reads of
absent ids) stores the bytes again when anything re-sends the same blob, and the erased
id reads back: `rt-object` answers the bytes instead of failing `erased`.
"""

from __future__ import annotations

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


_NO_LOOK_UP = (
    "INSERT INTO objects (id, data) SELECT v.column1, v.column2 FROM (VALUES {values}) AS v"
    " WHERE true ON CONFLICT (id) DO NOTHING RETURNING id"
)


def wrong_insert(self: _sqlite.SqliteBackend, oid: ObjectId, data: bytes) -> None:
    with self._connection() as conn, self._transaction(conn):
        conn.execute(_sqlite._UPSERT_VALUES, (oid.digest, data))  # the bug: no tombstone look-up


def install() -> None:
    patch(_sqlite, "_UPSERT_UNLESS_ERASED", _sqlite._UPSERT_VALUES)
    # the inserts that report their fresh rows (RUN-022.1): no tombstone look-up either
    patch(_sqlite, "_FRESH_INSERT", _NO_LOOK_UP)
    patch(_sqlite, "_FRESH_INSERT_ONE", "INSERT OR IGNORE INTO objects (id, data) VALUES (?1, ?2)")
    patch(_sqlite.SqliteBackend, "insert", wrong_insert)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

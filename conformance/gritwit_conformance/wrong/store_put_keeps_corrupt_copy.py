"""Wrong adapter: ``put`` of an id already present stores nothing, even over a corrupt copy
("INSERT OR IGNORE") (STO-002.3).

Every answer is right for a healthy store; but a copy found corrupt can never be
mended, where a ``put`` of the right bytes MUST replace it. (This was the
reference's own behaviour before STO-002.3.)
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit._codec import decode_object
from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _hex
from gritwit.store import MemoryBackend, SqliteBackend
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"STO-002.3"}),
    "failed",
    "put of an id already present stores nothing, so a corrupt copy is never mended",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_put(self, args: dict[str, Any]) -> dict[str, Any]:
        store = self._store(args)
        data = _hex(args, "bytes")
        decode_object(data)  # STO-001: refused bytes store nothing
        oid = ObjectId(blake3.blake3(data).digest())
        backend = store.backend
        if isinstance(backend, MemoryBackend):
            backend._objects.setdefault(oid.digest, data)  # the bug: never mends
        elif isinstance(backend, SqliteBackend):
            with backend._connection() as conn, backend._transaction(conn):
                conn.execute(
                    "INSERT OR IGNORE INTO objects (id, data) VALUES (?, ?)", (oid.digest, data)
                )
        else:
            store.put(data)
        return {"id": oid.hex()}


if __name__ == "__main__":
    run(Adapter)

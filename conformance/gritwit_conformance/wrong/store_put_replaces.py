"""Wrong adapter: ``put`` overwrites what is stored under the id ("INSERT OR REPLACE") (STO-006).

Every answer is right for a healthy store; a re-put over corrupted bytes silently
replaces them, where a store MUST NOT replace an object.
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _hex
from gritwit.store import MemoryBackend, SqliteBackend
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_put(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_put(args)  # validated, stored unless present
        data = _hex(args, "bytes")
        oid = ObjectId(blake3.blake3(data).digest())
        backend = self._store(args).backend
        if isinstance(backend, MemoryBackend):
            backend._objects[oid.digest] = data  # the bug: replace
        elif isinstance(backend, SqliteBackend):
            with backend._connection() as conn, backend._transaction(conn):
                conn.execute(
                    "INSERT OR REPLACE INTO objects (id, data) VALUES (?, ?)", (oid.digest, data)
                )
        return answer


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: deleting or moving a ref removes the object it pointed at, as a
garbage collector would (STO-006).

No operation of the store chapter removes an object: the old target stays.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _optional_id
from gritwit.store import MemoryBackend, SqliteBackend
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"STO-006"}),
    "failed",
    "moving or deleting a ref removes the object it pointed at",
)


class Adapter(ReferenceAdapter):
    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_ref_cas(args)
        old = _optional_id(args, "expected")
        if old is None or old == _optional_id(args, "new"):
            return answer
        backend = self._store(args).backend
        if isinstance(backend, MemoryBackend):
            backend._objects.pop(old.digest, None)  # the bug
        elif isinstance(backend, SqliteBackend):
            with sqlite3.connect(backend.path) as conn:
                conn.execute("DELETE FROM objects WHERE id = ?", (old.digest,))  # the bug
            conn.close()
        return answer


if __name__ == "__main__":
    run(Adapter)

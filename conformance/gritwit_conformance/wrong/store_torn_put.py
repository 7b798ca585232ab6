"""Wrong adapter: ``put`` is acknowledged when all but the last byte is on disk (DUR-002.1).

A buffered writer whose final partial buffer is flushed only by a clean close or
reopen: until then the file holds a torn object.  Reads before a kill are served from
memory and are right; a kill right after an acknowledgement leaves bytes that no
longer hash to their id.
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _hex, _str
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run
from gritwit_conformance.wrong.write_behind_store import Adapter as WriteBehind

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"DUR-002.1"}),
    "failed",
    "put is acknowledged with the last byte of the object still buffered: a kill right "
    "after it leaves a torn object",
)


def _write_raw(store: Store, oid: ObjectId, data: bytes) -> None:
    backend = store.backend
    with backend._connection() as conn, backend._transaction(conn):  # type: ignore[attr-defined]
        conn.execute("INSERT OR REPLACE INTO objects (id, data) VALUES (?, ?)", (oid.digest, data))


class Adapter(WriteBehind):
    def _later(self, handle: str, op: str, *op_args: Any) -> None:
        with self._lock:  # queued for the next clean close or reopen: no timer
            self._queue.append((handle, op, op_args))

    def cmd_put(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = ReferenceAdapter.cmd_put(self, args)  # validated and cached
        disk = self._disk.get(_str(args, "store"))
        if disk is not None:
            data = _hex(args, "bytes")
            oid = ObjectId(blake3.blake3(data).digest())
            _write_raw(disk, oid, data[:-1])  # the bug: the last byte is still buffered
            self._later(_str(args, "store"), "_finish_put", oid, data)
        return answer


def _install() -> None:
    patch(WriteBehind, "_later", WriteBehind._later)  # fails loudly if the base changed
    Store._finish_put = _write_raw  # type: ignore[attr-defined]


if __name__ == "__main__":
    run(Adapter, _install)

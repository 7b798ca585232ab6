"""Wrong adapter: a ref swap reaches the disk at once, its target object only at close (DUR-002.2).

Objects are written behind (as in ``write_behind_store``, but flushed only by a clean
close or reopen) while refs are written through, so the ref is durable before the
object it names: a kill right after the swap leaves a ref pointing at an object the
reopened store does not have.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _str
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong.write_behind_store import Adapter as WriteBehind

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"DUR-002.2"}),
    "failed",
    "a ref swap is written through at once, its target object only at close: a kill "
    "right after the swap leaves a dangling ref",
)


class Adapter(WriteBehind):
    def _later(self, handle: str, op: str, *op_args: Any) -> None:
        with self._lock:  # queued for the next clean close or reopen: no timer
            self._queue.append((handle, op, op_args))

    def cmd_store_open(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_store_open(args)
        disk = self._disk.get(answer["store"])
        if disk is not None:  # show the cache the refs as stored, dangling or not
            front = self._stores[answer["store"]][0]
            for name, target in disk.backend.list_refs(""):
                front.backend._refs[name] = target.digest  # type: ignore[attr-defined]
        return answer

    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = ReferenceAdapter.cmd_ref_cas(self, args)  # checked against the cache
        disk = self._disk.get(_str(args, "store"))
        if disk is not None:
            name = _str(args, "name")
            target = self._store(args).get_ref(name)
            backend = disk.backend
            with backend._connection() as conn, backend._transaction(conn):  # type: ignore[attr-defined]
                if target is None:
                    conn.execute("DELETE FROM refs WHERE name = ?", (name,))
                else:  # the bug: no check that the target is on disk yet
                    conn.execute(
                        "INSERT OR REPLACE INTO refs (name, target) VALUES (?, ?)",
                        (name, target.digest),
                    )
        return answer


if __name__ == "__main__":
    run(Adapter)

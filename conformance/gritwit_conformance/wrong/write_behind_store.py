"""Wrong adapter: a write-behind durable store — ``put`` and ``ref-cas`` are acknowledged
from memory and reach the disk only when a background flusher runs, 50 ms later (DUR-001).

The classic cache bug: every answer is right, reads see every write, a clean
``store-close`` or ``store-reopen`` flushes first — only a process killed within 50 ms
of an acknowledgement loses the write.  A random kill catches it sometimes; a kill
right after each acknowledgement catches it every time.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import _durable_store
from gritwit.adapter._handler import _str
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"DUR-001"}),
    "failed",
    "acknowledges put and ref-cas from a memory cache and writes them to disk 50 ms "
    "later: a kill right after an acknowledgement loses the write",
)

FLUSH_AFTER = 0.05  # seconds


class Adapter(ReferenceAdapter):
    def __init__(self) -> None:
        super().__init__()
        self._disk: dict[str, Store] = {}
        self._queue: list[tuple[str, str, tuple[Any, ...]]] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def cmd_store_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("kind") != "durable":
            return super().cmd_store_open(args)
        disk = _durable_store(Path(_str(args, "path")))
        front = Store.memory()  # the cache that answers every request
        for oid in disk.backend.ids():
            data = disk.backend.read(oid)
            if data is not None:
                front.backend.insert(oid, data)
        for name, target in disk.backend.list_refs(""):
            front.backend.cas_ref(name, None, target)
        handle = super().cmd_store_open({"kind": "memory"})["store"]
        self._stores[handle] = (front, Path(_str(args, "path")))
        self._disk[handle] = disk
        return {"store": handle}

    def _later(self, handle: str, op: str, *op_args: Any) -> None:
        with self._lock:
            self._queue.append((handle, op, op_args))
            if self._timer is None:
                self._timer = threading.Timer(FLUSH_AFTER, self._flush)
                self._timer.daemon = True
                self._timer.start()

    def _flush(self) -> None:
        with self._lock:
            queue, self._queue, self._timer = self._queue, [], None
            for handle, op, op_args in queue:
                disk = self._disk.get(handle)
                if disk is not None:
                    getattr(disk, op)(*op_args)

    def cmd_put(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_put(args)  # validated and cached
        handle = _str(args, "store")
        if handle in self._disk:
            self._later(handle, "put", bytes.fromhex(args["bytes"]))
        return answer

    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_ref_cas(args)
        handle = _str(args, "store")
        if handle in self._disk:
            front = self._store(args)
            name = _str(args, "name")
            self._later(handle, "_force_ref", name, front.get_ref(name))
        return answer

    def _close_disk(self, handle: str) -> Store | None:
        self._flush()
        return self._disk.pop(handle, None)

    def cmd_store_reopen(self, args: dict[str, Any]) -> dict[str, Any]:
        handle = _str(args, "store")
        disk = self._close_disk(handle)
        if disk is None:
            return super().cmd_store_reopen(args)
        disk.close()
        path = self._stores[handle][1]
        self._stores.pop(handle)
        fresh = self.cmd_store_open({"kind": "durable", "path": str(path)})["store"]
        self._stores[handle] = self._stores.pop(fresh)
        self._disk[handle] = self._disk.pop(fresh)
        return {}

    def cmd_store_close(self, args: dict[str, Any]) -> dict[str, Any]:
        disk = self._close_disk(_str(args, "store"))
        if disk is not None:
            disk.close()
        return super().cmd_store_close(args)


def _force_ref(self: Store, name: str, target: Any) -> None:
    """Write the cached value of a ref to disk (the flusher's blind overwrite)."""
    self.cas_ref(name, self.get_ref(name), target)


Store._force_ref = _force_ref  # type: ignore[attr-defined]


if __name__ == "__main__":
    run(Adapter)

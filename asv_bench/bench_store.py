"""Store benchmarks (chapter *store and refs*), and the measurement behind the backend choice.

* :class:`StoreOps` — put+get of a small step and of a 64 KiB blob, and a
  compare-and-swap of a head, on the memory and the SQLite backend of
  :class:`gritwit.store.Store`.
* :class:`RawKV` — the same byte workload straight on sqlite3 (WAL,
  ``synchronous=FULL``) and on LMDB (``sync=True``), without gritwit's
  decoding and hashing, to compare the two engines themselves.  LMDB is an
  optional dependency (``pip install lmdb``); without it those cases are
  skipped.  See ``docs/guide/store-backend.md``.

Every put writes new bytes (a counter is mixed in), so no timing measures the
cheap "already stored" path.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import tempfile
from typing import Any, ClassVar

import gritwit as g
from gritwit.store import Store

BLOB_SIZE = 64 * 1024


def _fresh_dir() -> str:
    return tempfile.mkdtemp(prefix="gritwit-bench-")


class StoreOps:
    """Store operations per backend: each put stores a new object."""

    params: ClassVar = (["memory", "sqlite"],)
    param_names: ClassVar = ["backend"]

    def setup(self, backend: str) -> None:
        self.dir = _fresh_dir()
        self.store = Store.memory() if backend == "memory" else Store.open(self.dir)
        self.counter = itertools.count()
        self.actor = g.ObjectId(bytes(32))
        self.core = self.store.put_object(g.Blob(data=b"core"))
        self.payload = os.urandom(BLOB_SIZE - 8)
        # Two steps to swap the head between, so time_cas_head times the swap alone.
        self.steps = (self._step(), self._step())
        self.store.cas_ref(self._head, None, self.steps[0])
        self.flip = 0

    def teardown(self, backend: str) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def _head(self) -> str:
        return "heads/" + self.actor.hex()

    def _step(self) -> g.ObjectId:
        previous = g.ObjectId(next(self.counter).to_bytes(32, "big"))
        return self.store.put_object(g.Step(actor=self.actor, core=self.core, previous=previous))

    def time_put_get_step(self, backend: str) -> None:
        previous = g.ObjectId(next(self.counter).to_bytes(32, "big"))
        data = g.encode_object(g.Step(actor=self.actor, core=self.core, previous=previous))
        self.store.get(self.store.put(data))

    def time_put_get_blob_64k(self, backend: str) -> None:
        data = g.encode_object(g.Blob(data=next(self.counter).to_bytes(8, "big") + self.payload))
        self.store.get(self.store.put(data))

    def time_cas_head(self, backend: str) -> None:
        self.store.cas_ref(self._head, self.steps[self.flip], self.steps[1 - self.flip])
        self.flip = 1 - self.flip


class RawKV:
    """Engine comparison: put+get of raw bytes under a 32-byte key, durable commits."""

    params: ClassVar = (["sqlite", "lmdb"], [200, BLOB_SIZE])
    param_names: ClassVar = ["engine", "size"]

    def setup(self, engine: str, size: int) -> None:
        self.dir = _fresh_dir()
        self.value = os.urandom(size)
        self.counter = itertools.count()
        self.db: Any
        if engine == "sqlite":
            self.db = sqlite3.connect(os.path.join(self.dir, "kv.sqlite3"), isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("CREATE TABLE kv (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL)")
        else:
            try:
                import lmdb
            except ImportError:
                raise NotImplementedError("lmdb is not installed") from None
            self.db = lmdb.open(self.dir, map_size=1 << 33, sync=True, metasync=True)
        self.stored = next(self.counter).to_bytes(32, "big")
        self._put(engine, self.stored)

    def teardown(self, engine: str, size: int) -> None:
        if hasattr(self, "db"):  # asv tears down a skipped setup too
            self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _put(self, engine: str, key: bytes) -> None:
        if engine == "sqlite":
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("INSERT OR IGNORE INTO kv (k, v) VALUES (?, ?)", (key, self.value))
            self.db.execute("COMMIT")
        else:
            with self.db.begin(write=True) as txn:
                txn.put(key, self.value, overwrite=False)

    def _get(self, engine: str, key: bytes) -> bytes:
        if engine == "sqlite":
            return bytes(self.db.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()[0])
        with self.db.begin() as txn:
            return bytes(txn.get(key))

    def time_put_get(self, engine: str, size: int) -> None:
        key = next(self.counter).to_bytes(32, "big")
        self._put(engine, key)
        self._get(engine, key)

    def time_get(self, engine: str, size: int) -> None:
        self._get(engine, self.stored)

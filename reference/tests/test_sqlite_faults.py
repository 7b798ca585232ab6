"""The faults of a directory store's files, by their own classes (DUR-006.4).

* the database file replaced under an open store (a directory where the file was): the
  next command that opens a connection fails ``store-unavailable``; opening such a path
  stays ``bad-request`` through the adapter (what the caller gave, not the medium);
* SQLite's own answers for a failing file system, given by a connection that fails the
  statement a test names (``disk I/O error``, ``database or disk is full``): a read or a
  write that fails → ``store-unavailable`` with nothing kept; a ``COMMIT`` that fails →
  ``outcome-unknown`` (the WAL may keep it), and a read settles it;
* a lock another connection holds past the store's wait → ``store-busy``, and the same
  write succeeds once the lock is gone;
* through the adapter each is its class, never ``internal`` (ADP-007).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit.adapter import ReferenceAdapter
from gritwit.store import SqliteBackend, Store
from gritwit.store import _sqlite as sqlite_module

BLOB = g.Blob(data=b"kept before the fault")
LATER = g.Blob(data=b"written into the fault")


class _Failing:
    """A SQLite connection whose statements starting with ``verb`` fail as SQLite fails
    them on a failing file system; everything else goes to the real connection."""

    def __init__(self, real: sqlite3.Connection, verb: str, message: str) -> None:
        self._real, self._verb, self._message = real, verb, message

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.lstrip().upper().startswith(self._verb):
            raise sqlite3.OperationalError(self._message)
        return self._real.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _backend(store: Store) -> SqliteBackend:
    backend = store.backend
    assert isinstance(backend, SqliteBackend)
    return backend


def _fail(monkeypatch: pytest.MonkeyPatch, store: Store, verb: str, message: str) -> None:
    _backend(store)._idle.clear()  # every later command opens a connection: the failing one
    real_connect = SqliteBackend._connect

    def failing(self: SqliteBackend) -> Any:
        return _Failing(real_connect(self), verb, message)

    monkeypatch.setattr(SqliteBackend, "_connect", failing)  # slotted: patched on the class


@pytest.mark.req("DUR-006.4")
def test_a_database_file_replaced_under_the_store_is_store_unavailable(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    oid = store.put_object(BLOB)
    store.close()
    reopened = Store.open(tmp_path)
    backend = _backend(reopened)
    backend._idle.clear()  # no connection left open on the old file
    os.replace(backend.path, tmp_path / "moved-away")
    backend.path.mkdir()  # a directory where the database file was
    with pytest.raises(g.StoreUnavailable) as raised:
        reopened.get_object(oid)
    assert raised.value.requirement == "DUR-006.4"


@pytest.mark.req("DUR-006.4", "ADP-007")
def test_opening_a_path_that_cannot_hold_a_store_stays_bad_request(tmp_path: Path) -> None:
    (tmp_path / "gritwit.sqlite3").mkdir()  # what the caller gave, not the medium
    adapter = ReferenceAdapter()
    answer = adapter.handle({"seq": 1, "cmd": "store-open", "kind": "durable",
                             "path": str(tmp_path)})  # fmt: skip
    assert answer["error"]["class"] == "bad-request", answer


@pytest.mark.req("DUR-006.4", "DUR-002")
@pytest.mark.parametrize("message", ["disk I/O error", "database or disk is full"])
@pytest.mark.parametrize("verb", ["INSERT", "BEGIN"])
def test_a_write_failing_in_the_files_is_store_unavailable_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verb: str, message: str
) -> None:
    store = Store.open(tmp_path)
    store.put_object(BLOB)
    with monkeypatch.context() as patched:
        _fail(patched, store, verb, message)
        with pytest.raises(g.StoreUnavailable) as raised:
            store.put_object(LATER)
    assert raised.value.requirement == "DUR-006.4"
    assert message in str(raised.value)
    _backend(store)._idle.clear()
    assert store.has(g.object_id(BLOB)) and not store.has(g.object_id(LATER))


@pytest.mark.req("DUR-006.4")
def test_a_read_failing_in_the_files_is_store_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(tmp_path)
    oid = store.put_object(BLOB)
    _fail(monkeypatch, store, "SELECT", "disk I/O error")
    with pytest.raises(g.StoreUnavailable):
        store.get_object(oid)
    with pytest.raises(g.StoreUnavailable):
        store.get_ref("names/x")


@pytest.mark.req("DUR-006.4", "DUR-006.3")
def test_a_commit_failing_in_the_files_is_outcome_unknown_and_a_read_settles_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(tmp_path)
    with monkeypatch.context() as patched:
        _fail(patched, store, "COMMIT", "disk I/O error")
        with pytest.raises(g.OutcomeUnknown) as raised:
            store.put_object(LATER)
    assert raised.value.requirement == "DUR-006.4"
    _backend(store)._idle.clear()
    settled = store.has(g.object_id(LATER))
    assert all(store.has(g.object_id(LATER)) == settled for _ in range(3))


@pytest.mark.req("DUR-006.4", "DUR-003")
def test_a_lock_held_past_the_wait_is_store_busy_then_the_write_goes_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT_MS", 50)
    store = Store.open(tmp_path)
    _backend(store)._idle.clear()  # a connection made with the short wait
    holder = sqlite3.connect(_backend(store).path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with pytest.raises(g.StoreBusy) as raised:
            store.put_object(LATER)
        assert raised.value.requirement == "DUR-006.4"
        assert not store.has(g.object_id(LATER))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.put_object(LATER)  # the lock gone, the same write succeeds
    assert store.has(g.object_id(LATER))


@pytest.mark.req("DUR-006.4", "ADP-007")
@pytest.mark.parametrize(
    ("verb", "expected"),
    [
        ("INSERT", "store-unavailable"),
        ("COMMIT", "outcome-unknown"),
        ("SELECT", "store-unavailable"),
    ],
)
def test_through_the_adapter_each_fault_is_its_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verb: str, expected: str
) -> None:
    adapter = ReferenceAdapter()
    opened = adapter.handle({"seq": 1, "cmd": "store-open", "kind": "durable",
                             "path": str(tmp_path)})  # fmt: skip
    handle = opened["store"]
    _fail(monkeypatch, adapter._stores[handle][0], verb, "disk I/O error")
    answer = adapter.handle({"seq": 2, "cmd": "put", "store": handle,
                             "bytes": g.encode_object(LATER).hex()})  # fmt: skip
    assert answer["ok"] is False and answer["error"]["class"] == expected, answer
    assert answer["error"]["requirement"] == "DUR-006.4"
    adapter.close()

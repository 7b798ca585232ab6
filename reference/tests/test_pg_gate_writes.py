"""Writes that take a PostgreSQL store's gate alone — an erasure, a batch — wait for one
another, fail ``outcome-unknown`` when their connection is lost, keep nothing then, and
journal what they swapped (DUR-005.5, DUR-006.2, DUR-006.3, DUR-002, RUN-020.5).

An erasure and a batch each run in one transaction that first takes the gate row alone
(``TAKE_WRITER``), so a writer holding it makes them wait (DUR-005.5: one erases).  A
connection the server ends while such a write runs — waiting at the gate, or between a
batch's statements — is ``outcome-unknown`` (DUR-006.2), never ``store-unavailable``;
the server rolled the transaction back, so reading the store settles it as not made
(DUR-006.3), nothing of the batch kept (DUR-002).  A batch's swaps are journaled before
it commits, so a reader of what moved since a version learns them (RUN-020.5).

No adapter command erases or batches through the suite's fault proxy (``via`` is
``store-open``'s only), and a runtime batches only after a whole commit lost a swap to
another writer, so these are checked here, the loss made by ``pg_terminate_backend``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

import gritwit as g
from gritwit._errors import OutcomeUnknown
from gritwit.store import Store
from gritwit.store._pg_write_sql import TAKE_GATE
from gritwit.store._postgres import PostgresBackend

#: Seconds to wait for a write to show as waiting, or as gone, on the server: a bound on a hang.
WAIT_LIMIT = 30.0


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    with Store.open(pg_url) as opened:
        yield opened


def _backend(store: Store) -> PostgresBackend:
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    return backend


def _until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not done():
        assert time.monotonic() < deadline, f"not within {WAIT_LIMIT} s: {what}"
        time.sleep(0.02)


def _pids(watcher: psycopg.Connection, sql: str, pid: int) -> list[int]:
    return [int(row[0]) for row in watcher.execute(sql, (pid,)).fetchall()]


@pytest.mark.req("DUR-005.5", "DUR-006.2", "DUR-006.3", "RUN-011.2")
def test_an_erasure_waits_at_the_gate_and_lost_there_is_outcome_unknown_and_not_made(
    store: Store,
) -> None:
    backend = _backend(store)
    blob = g.Blob(data=b"to erase while the gate is held")
    oid = store.put_object(blob)
    outcome: list[object] = []

    def erase() -> None:
        try:
            outcome.append(backend.erase(oid, "withdrawn"))
        except Exception as exc:  # the outcome, whatever it is, is checked below
            outcome.append(exc)

    eraser = threading.Thread(target=erase)
    with backend._connect() as holder, backend._connect() as watcher, holder.transaction():
        holder.execute(TAKE_GATE)  # a writer holding the gate alone
        eraser.start()
        holder_pid = holder.info.backend_pid
        blocked = "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))"
        _until(
            lambda: bool(_pids(watcher, blocked, holder_pid)) or not eraser.is_alive(),
            "the erasure to wait for the gate's holder",
        )
        assert eraser.is_alive(), (
            f"DUR-005.5: an erasure waits for a writer holding the gate; it ended: {outcome}"
        )
        (waiting,) = _pids(watcher, blocked, holder_pid)
        watcher.execute("SELECT pg_terminate_backend(%s)", (waiting,))
        eraser.join(WAIT_LIMIT)
    assert not eraser.is_alive() and len(outcome) == 1, "the erasure answered"
    assert isinstance(outcome[0], OutcomeUnknown), (
        "DUR-006.2: an erasure whose connection was lost while it ran is outcome-unknown,"
        f" never store-unavailable or another error: {outcome[0]!r}"
    )
    assert store.tombstone(oid) is None and store.get(oid) == g.encode_object(blob), (
        "DUR-006.3: the erasure lost before its commit is settled as not made"
    )
    assert backend.erase(oid, "withdrawn"), "RUN-011.2: the erasure made again is made"
    assert store.tombstone(oid) == "withdrawn"


@pytest.mark.req("DUR-006.2", "DUR-006.3", "DUR-002", "DUR-005.2")
def test_a_batch_whose_connection_is_lost_midway_is_outcome_unknown_and_keeps_nothing(
    store: Store, pg_url: str
) -> None:
    backend = _backend(store)
    kept = store.put_object(g.Blob(data=b"kept"))
    lost = g.Blob(data=b"put by a batch that is lost")
    oid = g.object_id(lost)
    with (
        backend._connect() as killer,
        pytest.raises(OutcomeUnknown, match=r"DUR-006\.2"),
        store.batch() as batch,
    ):
        batch.put_encoded([(g.encode_object(lost), oid)])
        batch.cas_ref("names/kept", None, kept)
        pid = batch._writes._conn.info.backend_pid  # type: ignore[union-attr]
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        gone = "SELECT pid FROM pg_stat_activity WHERE pid = %s"
        _until(lambda: not _pids(killer, gone, pid), "the batch's connection to end")
        batch.cas_ref("names/lost", None, oid, target=lost)
    with Store.open(pg_url) as reader:
        assert not reader.has(oid), "DUR-002: nothing of the lost batch kept: its object"
        assert reader.get_ref("names/kept") is None and reader.get_ref("names/lost") is None, (
            "DUR-002, DUR-006.3: nothing of the lost batch kept: its swaps"
        )


@pytest.mark.req("RUN-020.5", "DUR-005.5")
def test_a_batchs_swaps_are_journaled_for_a_reader_of_what_moved(two: tuple[Store, Store]) -> None:
    store, reader = two
    first, second = (store.put_object(g.Blob(data=b"batched %d" % i)) for i in range(2))
    since, _ = reader.refs_changed_since(None)
    with store.batch() as batch:
        batch.cas_ref("names/batched/a", None, first)
        batch.cas_ref("names/batched/b", None, second)
        batch.cas_ref("names/batched/a", first, second)
    _, swaps = reader.refs_changed_since(since)
    assert swaps is not None, "RUN-020.5: the swaps since a version just read are known"
    by_ref = {name: [target for ref, target in swaps if ref == name] for name, _ in swaps}
    assert by_ref == {"names/batched/a": [first, second], "names/batched/b": [second]}, (
        "RUN-020.5, DUR-005.5: a reader learns each swap of the batch, each ref's in the"
        f" order they were made: {swaps}"
    )

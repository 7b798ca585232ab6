"""The PostgreSQL store on the engines users grow into (DUR-007, DUR-008).

* the store options of a URL (``gritwit_isolation``, ``gritwit_max_write_bytes``):
  read, stripped before libpq sees them, a misspelt one refused;
* retries (DUR-007.2): a whole transaction is run again on SQLSTATE 40001 / 40P01 with
  bounded, jittered backoff, and only then ``store-busy`` (DUR-007.3); nothing else is
  retried; against the server, a swap whose first attempt meets a concurrent update at
  ``REPEATABLE READ`` and ``SERIALIZABLE`` is retried and swaps once, where
  ``READ COMMITTED`` needs no retry;
* schema creation once and under concurrency: 8 threads and 4 processes open one
  empty schema with ``create=True`` at once, at each level; a complete store is opened
  with one catalog query and no DDL;
* ``settings()`` where a setting does not exist (CockroachDB has no ``fsync``);
* a commit the server refuses at ``COMMIT`` (40001 there, after every statement
  succeeded) is retried whole, a single swap and a whole write alike;
* the largest write (DUR-008): a write of exactly the bound is stored, one byte more is
  refused with ``write-too-large`` before anything is sent, also in a batch and through
  the adapter.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
import pytest

import gritwit as g
from gritwit import StoreBusy, WriteTooLarge
from gritwit.adapter import ReferenceAdapter
from gritwit.store import CasResult, CasStatus, Store
from gritwit.store import _pg_retry as pg_retry
from gritwit.store._pg_schema import GATE, PARTS, STORE_TABLES, open_tables, part_of
from gritwit.store._postgres import PostgresBackend, _show
from gritwit.store._store_options import StoreOptions, split_options

LEVELS = ["read-committed", "repeatable-read", "serializable"]
#: Seconds to wait for a statement to block on a lock: a bound against hangs only.
WAIT_LIMIT = 60.0


def with_options(url: str, **options: str) -> str:
    """``url`` with ``gritwit_<key>=<value>`` parameters added."""
    extra = urlencode({f"gritwit_{k}": v for k, v in options.items()})
    return url + ("&" if "?" in url else "?") + extra


# --- the store options ---------------------------------------------------------------------


@pytest.mark.req("DUR-007.1", "DUR-008")
def test_the_options_are_read_and_stripped() -> None:
    url = "postgresql://app@db/grit?options=-csearch_path%3Dgw1&gritwit_isolation=serializable"
    plain, options = split_options(url + "&gritwit_max_write_bytes=62914560&sslmode=disable")
    assert options == StoreOptions(isolation="serializable", max_write_bytes=62914560)
    assert options.isolation_sql == "SERIALIZABLE"
    assert "gritwit" not in plain
    assert plain.endswith("?options=-csearch_path%3Dgw1&sslmode=disable")
    assert split_options("postgresql://db/x") == ("postgresql://db/x", StoreOptions())
    assert split_options("host=/tmp dbname=x") == ("host=/tmp dbname=x", StoreOptions())
    assert StoreOptions().isolation == "read-committed"
    assert StoreOptions().max_write_bytes == 64 * 2**20  # CockroachDB's, by default (DUR-008)


@pytest.mark.req("DUR-007.1", "DUR-008")
@pytest.mark.parametrize(
    "query",
    [
        "gritwit_isolation=snapshot",
        "gritwit_isolation=",
        "gritwit_isolaton=serializable",  # misspelt: never passes silently
        "gritwit_max_write_bytes=0",
        "gritwit_max_write_bytes=-1",
        "gritwit_max_write_bytes=1.5",
        "gritwit_max_write_bytes=60MiB",
        f"gritwit_max_write_bytes={2**53}",
    ],
)
def test_a_bad_option_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match=r"DUR-00[78]"):
        split_options(f"postgresql://db/x?{query}")


@pytest.mark.req("DUR-008")
def test_the_largest_bound_is_accepted() -> None:
    _, options = split_options(f"postgresql://db/x?gritwit_max_write_bytes={2**53 - 1}")
    assert options.max_write_bytes == 2**53 - 1


# --- retries, without a server -----------------------------------------------------------


class Flaky:
    """A transaction that fails with ``errors`` first, then answers ``"done"``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


@pytest.mark.req("DUR-007.2")
def test_serialization_failures_and_deadlocks_are_retried_with_backoff() -> None:
    before = pg_retry.retries()
    slept: list[float] = []
    flaky = Flaky(*(psycopg.errors.SerializationFailure("x") for _ in range(5)),
                  psycopg.errors.DeadlockDetected("y"))  # fmt: skip
    answer = pg_retry.retrying(
        flaky, attempts=7, base_delay=0.002, max_delay=0.01, rng=lambda: 1.0, sleep=slept.append
    )
    assert answer == "done" and flaky.calls == 7
    assert slept == pytest.approx([0.002, 0.004, 0.008, 0.01, 0.01, 0.01])  # capped
    after = pg_retry.retries()
    assert after["40001"] - before["40001"] == 5 and after["40P01"] - before["40P01"] == 1
    jitter: list[float] = []
    pg_retry.retrying(Flaky(psycopg.errors.SerializationFailure("x")), rng=lambda: 0.25,
                      sleep=jitter.append)  # fmt: skip
    assert jitter == pytest.approx([0.25 * pg_retry.BASE_DELAY])  # full jitter: rng() × cap


@pytest.mark.req("DUR-007.3")
def test_the_last_failure_is_store_busy() -> None:
    flaky = Flaky(*(psycopg.errors.SerializationFailure("x") for _ in range(3)))
    with pytest.raises(StoreBusy) as caught:
        pg_retry.retrying(flaky, attempts=3, sleep=lambda _: None)
    assert flaky.calls == 3
    assert caught.value.error_class == "store-busy" and caught.value.requirement == "DUR-007.3"
    assert isinstance(caught.value.__cause__, psycopg.errors.SerializationFailure)


@pytest.mark.req("DUR-007.2")
@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("server closed the connection unexpectedly"),  # outcome unknown
        psycopg.errors.UniqueViolation("not a transient failure"),
        psycopg.errors.LockNotAvailable("55P03 is not retried"),
    ],
)
def test_nothing_else_is_retried(error: Exception) -> None:
    flaky = Flaky(error)
    with pytest.raises(type(error)):
        pg_retry.retrying(flaky, sleep=lambda _: None)
    assert flaky.calls == 1


@pytest.mark.req("DUR-007.2")
def test_a_retried_method_gets_all_of_a_generator_each_time() -> None:
    seen: list[list[int]] = []

    @pg_retry.retried
    def write(items: Iterator[int]) -> None:
        seen.append(list(items))
        if len(seen) == 1:
            raise psycopg.errors.SerializationFailure("x")

    write(iter([1, 2, 3]))
    assert seen == [[1, 2, 3], [1, 2, 3]]


# --- isolation levels and retries against the server -------------------------------------


@pytest.mark.req("DUR-007", "DUR-007.1")
@pytest.mark.parametrize("level", LEVELS)
def test_every_transaction_runs_at_the_level_asked(pg_url: str, level: str) -> None:
    backend = PostgresBackend(with_options(pg_url, isolation=level))
    try:
        settings = backend.settings()
        assert settings["isolation"] == level
        assert settings["transaction_isolation"] == level.replace("-", " ")  # one statement
        with backend._write() as conn:  # a write transaction
            row = conn.execute("SHOW transaction_isolation").fetchone()
        assert row is not None and row[0] == level.replace("-", " ")
        assert {"retries_40001", "retries_40P01", "fsync", "commits"} <= set(settings)
    finally:
        backend.close()


def _wait_until_blocked(url: str, pid: int) -> None:
    """Until backend ``pid`` waits for a lock (a bound against hangs, nothing timed)."""
    plain, _ = split_options(url)
    deadline = time.monotonic() + WAIT_LIMIT
    with psycopg.connect(plain, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
            if row is not None and row[0] == "Lock":
                return
            time.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited for the writer row")


def swap_behind_a_concurrent_update(url: str) -> tuple[CasResult, int]:
    """A swap whose first attempt waits on its part's row (DUR-005.5), which another
    transaction updates and commits: the result and the 40001 retries it took."""
    store = Store.open(url)
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    blob = store.put(g.encode_object(g.Blob(data=b"behind a concurrent update")))
    with backend._connection() as conn:
        pid = conn.info.backend_pid
    before = backend.retries()["40001"]
    plain, _ = split_options(url)
    holder = psycopg.connect(plain)  # holds the part's row lock until it commits
    holder.execute(
        "UPDATE gritwit_parts SET commits = commits + 1 WHERE part = %s",
        (part_of(b"names/a"),),
    )
    answer: list[CasResult] = []
    swapper = threading.Thread(target=lambda: answer.append(backend.cas_ref("names/a", None, blob)))
    swapper.start()  # takes the pooled connection whose pid is known: it blocks
    try:
        _wait_until_blocked(url, pid)
    finally:
        holder.commit()
        holder.close()
        swapper.join()
    retried = backend.retries()["40001"] - before
    assert store.get_ref("names/a") == blob
    now, swaps = store.refs_changed_since((0,) * PARTS)
    assert sum(now) == 1 and swaps == [("names/a", blob)]  # journaled once
    store.close()
    return answer[0], retried


@pytest.mark.req("DUR-007", "DUR-007.2", "DUR-003", "DUR-005.3")
@pytest.mark.parametrize("level", ["repeatable-read", "serializable"])
def test_a_swap_that_meets_a_concurrent_update_is_retried_whole(pg_url: str, level: str) -> None:
    result, retried = swap_behind_a_concurrent_update(with_options(pg_url, isolation=level))
    assert result.status is CasStatus.SWAPPED
    assert retried >= 1  # the first attempt failed 40001 and was run again


@pytest.mark.req("DUR-007.2", "DUR-003")
def test_read_committed_needs_no_retry_there(pg_url: str) -> None:
    result, retried = swap_behind_a_concurrent_update(pg_url)
    assert result.status is CasStatus.SWAPPED and retried == 0


# --- schema creation ------------------------------------------------------------------------

OPEN_IN_A_PROCESS = """
import sys, time
from gritwit.store import Store
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
Store.open(sys.argv[1], create=True).close()
"""


@pytest.mark.req("DUR-005", "DUR-007", "DUR-007.4")
@pytest.mark.parametrize("level", LEVELS)
def test_many_openers_make_one_store(pg_url: str, level: str) -> None:
    url = with_options(pg_url, isolation=level)
    start = time.time() + 2.0  # every opener starts its open at this moment
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_IN_A_PROCESS, url, repr(start)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def open_one() -> None:
        try:
            barrier.wait()
            time.sleep(max(0.0, start - time.time()))
            Store.open(url, create=True).close()
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert not failures, failures
    assert [p.returncode for p in processes] == [0] * 4, errors
    plain, _ = split_options(url)
    with psycopg.connect(plain) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        writer = conn.execute("SELECT id, commits FROM gritwit_writer ORDER BY id").fetchall()
        parts = conn.execute("SELECT part, version, commits FROM gritwit_parts").fetchall()
    assert sorted(t for (t,) in tables) == sorted(STORE_TABLES)
    # one writer row, journal row and erasure row each, none counted yet: made once
    assert writer == [(1, 0), (2, 0), (3, 0)]
    # the gate and a row per part (DUR-005.5), each once, none counted yet
    assert sorted(parts) == [(part, 0, 0) for part in range(GATE, PARTS)]


class Recorder:
    """A connection that records each statement it runs."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.statements: list[str] = []

    def execute(self, sql: str, params: Any = None) -> Any:
        self.statements.append(sql)
        return self.conn.execute(sql, params)


@pytest.mark.req("DUR-007.4")
def test_a_complete_store_is_opened_with_one_read_and_no_ddl(pg_url: str) -> None:
    Store.open(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        recorder = Recorder(conn)
        assert open_tables(recorder, create=True) is True  # type: ignore[arg-type]
        assert len(recorder.statements) == 1 and "information_schema" in recorder.statements[0]
        conn.execute("DROP TABLE ref_journal_parts")  # a store made before the parts
        recorder.statements.clear()
        assert open_tables(recorder, create=False) is True  # type: ignore[arg-type]
        assert any("ref_journal_parts" in s for s in recorder.statements)
        conn.execute("DROP TABLE refs")
        recorder.statements.clear()
        assert open_tables(recorder, create=False) is False  # type: ignore[arg-type]
        assert len(recorder.statements) == 1  # refused, nothing made


# --- settings() where a setting does not exist ---------------------------------------------


class NoSuchSetting:
    """A server without ``fsync`` (CockroachDB): ``SHOW fsync`` is an undefined object."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)

    def execute(self, sql: str, params: Any = None) -> Any:
        if sql in ("SHOW fsync", "SHOW full_page_writes"):
            raise psycopg.errors.UndefinedObject(f"unrecognized configuration parameter: {sql}")
        return self.conn.execute(sql, params)


@pytest.mark.req("DUR-004", "DUR-007.1")
def test_settings_say_unknown_where_a_setting_is_missing(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert _show(conn, "gritwit_no_such_setting") == "unknown"  # the server's own refusal
        assert _show(conn, "synchronous_commit") == "on"  # the connection is still good
    real: Callable[[PostgresBackend], Any] = PostgresBackend._connect
    monkeypatch.setattr(PostgresBackend, "_connect", lambda self: NoSuchSetting(real(self)))
    backend = PostgresBackend(pg_url)
    try:
        settings = backend.settings()
    finally:
        backend.close()
    assert settings["fsync"] == "unknown" and settings["full_page_writes"] == "unknown"
    assert settings["synchronous_commit"] == "on" and settings["isolation"] == "read-committed"


# --- the largest write (DUR-008) -------------------------------------------------------------


def oid_of(encoded: bytes) -> g.ObjectId:
    """The id of an object's encoding."""
    return g.object_id(g.decode_object(encoded))


def blob_of_size(size: int, salt: bytes = b"") -> bytes:
    """A blob's encoding of exactly ``size`` bytes."""
    for data_len in range(size, max(-1, size - 64), -1):
        data = (salt + b"x" * size)[:data_len]
        encoded = g.encode_object(g.Blob(data=data))
        if len(encoded) == size:
            return encoded
    raise AssertionError(f"no blob encodes to {size} bytes")


@pytest.mark.req("DUR-008.1", "DUR-008.2", "DUR-002")
def test_a_write_past_the_bound_is_refused_before_it_is_sent(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = 4096
    with Store.open(with_options(pg_url, max_write_bytes=str(bound))) as store:
        backend = store.backend
        assert isinstance(backend, PostgresBackend)
        exact = blob_of_size(bound)
        assert store.has(store.put(exact))  # exactly the bound: stored
        commits = backend.settings()["commits"]
        over = blob_of_size(bound + 1)
        with (
            monkeypatch.context() as patched,
            pytest.raises(WriteTooLarge, match=r"DUR-008\.1") as caught,
        ):
            patched.setattr(PostgresBackend, "_write", None)  # no transaction may begin
            store.put(over)
        assert caught.value.error_class == "write-too-large"
        assert not store.has(oid_of(over))
        assert backend.settings()["commits"] == commits
        half = blob_of_size(bound // 2 + 1, b"a")
        other = blob_of_size(bound // 2 + 1, b"b")
        with pytest.raises(WriteTooLarge), store.batch() as batch:  # two halves, one write
            batch.put_encoded([(half, oid_of(half))])
            batch.put_encoded([(other, oid_of(other))])
        assert not store.has(oid_of(half))  # the whole batch is gone
        with pytest.raises(WriteTooLarge):
            store.put_encoded_then_cas(
                [(half, oid_of(half)), (other, oid_of(other))],
                "names/a", None, oid_of(half), target=g.decode_object(half),
            )  # fmt: skip
        assert store.get_ref("names/a") is None
    with Store.open(pg_url) as default:  # the same store without the option: 64 MiB
        default.put(over)


@pytest.mark.req("DUR-008.1", "DUR-008.2", "ADP-010.6")
def test_the_adapter_answers_write_too_large(pg_database: str, tmp_path: Path) -> None:
    adapter = ReferenceAdapter(store_url=with_options(pg_database, max_write_bytes="100"))
    try:
        opened = adapter.handle({"seq": 1, "cmd": "store-open", "kind": "durable",
                                 "path": str(tmp_path)})  # fmt: skip
        store = opened["store"]
        fits = adapter.handle({"seq": 2, "cmd": "put", "store": store,
                               "bytes": blob_of_size(100).hex()})  # fmt: skip
        assert fits["ok"], fits
        refused = adapter.handle({"seq": 3, "cmd": "put", "store": store,
                                  "bytes": blob_of_size(101).hex()})  # fmt: skip
        assert refused["error"]["class"] == "write-too-large", refused
        assert refused["error"]["requirement"] == "DUR-008.1"
    finally:
        adapter.close()


# --- a commit the server refuses at COMMIT ---------------------------------------------------

FAIL_AT_COMMIT = (
    "CREATE SEQUENCE gritwit_test_commits",
    "CREATE FUNCTION gritwit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN IF nextval('gritwit_test_commits') = 1 THEN"
    " RAISE EXCEPTION 'canceled on commit attempt (a test''s trigger)' USING ERRCODE = '40001';"
    " END IF; RETURN NULL; END $$",
    "CREATE CONSTRAINT TRIGGER gritwit_test_refuse AFTER INSERT OR UPDATE ON refs"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gritwit_test_refuse()",
)


@pytest.mark.req("DUR-007.2", "DUR-005.4", "RUN-017.2")
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("swaps", [1, 3])
def test_a_commit_refused_at_commit_is_retried_whole(pg_url: str, level: str, swaps: int) -> None:
    """A write whose statements all succeed and whose commit the server then refuses
    with 40001 (as ``SERIALIZABLE`` does: "canceled on commit attempt"; here a deferred
    trigger refuses the first commit that swaps a ref) is run again whole and swaps
    once: a single swap and a whole write, with the wake-up (RUN-020.6) in the same
    pipeline.  A whole write once committed implicitly at the pipeline's Sync, and
    psycopg, not expecting an answer there, could not leave the pipeline ("cannot exit
    pipeline mode while busy", a class ``internal`` fault, not retried)."""
    url = with_options(pg_url, isolation=level)
    store = Store.open(url)
    try:
        plain, _ = split_options(url)
        with psycopg.connect(plain, autocommit=True) as conn:
            for statement in FAIL_AT_COMMIT:
                conn.execute(statement)
        blobs = [g.encode_object(g.Blob(data=b"refused at commit %d" % i)) for i in range(swaps)]
        ids = [g.object_id(g.decode_object(blob)) for blob in blobs]
        names = [f"names/refused/{i}" for i in range(swaps)]
        backend = store.backend
        assert isinstance(backend, PostgresBackend)
        before = backend.retries()["40001"]
        if swaps == 1:
            objects = zip(ids, blobs, strict=True)
            result = backend.insert_many_then_cas(objects, names[0], None, ids[0])
            assert result.status is CasStatus.SWAPPED
        else:
            changes = [(name, None, oid) for name, oid in zip(names, ids, strict=True)]
            swapped = backend.commit_all(zip(ids, blobs, strict=True), changes)
            assert swapped is True
        assert backend.retries()["40001"] - before == 1  # refused once, run again once
        assert [store.get_ref(name) for name in names] == ids
        _, journaled = store.refs_changed_since((0,) * PARTS)
        assert sorted(journaled) == sorted(zip(names, ids, strict=True))  # each swap journaled once
        store.put(g.encode_object(g.Blob(data=b"the connection is usable again")))
    finally:
        store.close()


@pytest.mark.req("RUN-017.2", "DUR-005.4")
@pytest.mark.parametrize("level", LEVELS)
def test_a_whole_write_whose_loss_is_read_early_fails_cleanly(
    pg_url: str, level: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole write whose lost swap psycopg reads while the pipeline is still being
    sent (a large write fills its buffer, or a loaded client is slow; here the wake-up
    is sent late, after the server answered the rest) is refused whole: ``commit_all``
    answers ``False``, nothing is kept, the driver logs no "error ignored" warning, and
    the connection serves the next write."""
    from gritwit.store import _pg_commit

    store = Store.open(with_options(pg_url, isolation=level))
    try:
        backend = store.backend
        assert isinstance(backend, PostgresBackend)
        first = store.put(g.encode_object(g.Blob(data=b"the ref's value")))
        store.cas_ref("names/taken", None, first)
        blobs = [g.encode_object(g.Blob(data=b"whole %d" % i)) for i in range(3)]
        ids = [g.object_id(g.decode_object(blob)) for blob in blobs]
        swaps = [(f"names/whole/{i}", None, oid) for i, oid in enumerate(ids)]
        wake = _pg_commit.wake
        monkeypatch.setattr(_pg_commit, "wake", lambda conn, channel: _late(wake, conn, channel))
        with caplog.at_level("WARNING", logger="psycopg"):
            lost = [*swaps, ("names/taken", None, ids[0])]  # names/taken is set
            assert backend.commit_all(zip(ids, blobs, strict=True), lost) is False
        assert not [r for r in caplog.records if r.name.startswith("psycopg")], caplog.text
        assert not any(store.has(oid) for oid in ids)
        assert store.get_ref("names/taken") == first and store.get_ref("names/whole/0") is None
        assert backend.commit_all(zip(ids, blobs, strict=True), swaps) is True
        assert store.get_ref("names/whole/2") == ids[2]
    finally:
        store.close()


def _late(wake: Callable[..., None], conn: Any, channel: str) -> None:
    """``wake`` once the server has answered what the pipeline sent before it."""
    conn.pgconn.flush()
    time.sleep(0.5)  # not measured: the server's answers are in by then on any machine
    wake(conn, channel)


@pytest.mark.req("DUR-007.2", "DUR-005.4", "RUN-020.5")
def test_reads_the_server_cancels_are_run_again(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At ``SERIALIZABLE`` the server may cancel a read-only transaction with 40001
    ("canceled on conflict out to pivot": an ``rt-run`` of CI's kill family answered
    ``internal`` from its journal read).  The journal read and each page of the paged
    reads (:mod:`gritwit.store._pg_pages`) are run again, as writes are."""
    from gritwit.store import _pg_ahead, _pg_pages

    store = Store.open(with_options(pg_url, isolation="serializable"))
    try:
        backend = store.backend
        assert isinstance(backend, PostgresBackend)
        oid = store.put_object(g.Blob(data=b"read in pages"))
        store.cas_ref("names/paged", None, oid)
        version, _ = store.refs_changed_since(None)
        store.cas_ref("names/paged", oid, oid)  # a swap to read from the journal
        refusals = {"journal": 1, "page": 3}

        def refused(kind: str, real: Callable[..., Any]) -> Callable[..., Any]:
            def call(*args: Any, **kwargs: Any) -> Any:
                if refusals[kind]:
                    refusals[kind] -= 1
                    raise psycopg.errors.SerializationFailure("canceled on conflict out to pivot")
                return real(*args, **kwargs)

            return call

        monkeypatch.setattr(_pg_ahead, "read_changes", refused("journal", _pg_ahead.read_changes))
        monkeypatch.setattr(_pg_pages, "_page", refused("page", _pg_pages._page))
        before = backend.retries()["40001"]
        _, swaps = store.refs_changed_since(version)
        assert swaps == [("names/paged", oid)]
        assert backend.read_many([oid]) == {oid: g.encode_object(g.Blob(data=b"read in pages"))}
        assert backend.tombstones_many([oid]) == {}
        assert oid in set(backend.ids())
        assert refusals == {"journal": 0, "page": 0}
        assert backend.retries()["40001"] - before == 4  # each refused once, run again once
    finally:
        store.close()

"""The PostgreSQL store on the engines that scale out (DUR-005.6, DUR-006.5, DUR-008).

SQL they accept (DUR-005.6): no statement modifies a table twice.

CockroachDB refuses such a statement (SQLSTATE ``0A000``); there is no CockroachDB here,
so the shape is judged on what the store sends a PostgreSQL server that logs every
statement (``sql_shape.py``): the store's own operations, each kind of write, and a
runtime's workload in a process of its own (``runtime_workload.py``).  The heavy twin,
``test_postgres_conform.py``, judges everything the conformance suite's store and runtime
profiles send.  The checker itself is tried on both sides first: a test of a shape that
cannot fail proves nothing.

A server that cannot end a write whose client is gone is not opened silently (DUR-006.5),
and CockroachDB's write limit, 64 MiB, is the bound without an option (DUR-008).
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sql_shape import log_statements, logged, modified, twice
from test_postgres_portable import oid_of

import gritwit as g
from gritwit import WriteTooLarge
from gritwit.runtime import erase_blob
from gritwit.store import (
    CasStatus,
    Store,
    UnsettledWarning,
    _pg_commit,
    _pg_session,
    _pg_write_sql,
    create_schema,
)
from gritwit.store._postgres import JOURNAL_KEPT, JOURNAL_PRUNE_EVERY, PostgresBackend

HERE = Path(__file__).parent

#: The single swap's statement as it was before DUR-005.6: the journal's row inserted and
#: the journal pruned in one statement (``j`` and ``p``), which CockroachDB refuses.
BEFORE_ONE = """
WITH ok AS (SELECT $1::bytea IS NULL AS present),
s AS (UPDATE refs SET target = $1 WHERE name = $2 AND target = $3 RETURNING 1),
v AS (UPDATE gritwit_parts SET version = version + 1 WHERE part = $4 RETURNING version),
j AS (INSERT INTO ref_journal_parts (part, version, name, target)
      SELECT $4, version, $2, $1 FROM v),
p AS (DELETE FROM ref_journal_parts WHERE part = $4 AND version <= (SELECT version FROM v) - 8)
SELECT EXISTS (SELECT 1 FROM s)
"""
#: The group commit's shape before: refs updated, inserted and deleted in one statement.
BEFORE_WHOLE = """
WITH upd AS (UPDATE refs SET target = ok.new FROM ok WHERE refs.name = ok.name RETURNING 1),
ins AS (INSERT INTO refs (name, target) SELECT name, new FROM ok ON CONFLICT (name) DO NOTHING
        RETURNING 1),
del AS (DELETE FROM refs USING ok WHERE refs.name = ok.name RETURNING 1)
SELECT 1
"""


@pytest.mark.req("DUR-005.6")
def test_the_checker_finds_a_table_modified_twice() -> None:
    assert twice(BEFORE_ONE) == ["ref_journal_parts"]
    assert twice(BEFORE_WHOLE) == ["refs"]
    assert twice("WITH a AS (DELETE FROM s.t RETURNING 1) UPDATE t SET x = 1") == ["t"]
    assert twice('UPDATE "Refs" SET a = 1; DELETE FROM "Refs"') == ["refs"]


@pytest.mark.req("DUR-005.6")
def test_the_checker_passes_what_is_no_second_modification() -> None:
    one = [
        # a lock and an update of one table; an upsert's own update
        "WITH l AS (SELECT part FROM t WHERE part = 1 FOR UPDATE) UPDATE t SET v = 1",
        "WITH l AS (SELECT 1 FROM t FOR NO KEY UPDATE) DELETE FROM t",
        "INSERT INTO o (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET id = excluded.id",
        # the words inside a string or a comment
        "UPDATE t SET note = 'UPDATE t SET x = 1' -- DELETE FROM t\n",
        "/* INSERT INTO t */ INSERT INTO t VALUES (1)",
    ]
    for sql in one:
        assert twice(sql) == [], sql
        assert sum(modified(sql).values()) == 1, sql


_VERBS = ("INSERT INTO {t} (a) SELECT 1", "UPDATE {t} SET a = 1", "DELETE FROM {t}")
_NOISE = (
    "SELECT 1 FROM {t} FOR UPDATE",
    "SELECT 'UPDATE {t} SET a = 1'",
    "SELECT 1 FROM {t} FOR NO KEY UPDATE",
)


@pytest.mark.req("DUR-005.6")
@given(
    pieces=st.lists(
        st.tuples(st.booleans(), st.integers(0, 2), st.sampled_from(["a", "b", "refs"])),
        min_size=1,
        max_size=6,
    )
)
def test_the_checker_counts_each_tables_modifications(
    pieces: list[tuple[bool, int, str]],
) -> None:
    """Common table expressions of modifications and of noise, in any order: the tables
    named in two or more modifications, and only those, are found."""
    ctes = [
        f"c{i} AS ({(_VERBS if real else _NOISE)[verb].format(t=table)} RETURNING 1)"
        for i, (real, verb, table) in enumerate(pieces)
    ]
    sql = "WITH " + ",\n  ".join(ctes) + "\nSELECT 1"
    counts: dict[str, int] = {}
    for real, _, table in pieces:
        counts[table] = counts.get(table, 0) + (1 if real else 0)
    assert twice(sql) == sorted(t for t, n in counts.items() if n > 1)


@pytest.mark.req("DUR-005.6")
def test_no_statement_of_a_write_modifies_a_table_twice() -> None:
    """Every statement text of a write (``_pg_write_sql``), each kind of single swap too."""
    texts = {
        name: getattr(_pg_write_sql, name)
        for name in _pg_write_sql.__all__
        if isinstance(getattr(_pg_write_sql, name), str)
    }
    for kind, change in _pg_write_sql.CHANGE.items():
        texts[f"SWAP_ONE {kind}"] = _pg_write_sql.SWAP_ONE.format(change=change)
    assert {"WHOLE", "WHOLE_INSERT", "WHOLE_DELETE", "WHOLE_JOURNAL", "GATE_AND_PART"} <= set(texts)
    bad = {name: twice(sql) for name, sql in texts.items() if twice(sql)}
    assert not bad, bad


def blob_of_size(size: int, salt: bytes) -> bytes:
    """A blob's encoding of exactly ``size`` bytes, up to the largest object (ENC-013.2):
    the data 64 bytes short first, then as much longer as the encoding fell short."""
    data = salt + b"x" * size
    short = len(g.encode_object(g.Blob(data=data[: size - 64])))
    encoded = g.encode_object(g.Blob(data=data[: size - 64 + size - short]))
    assert len(encoded) == size
    return encoded


def _blob(text: str) -> g.Blob:
    return g.Blob(data=text.encode())


def _store_workload(url: str) -> None:
    """Every kind of write and read the store makes, on a new store at ``url``."""
    with Store.open(create_schema(url)) as store:
        a, b, c, d = (store.put_object(_blob(f"shape {i}")) for i in range(4))
        store.put_objects([_blob("several"), _blob("at once")])
        store.cas_ref("names/a", None, a)  # set
        store.cas_ref("names/a", a, b)  # moved
        store.cas_ref("names/a", b, None)  # deleted
        store.cas_ref("names/none", None, None)  # unset to unset
        for name in ("names/u", "names/d"):
            store.cas_ref(name, None, a)
        blobs = [_blob(f"group {i}") for i in range(3)]
        pairs = [(g.encode_object(o), g.object_id(o)) for o in blobs]
        swaps = [
            ("names/u", a, g.object_id(blobs[0]), blobs[0]),  # moved
            ("names/n", None, g.object_id(blobs[1]), blobs[1]),  # set
        ]
        assert store.commit_all(pairs, swaps)
        lost = [swaps[0], ("names/y", None, g.object_id(blobs[1]), blobs[1])]  # u moved since
        assert not store.commit_all(pairs[:2], lost)
        # a whole write that deletes too (the runtime's group commits never do)
        backend = store.backend
        assert isinstance(backend, PostgresBackend)
        deletes: list[_pg_commit.Swap] = [
            ("names/d", a, None),
            ("names/n", g.object_id(blobs[1]), None),
        ]
        with backend._connection() as conn:
            kept = (JOURNAL_KEPT, JOURNAL_PRUNE_EVERY)
            results, _ = _pg_commit.run(conn, [], deletes, journal=kept, whole=True)
        assert [r.status for r in results] == [CasStatus.SWAPPED] * 2
        assert store.get_ref("names/d") is None and store.get_ref("names/n") is None
        blob = _blob("encoded")
        store.put_encoded_then_cas(
            [(g.encode_object(blob), g.object_id(blob))],
            "names/e",
            None,
            g.object_id(blob),
            target=blob,
        )
        with store.batch() as batch:
            inside = _blob("in a batch")
            batch.put_encoded([(g.encode_object(inside), g.object_id(inside))])
            batch.cas_ref("names/b", None, d)
            batch.cas_ref("names/e", g.object_id(blob), c)
        assert erase_blob(store, c, "shape test")
        store.refs_changed_since(None)
        store.list_ref_targets("names/")
        store.get_many([a, b, d])
        store.wait_for_swaps(0.01)
        assert store.verify().objects > 0


@pytest.mark.slow
@pytest.mark.req("DUR-005.6", "DUR-005.4")
def test_what_the_store_and_a_runtime_send_modifies_no_table_twice(
    pg_cluster: Any, tmp_path: Path
) -> None:
    url = pg_cluster.create_database()
    log_statements(pg_cluster.url(), urlsplit(url).path.lstrip("/"))
    log = pg_cluster.root / "server.log"
    start = log.stat().st_size
    _store_workload(url)
    runtime = subprocess.run(
        [sys.executable, str(HERE / "runtime_workload.py"), create_schema(url), "120"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert runtime.returncode == 0 and "done" in runtime.stdout, runtime.stderr[-2000:]
    with open(log, encoding="utf-8", errors="replace") as text:
        text.seek(start)
        statements = logged(text.read())
    names = {name for name, _ in statements}
    for name in (  # each kind of write was sent, so each was judged
        "gritwit_whole",
        "gritwit_whole_insert",
        "gritwit_whole_delete",
        "gritwit_whole_journal",
        "gritwit_whole_journal_plain",
        "gritwit_gate_and_part",
        "gritwit_swap_update",
        "gritwit_swap_insert",
        "gritwit_swap_delete",
    ):
        assert name in names, (name, sorted(n for n in names if n))
    assert len(statements) > 100, len(statements)
    bad = [(name, twice(sql), sql[:300]) for name, sql in statements if twice(sql)]
    assert not bad, bad[:3]


def _sixteens() -> list[bytes]:
    """Four objects of 64 MiB less 100 bytes together (the largest object is 16 MiB,
    ENC-013.2)."""
    sixteen = 16 * 2**20
    whole = [blob_of_size(sixteen, b"%d" % i) for i in range(3)]
    return [*whole, blob_of_size(sixteen - 100, b"3")]


@pytest.mark.slow
@pytest.mark.req("DUR-008", "DUR-008.1")
def test_one_byte_past_the_engines_limit_is_refused_without_an_option(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No option: a write of 64 MiB and a byte of objects is refused before anything of
    it is sent (CockroachDB's limit is the default, not an opt-in)."""
    with Store.open(pg_url) as store:
        over = [*_sixteens(), blob_of_size(101, b"over")]
        assert sum(map(len, over)) == 64 * 2**20 + 1
        with (
            monkeypatch.context() as patched,
            pytest.raises(WriteTooLarge, match=r"DUR-008\.1"),
        ):
            patched.setattr(PostgresBackend, "_write", None)  # no transaction may begin
            store.put_encoded([(blob, oid_of(blob)) for blob in over])
        assert not store.has(oid_of(over[-1]))


@pytest.mark.heavy
@pytest.mark.req("DUR-008", "DUR-008.2")
def test_a_write_of_exactly_the_engines_limit_is_stored_without_an_option(pg_url: str) -> None:
    """No option: a write of exactly 64 MiB of objects is stored (29 s on a loaded
    machine: heavy)."""
    exact = [*_sixteens(), blob_of_size(100, b"exact")]
    assert sum(map(len, exact)) == 64 * 2**20
    with Store.open(pg_url) as store:
        store.put_encoded([(blob, oid_of(blob)) for blob in exact])
        assert all(store.has(oid_of(blob)) for blob in exact)


@pytest.mark.req("DUR-006.5")
def test_a_server_that_cannot_end_a_gone_clients_write_is_not_opened_silently(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL 15 here checks a running statement's client: opening warns of nothing,
    and ``settings()`` reads the interval back.  A server without the setting (named as
    one the server does not know, as PostgreSQL 13, CockroachDB and YugabyteDB answer
    it: ``42704``/``0A000``) is opened with :class:`UnsettledWarning`, naming DUR-006.5."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnsettledWarning)
        with Store.open(pg_url) as store:
            backend = store.backend
            assert isinstance(backend, PostgresBackend)
            assert backend.settings()[_pg_session.CLIENT_CHECK] == "100ms"
    monkeypatch.setattr(_pg_session, "CLIENT_CHECK", "gritwit_no_client_check")
    with pytest.warns(UnsettledWarning, match=r"DUR-006\.5.*gritwit_no_client_check is unknown"):
        Store.open(pg_url).close()

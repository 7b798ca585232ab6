"""What the PostgreSQL backend keeps of the objects its journal read brings along (DUR-005.4).

:mod:`gritwit.store._pg_ahead` keeps only steps and mailboxes, told by their first bytes,
because only a blob is ever erased (RUN-011.6): a kept copy must never be one an
erasure could outdate.  These check the test of the first bytes against every kind of
object, each served once, and the bound on bytes.  The round trips it saves are counted
in ``test_pg_round_trips.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit.store import _pg_ahead
from gritwit.store._pg_schema import PARTS

ids = st.binary(min_size=32, max_size=32).map(g.ObjectId)
optional_ids = st.none() | ids


@pytest.mark.req("RUN-011.6", "DUR-005.4")
@given(
    actor=ids,
    core=ids,
    previous=optional_ids,
    inbox=optional_ids,
    outbox=optional_ids,
    entries=st.dictionaries(ids, ids, min_size=1, max_size=4),
    data=st.binary(max_size=200),
)
def test_only_steps_and_mailboxes_are_kept(
    actor: g.ObjectId,
    core: g.ObjectId,
    previous: g.ObjectId | None,
    inbox: g.ObjectId | None,
    outbox: g.ObjectId | None,
    entries: dict[g.ObjectId, g.ObjectId],
    data: bytes,
) -> None:
    step = g.Step(actor=actor, core=core, previous=previous, inbox=inbox, outbox=outbox)
    assert _pg_ahead.keepable(g.encode_object(step))
    assert _pg_ahead.keepable(g.encode_object(g.Mailbox(entries=entries)))
    # a chain's top (OBJ-013, WIT-009.5): kept as well
    assert _pg_ahead.keepable(g.encode_object(g.Mailbox(entries=entries, base=core)))
    # a blob can be erased: never kept, whatever its bytes (even a step's encoding)
    assert not _pg_ahead.keepable(g.encode_object(g.Blob(data=data)))
    disguised = g.Blob(data=g.encode_object(step))
    assert not _pg_ahead.keepable(g.encode_object(disguised))
    tree = g.Tree(entries={"a": actor})
    assert not _pg_ahead.keepable(g.encode_object(tree))


@pytest.mark.req("DUR-005.4")
def test_each_copy_is_served_once_and_the_bytes_are_bounded() -> None:
    steps = [
        g.Step(actor=g.object_id(g.Blob(data=b"%d" % i)), core=g.object_id(g.Blob(data=b"c")))
        for i in range(3)
    ]
    encoded = [g.encode_object(step) for step in steps]
    oids = [g.object_id(step) for step in steps]
    blob = g.encode_object(g.Blob(data=b"erasable"))
    ahead = _pg_ahead.ReadAhead()
    found = [(oid.digest, data) for oid, data in zip(oids, encoded, strict=True)]
    ahead.replace([*found, (g.object_id(g.decode_object(blob)).digest, blob), (None, None)])
    assert ahead.take([oids[0], g.object_id(g.decode_object(blob))]) == {oids[0]: encoded[0]}
    assert ahead.take([oids[0]]) == {}  # served once
    ahead.replace(found[2:])  # the next journal read replaces what was kept
    assert ahead.take(oids) == {oids[2]: encoded[2]}
    big = g.Mailbox(entries={g.object_id(g.Blob(data=b"r%d" % i)): oids[0] for i in range(60_000)})
    big_encoded = g.encode_object(big)
    assert len(big_encoded) > _pg_ahead.AHEAD_KEPT // 2
    twice = [(g.object_id(big).digest, big_encoded)] * 2 + found[:1]
    ahead.replace(twice)
    kept = ahead.take([g.object_id(big), oids[0]])
    assert kept == {g.object_id(big): big_encoded, oids[0]: encoded[0]}


@pytest.mark.req("DUR-005.4")
def test_own_swaps_are_not_read_ahead_others_are(pg_database: str) -> None:
    """A journal read brings along the steps another process swapped in, not those this
    process swapped in itself (it built them): a store's own ``cas`` leaves nothing read
    ahead, another store's does."""
    from gritwit.store import Store, create_schema
    from gritwit.store._postgres import PostgresBackend

    url = create_schema(pg_database)
    mine, theirs = Store.open(url), Store.open(url, create=False)
    try:
        backend = mine.backend
        assert isinstance(backend, PostgresBackend)
        version, _ = mine.refs_changed_since(None)
        core = mine.put_object(g.Blob(data=b"core"))
        steps = [g.Step(actor=g.object_id(g.Blob(data=b"a%d" % i)), core=core) for i in range(2)]
        ids = [mine.put_object(step) for step in steps]
        mine.backend.cas_ref("names/mine", None, ids[0])
        theirs.backend.cas_ref("names/theirs", None, ids[1])
        version, swaps = mine.refs_changed_since(version)
        assert swaps is not None and len(swaps) == 2
        ahead = backend._ahead.take(ids)
        assert ahead == {ids[1]: g.encode_object(steps[1])}  # theirs only
    finally:
        mine.close()
        theirs.close()


@pytest.mark.req("DUR-005.4", "REF-004.2")
def test_own_steps_stored_with_their_swap_are_not_read_ahead(pg_database: str) -> None:
    """As a ``cas``, a write of objects and a swap together (a transition's commit,
    RUN-001) leaves its own new step unread ahead, and another store's is read ahead;
    such a write that swaps a ref to none (no new target) is made as any swap."""
    from gritwit.store import CasStatus, Store, create_schema
    from gritwit.store._postgres import PostgresBackend

    url = create_schema(pg_database)
    mine, theirs = Store.open(url), Store.open(url, create=False)
    try:
        backend = mine.backend
        assert isinstance(backend, PostgresBackend)
        version, _ = mine.refs_changed_since(None)
        core = mine.put_object(g.Blob(data=b"core"))
        steps = [g.Step(actor=g.object_id(g.Blob(data=b"b%d" % i)), core=core) for i in range(2)]
        ids = [g.object_id(step) for step in steps]
        for store, step, oid, name in zip(
            (mine, theirs), steps, ids, ("names/mine", "names/theirs"), strict=True
        ):
            store.put_encoded_then_cas([(g.encode_object(step), oid)], name, None, oid, target=step)
        version, swaps = mine.refs_changed_since(version)
        assert swaps is not None and len(swaps) == 2
        ahead = backend._ahead.take(ids)
        assert ahead == {ids[1]: g.encode_object(steps[1])}  # theirs only
        result = backend.insert_many_then_cas([], "names/mine", ids[0], None)
        assert result.status is CasStatus.SWAPPED and mine.get_ref("names/mine") is None
    finally:
        mine.close()
        theirs.close()


@pytest.mark.req("DUR-005.4")
def test_own_targets_are_taken_once_and_bounded() -> None:
    ahead = _pg_ahead.ReadAhead()
    ahead.made([b"a", b"b"])
    ahead.made(b"%d" % i for i in range(_pg_ahead.OWN_KEPT + 10))
    own = ahead.own()
    assert own[:2] == [b"a", b"b"] and len(own) == _pg_ahead.OWN_KEPT
    assert ahead.own() == []  # taken by the journal read it was for


@pytest.mark.req("DUR-005.4", "RUN-020.5")
def test_the_journal_read_looks_rows_up_by_index(pg_database: str) -> None:
    """The journal read reads each part's new rows by the journal's key and each object
    read ahead by its id: its plan scans neither the objects nor the journal whole (a
    plan that did read every object and journal row each time, 1.5 ms of the server's
    CPU a read at 1,800 objects).  The plan is looked at, not timed."""
    import psycopg

    from gritwit.store import Store, create_schema
    from gritwit.store._postgres import JOURNAL_KEPT
    from gritwit.store._store_options import split_options

    url = create_schema(pg_database)
    store = Store.open(url)
    try:
        blobs = [g.Blob(data=b"object %d" % i) for i in range(3000)]
        ids = store.put_objects(blobs)
        for i in range(600):
            store.backend.cas_ref(f"names/j{i % 150}", None if i < 150 else ids[i - 150], ids[i])
        version, _ = store.refs_changed_since(None)
        since = [max(0, v - 2) for v in version]
        plain, _ = split_options(url)
        with psycopg.connect(plain) as conn:
            conn.execute("ANALYZE")
            (plan,) = conn.execute(
                "EXPLAIN (FORMAT JSON) " + _pg_ahead.CHANGES,
                {
                    "since": since,
                    "kept": JOURNAL_KEPT,
                    "rows": 256,
                    "one": 8192,
                    "own": [],
                    "mine": list(range(PARTS)),
                    "notes": False,
                },
            ).fetchone()
    finally:
        store.close()
    scans = list(_nodes(plan[0]["Plan"]))
    whole = [n for n in scans if n.get("Node Type") == "Seq Scan"]
    assert not [n for n in whole if n.get("Relation Name") in ("objects", "ref_journal_parts")], (
        whole
    )
    assert any(n.get("Relation Name") == "ref_journal_parts" for n in scans)


def _nodes(node: dict[str, object]) -> Iterator[dict[str, object]]:
    yield node
    for child in node.get("Plans", ()):  # type: ignore[union-attr]
        yield from _nodes(child)  # type: ignore[arg-type]


@pytest.mark.req("DUR-005.4")
def test_each_connection_keeps_one_plan_per_prepared_statement(pg_database: str) -> None:
    """The backend's connections plan a prepared statement once (``plan_cache_mode``),
    so the journal read repeated every run is not planned again each time."""
    from gritwit.store import Store, create_schema
    from gritwit.store._postgres import PostgresBackend

    store = Store.open(create_schema(pg_database))
    try:
        backend = store.backend
        assert isinstance(backend, PostgresBackend)
        with backend._connection() as conn:
            (mode,) = conn.execute("SHOW plan_cache_mode").fetchone()  # type: ignore[misc]
    finally:
        store.close()
    assert mode == "force_generic_plan"

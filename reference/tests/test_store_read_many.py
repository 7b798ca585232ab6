"""Reads in pages: ``Store.get_many`` / ``get_each`` against ``get`` of each id, and
``runtime verify`` on PostgreSQL in a few statements (STO-003, STO-004, RUN-009, RUN-010,
RUN-011, DUR-005).

* a property, on the memory, SQLite and PostgreSQL stores: for any ids — stored,
  absent, erased, corrupt (a bit flipped, as the adapter's ``store-corrupt`` does),
  repeated — and any page bounds (patched small, so pages split by count and by
  bytes), ``get_each`` gives each id what ``get`` gives it, and ``get_many`` returns
  them all or raises what ``get`` raises for the first bad id in order;
* the same content (counters, a fork, an erased blob, a corrupt object) verified on
  PostgreSQL and on SQLite gives the same reports (``Store.verify``, ``check_runtime``,
  ``verify_actor`` of each actor) and the same export answers;
* ``runtime verify``'s reads on PostgreSQL are counted (every statement psycopg
  executes): far fewer statements than objects, where one per object was the rule.

PostgreSQL tests skip where the server or psycopg is missing (``pg_server.py``).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit.adapter._handler import corrupt_stored_object
from gritwit.runtime import (
    Runtime,
    _verify,
    check_runtime,
    erase_blob,
    export_bundle,
    fork,
    heads,
    verify_actor,
)
from gritwit.store import Store, _paging
from gritwit.wit import test_actor_core

BACKENDS = ["memory", "sqlite", "postgres"]
_examples = itertools.count()


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def open_store(name: str, request: pytest.FixtureRequest, folder: Path) -> Store:
    if name == "memory":
        return Store.memory()
    if name == "sqlite":
        return Store.open(folder / "store")
    return Store.open(request.getfixturevalue("pg_url"))  # skips without a server


def outcome(call: Callable[[], object]) -> object:
    """What ``call`` returned, or its error's class, clause and text."""
    try:
        return call()
    except g.GritError as exc:
        return ("error", type(exc), exc.requirement, exc.detail)


def as_outcome(value: object) -> object:
    if isinstance(value, g.GritError):
        return ("error", type(value), value.requirement, value.detail)
    return value


# --- the property: get_many and get_each answer as get of each id ----------------------

kinds = st.sampled_from(["stored", "absent", "erased", "corrupt"])
item = st.tuples(kinds, st.integers(0, 300))  # an object's fate and its size


@pytest.mark.req("STO-003.1", "STO-003.2", "STO-004.1", "STO-004.2", "RUN-011.3")
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    items=st.lists(item, min_size=1, max_size=12),
    picks=st.lists(st.integers(0, 11), max_size=20),
    page_ids=st.integers(1, 4),
    page_bytes=st.integers(1, 700),
)
def test_get_many_answers_as_get_of_each(
    backend_name: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    items: list[tuple[str, int]],
    picks: list[int],
    page_ids: int,
    page_bytes: int,
) -> None:
    store = _store_for(backend_name, request, tmp_path_factory)
    monkeypatch.setattr(_paging, "READ_PAGE_IDS", page_ids)
    monkeypatch.setattr(_paging, "READ_PAGE_BYTES", page_bytes)
    example = next(_examples)
    blobs = [
        g.Blob(data=b"%d %d " % (example, i) + b"x" * size) for i, (_, size) in enumerate(items)
    ]
    ids = [g.object_id(b) for b in blobs]
    store.put_objects([b for b, (kind, _) in zip(blobs, items, strict=True) if kind != "absent"])
    for oid, (kind, _) in zip(ids, items, strict=True):
        if kind == "erased":
            assert erase_blob(store, oid, f"gone {example}")
        elif kind == "corrupt":
            corrupt_stored_object(store, oid)
    asked = [ids[i % len(ids)] for i in picks] + ids  # repeats, then every id
    expected = {oid: outcome(lambda oid=oid: store.get(oid)) for oid in asked}
    each = list(store.get_each(asked))
    assert sorted(oid.digest for oid, _ in each) == sorted({oid.digest for oid in asked})
    assert {oid: as_outcome(value) for oid, value in each} == expected
    first_bad = next((expected[oid] for oid in asked if isinstance(expected[oid], tuple)), None)
    many = outcome(lambda: store.get_many(asked))
    if first_bad is None:
        assert many == {oid: expected[oid] for oid in asked}
    else:
        assert many == first_bad
    objects = dict(store.get_objects_each(asked))
    for oid in asked:
        assert as_outcome(objects[oid]) == outcome(lambda oid=oid: store.get_object(oid))


_open: dict[str, Store] = {}


def _store_for(name: str, request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> Store:
    """One store per backend for the whole property (each example's objects are its own)."""
    key = f"{request.node.nodeid}"
    store = _open.get(key)
    if store is None:
        store = open_store(name, request, factory.mktemp(name))
        _open[key] = store
        request.addfinalizer(lambda: _open.pop(key).close())
    return store


@pytest.mark.req("STO-003.1", "STO-004.2")
def test_a_large_object_is_a_page_alone(
    backend_name: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages bounded by bytes: an object larger than the bound comes alone, smaller ones
    share pages up to the bound, and every object comes once."""
    with open_store(backend_name, request, tmp_path) as store:
        monkeypatch.setattr(_paging, "READ_PAGE_BYTES", 1000)
        blobs = [g.Blob(data=bytes([i]) * size) for i, size in enumerate([5000, 10, 10, 3000, 10])]
        ids = store.put_objects(blobs)
        pages = list(store.backend.read_pages(ids))  # type: ignore[attr-defined]
        assert sorted(oid for page in pages for oid in page) == sorted(ids)
        for page in pages:
            sizes = [len(page[oid]) for oid in page]
            assert len(sizes) == 1 or sum(sizes) <= 1000, sizes
        assert store.get_many(ids) == {oid: store.get(oid) for oid in ids}


# --- the same verify on PostgreSQL as on SQLite ------------------------------------------


def _content(count: int = 12) -> tuple[Store, g.ObjectId, g.ObjectId]:
    """A memory store with ``count`` counters, a fork and a sent blob: (the store, an
    actor, the blob)."""
    store = Store.memory()
    runtime = Runtime(store)
    loop = asyncio.new_event_loop()
    cores = [test_actor_core("counter", {"tag": g.Blob(data=b"%d" % i)}) for i in range(count)]
    actors = [g.object_id(core) for core, _ in cores]
    objects = [obj for _, objs in cores for obj in objs]
    blob = g.Blob(data=b"to be erased")
    try:
        loop.run_until_complete(
            runtime.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects)
        )
        loop.run_until_complete(runtime.run_until_quiescent())
        content = store.put_object(blob)
        loop.run_until_complete(
            runtime.send_all([(a, content, {"mt": "inc"}, False) for a in actors])
        )
        loop.run_until_complete(runtime.run_until_quiescent())
    finally:
        loop.close()
    history_head = store.get_ref("heads/" + actors[0].hex())
    assert history_head is not None
    fork(store, actors[0], history_head)
    return store, actors[1], g.object_id(blob)


def _copy(source: Store, target: Store) -> None:
    target.put_encoded([(source.get(oid), oid) for oid in source.iter_ids()])
    for name, oid in source.list_ref_targets():
        target.cas_ref(name, None, oid)


def _reports(store: Store) -> object:
    """Everything ``runtime verify`` and an export answer for ``store``."""
    listed = heads(store)
    return (
        store.verify(),
        check_runtime(store),
        [verify_actor(store, actor) for actor, _, _ in listed],
        [outcome(lambda a=actor: export_bundle(store, a)) for actor, _, _ in listed],
    )


@pytest.mark.slow
@pytest.mark.req("RUN-010.1", "RUN-010.2", "RUN-010.3", "RUN-010.4", "RUN-011.1", "DUR-005")
def test_verify_on_postgres_as_on_sqlite(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Intact, then with an erased blob and a corrupt step: the same reports on both
    stores, with small pages (many of them) and with large blobs not kept by the walk."""
    source, actor, blob = _content()
    with Store.open(pg_url) as pg, Store.open(tmp_path / "store") as sqlite:
        for store in (pg, sqlite):
            _copy(source, store)
        intact = _reports(sqlite)
        assert intact[1].ok and intact[0].ok  # type: ignore[index]
        assert _reports(pg) == intact
        head = sqlite.get_ref("heads/" + actor.hex())
        assert head is not None
        previous = sqlite.get_object(head).previous  # type: ignore[union-attr]
        assert previous is not None
        for store in (pg, sqlite):
            assert erase_blob(store, blob, "asked to")
            corrupt_stored_object(store, previous)
        broken = _reports(sqlite)
        assert not broken[1].ok and broken[0].corrupt == (previous,)  # type: ignore[index]
        assert _reports(pg) == broken
        monkeypatch.setattr(_paging, "READ_PAGE_IDS", 3)
        monkeypatch.setattr(_paging, "READ_PAGE_BYTES", 200)
        monkeypatch.setattr(_verify, "KEPT_BLOB_BYTES", 0)
        assert _reports(pg) == broken
        assert _reports(sqlite) == broken


# --- runtime verify's statements on PostgreSQL, counted ----------------------------------


@pytest.mark.slow
@pytest.mark.req("RUN-010.1", "DUR-005")
def test_verify_on_postgres_reads_in_pages(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``runtime verify`` (``Store.verify`` and ``check_runtime``) issues far fewer
    statements than the store has objects: one read per object would be more than one
    statement each.  Counted at psycopg's cursor, where every statement goes."""
    import psycopg

    source, _, _ = _content(60)
    with Store.open(pg_url) as pg:
        _copy(source, pg)
        statements = 0
        execute = psycopg.Cursor.execute

        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal statements
            statements += 1
            return execute(self, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", counted)
        verified, check = pg.verify(), check_runtime(pg)
        monkeypatch.undo()
    assert verified.ok and check.ok and check.actors == 61
    assert verified.objects > 500
    assert 0 < statements * 10 <= verified.objects, (statements, verified.objects)

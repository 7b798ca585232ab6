"""SQLite writes tell which objects the store did not hold (RUN-022.1, RUN-023.1).

The SQLite backend reports ``fresh`` as the PostgreSQL one does: the insert itself names
the rows it made, so a runtime counting the bytes a run adds reads nothing per commit.
The figures checked here are the store's own answers before the write (``has``) and the
store's growth, never the runtime's count alone.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from unittest import mock

import pytest
from aio import run
from test_runtime_bounds import hoarder, start_hoarder
from test_runtime_disk import JUNK, twice

import gritwit as g
from gritwit.runtime import Runtime, erase_blob
from gritwit.store import Store
from gritwit.store._sqlite import DB_FILENAME
from gritwit.wit import TEST_ACTORS, test_actor_core


def blob(data: bytes) -> tuple[g.ObjectId, bytes]:
    obj = g.Blob(data=data)
    return g.object_id(obj), g.encode_object(obj)


@pytest.mark.req("RUN-022.1", "RUN-011.4", "STO-002.3")
def test_an_insert_reports_exactly_the_objects_the_store_did_not_hold(tmp_path: Path) -> None:
    """New objects are fresh, each once however often named; held, erased and mended
    (a corrupt copy under the id) ones are not, and the corrupt copy is mended."""
    store = Store.open(tmp_path)
    backend = store.backend
    assert store.tells_fresh
    held, erased, corrupt, new, other = (blob(bytes([i]) * (i + 10)) for i in range(5))
    backend.insert_many([held, erased, corrupt])
    erase_blob(store, erased[0], "gone")
    with sqlite3.connect(tmp_path / DB_FILENAME) as conn:
        conn.execute("UPDATE objects SET data = ? WHERE id = ?", (b"rotten", corrupt[0].digest))
    items = [held, erased, corrupt, new, other, new]
    before = store.held([oid for oid, _ in items])
    fresh: set[bytes] = set()
    backend.insert_many(items, fresh=fresh)
    assert fresh == {oid.digest for oid, _ in items if oid not in before}
    assert fresh == {new[0].digest, other[0].digest}
    assert backend.read(corrupt[0]) == corrupt[1]  # STO-002.3: mended, not fresh
    assert backend.read(erased[0]) is None  # RUN-011: stays erased


@pytest.mark.req("RUN-022.1")
def test_a_batch_and_a_swap_report_fresh_objects_too(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    backend = store.backend
    a, b, c = (blob(bytes([i]) * 20) for i in range(3))
    backend.insert_many([a])
    fresh: set[bytes] = set()
    with backend.batch() as batch:  # type: ignore[attr-defined]
        batch.insert_many([a, b], fresh=fresh)
    assert fresh == {b[0].digest}
    fresh = set()
    backend.insert_many_then_cas([b, c], "names/x", None, c[0], fresh=fresh)  # type: ignore[attr-defined]
    assert fresh == {c[0].digest} and backend.get_ref("names/x") == c[0]


def store_bytes(store: Store) -> int:
    return sum(len(store.get(oid)) for oid in store.iter_ids())


@pytest.mark.req("RUN-023.1", "RUN-022.1")
@pytest.mark.parametrize("commit", ["group", "step"])
def test_a_run_on_sqlite_counts_its_growth_without_reading_the_store(
    tmp_path: Path, commit: str
) -> None:
    """A hoarder repeating blob sizes (a repeated blob is held): the run's count is the
    store's growth, and the store is never asked what it holds (``held``) to count it."""
    store = Store.open(tmp_path)
    sizes = [3000, 500, 3000, 0, 500]
    wit = hoarder(lambda n: sizes[n % len(sizes)], repeat=True)
    rt = Runtime(store, actors={**TEST_ACTORS, "hoarder": wit}, commit=commit)

    async def go() -> int:
        await start_hoarder(rt, 6)
        rt.flush()  # the sends are the caller's (RUN-023.1): stored before the count starts
        before = store_bytes(store)
        with mock.patch.object(Store, "held", side_effect=AssertionError("a read per commit")):
            await rt.run_until_quiescent()
        return store_bytes(store) - before

    grown = run(go())
    assert rt.run_bytes == grown and grown > 3000, (rt.run_bytes, grown)


@pytest.mark.req("RUN-022.1", "RUN-011.4")
@pytest.mark.parametrize("commit", ["group", "step"])
def test_an_erased_blob_stored_again_adds_nothing_on_sqlite(tmp_path: Path, commit: str) -> None:
    """A step naming an erased blob twice adds nothing for it (``has`` is true)."""
    store = Store.open(tmp_path)
    rt = Runtime(store, actors={**TEST_ACTORS, "twice": twice}, commit=commit)

    async def go() -> int:
        erase_blob(store, store.put_object(JUNK), "gone")
        await rt.genesis(*test_actor_core("twice"))
        rt.flush()  # the genesis send is the caller's (RUN-023.1)
        before = store_bytes(store)
        await rt.run_until_quiescent()
        return store_bytes(store) - before

    grown = run(go())
    assert rt.run_bytes == grown < 6000, (rt.run_bytes, grown)


@pytest.mark.req("RUN-022.1", "RUN-011.4", "STO-002.3")
def test_the_memory_store_reports_fresh_objects_the_same_way() -> None:
    """The memory backend tells too: new objects once each; held, erased and mended not."""
    store = Store.memory()
    backend = store.backend
    assert store.tells_fresh
    held, erased, corrupt, new = (blob(bytes([i]) * (i + 10)) for i in range(4))
    backend.insert_many([held, erased, (corrupt[0], b"rotten")])
    erase_blob(store, erased[0], "gone")
    fresh: set[bytes] = set()
    backend.insert_many([held, erased, corrupt, new, new], fresh=fresh)
    assert fresh == {new[0].digest}
    assert backend.read(corrupt[0]) == corrupt[1] and backend.read(erased[0]) is None
    fresh = set()
    with backend.batch() as batch:  # type: ignore[attr-defined]
        batch.insert_many([new, held], fresh=fresh)
    assert fresh == set()

"""A store batch checks what it is handed as ``put_encoded`` does (STO-002.1), and a
closed memory store reads nothing.

The runtime's commits hand a batch pairs it encoded itself, so no adapter command can
give it a pair whose bytes do not hash to its id: these tests hand it one directly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import gritwit as g
from gritwit._errors import CorruptObject
from gritwit.store import Store


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "memory":
        return Store.memory()
    return Store.open(tmp_path / "store")


@pytest.mark.req("STO-002.1")
def test_a_batch_refuses_bytes_that_are_not_their_id_s(store: Store) -> None:
    good = g.encode_object(g.Blob(data=b"kept"))
    oid = g.ObjectId(g.object_id(g.Blob(data=b"kept")).digest)
    other = g.encode_object(g.Blob(data=b"impostor"))
    with store.batch() as batch, pytest.raises(CorruptObject) as info:
        batch.put_encoded([(other, oid)])
    assert info.value.requirement == "STO-002.1", info.value
    assert not store.has(oid)
    with store.batch() as batch:
        batch.put_encoded([(good, oid)])
    assert store.get(oid) == good
    store.close()


@pytest.mark.req("STO-003.1")
def test_a_closed_memory_store_reads_nothing() -> None:
    """After :meth:`Store.close` every call of a memory store's backend raises, as a
    durable one's does: the adapter forgets a closed store's handle, so no command
    reaches it."""
    from gritwit.store._memory import MemoryBackend

    store = Store.memory()
    data = g.encode_object(g.Blob(data=b"gone"))
    oid = store.put(data)
    backend = store.backend
    assert isinstance(backend, MemoryBackend)
    store.close()
    calls: dict[str, Callable[[], object]] = {
        "read": lambda: backend.read(oid),
        "contains": lambda: backend.contains(oid),
        "contains_many": lambda: backend.contains_many([oid.digest]),
        "tombstone": lambda: backend.tombstone(oid),
        "get_ref": lambda: backend.get_ref("names/x"),
        "cas_ref": lambda: backend.cas_ref("names/x", None, oid),
        "insert_many": lambda: backend.insert_many([(oid, data)]),
        "insert_many_then_cas": lambda: backend.insert_many_then_cas(
            [(oid, data)], "names/x", None, oid
        ),
        "refs_changed_since": lambda: backend.refs_changed_since(0),
        "read_many": lambda: backend.read_many([oid]),
        "read_pages": lambda: list(backend.read_pages([oid])),
        "starts": lambda: backend.starts([oid.digest], 8, 64),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError):
            call()
            pytest.fail(f"{name} of a closed memory store answered")

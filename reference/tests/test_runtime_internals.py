"""The runtime's speed-ups change nothing observable (RUN-001, RUN-003, RUN-011, STO-002).

* the decoded-object cache answers as the store does, erased blobs included,
  and stays within its bounds;
* ``Store.put_encoded`` never stores bytes under another id;
* the routing index brought up to date by ``refresh`` equals one rebuilt from
  the heads by ``load``, whatever other writers did in between (heads deleted too).
"""

from __future__ import annotations

import random

import pytest
from aio import run
from hypothesis import given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit.runtime import Runtime, erase_blob
from gritwit.runtime._cache import ObjectCache
from gritwit.runtime._index import RoutingIndex
from gritwit.wit import test_actor_core


@pytest.mark.req("RUN-011.3", "STO-003")
def test_the_cache_honours_erasure() -> None:
    store = g.Store.memory()
    cache = ObjectCache(store)
    blob = g.Blob(data=b"secret")
    (oid,) = cache.put_objects([blob])
    assert cache.get_object(oid) == blob
    erase_blob(store, oid, "asked to")
    with pytest.raises(g.GritError) as caught:
        cache.get_object(oid)
    assert caught.value.error_class == "erased"


@pytest.mark.req("RUN-011.3")
def test_the_memory_stores_erasure_count_moves_with_each_erasure() -> None:
    """The count the cache reads at each cached blob (``Store.erasure_count``, the memory
    backend's dict length without a frame) is the backend's ``erasures()``, erasure by
    erasure: a cached blob found clean is asked again once it moved (RUN-011.3)."""
    store = g.Store.memory()
    count = store.erasure_count
    assert count is not None
    ids = store.put_objects([g.Blob(data=bytes([i])) for i in range(3)])
    seen = [count()]
    for oid in ids:
        erase_blob(store, oid, "asked to")
        seen.append(count())
    assert seen == [0, 1, 2, 3]
    assert count() == store.backend.erasures()  # type: ignore[attr-defined]


@pytest.mark.req("RUN-011.3")
@settings(max_examples=50, deadline=None)
@given(sizes=st.lists(st.integers(0, 5000), min_size=1, max_size=40), budget=st.integers(0, 9000))
def test_the_cache_stays_within_its_bounds(sizes: list[int], budget: int) -> None:
    store = g.Store.memory()
    cache = ObjectCache(store, capacity=8, max_bytes=budget)
    blobs = [g.Blob(data=bytes([i % 251]) * size + bytes([i])) for i, size in enumerate(sizes)]
    ids = cache.put_objects(blobs)
    kept = cache._objects  # the bound is the point of the test
    assert len(kept) <= 8
    assert sum(len(b.data) for b in kept.values() if isinstance(b, g.Blob)) <= budget
    for oid, blob in zip(ids, blobs, strict=True):
        assert cache.get_object(oid) == blob  # evicted or not, the answer is the store's


@pytest.mark.req("STO-002")
def test_put_encoded_refuses_bytes_under_another_id() -> None:
    store = g.Store.memory()
    good, bad = g.Blob(data=b"a"), g.Blob(data=b"b")
    good_bytes, good_id = g.encode_with_id(good)
    with pytest.raises(g.GritError) as caught:
        store.put_encoded([(good_bytes, good_id), (g.encode_object(bad), good_id)])
    assert caught.value.error_class == "corrupt-object"
    assert not store.has(good_id)  # nothing stored: the batch is checked first


def _state(index: RoutingIndex) -> tuple[object, ...]:
    return (
        {s: dict(box) for s, box in index._outboxes.items() if box},
        {r: set(s) for r, s in index._senders.items()},  # no sender left behind
        set(index.failed),
    )


@pytest.mark.req("RUN-003.1", "RUN-001.4")
@pytest.mark.parametrize("seed", range(12))
def test_refresh_equals_load_after_other_writers(seed: int) -> None:
    """A runtime's index kept up to date equals one rebuilt from the heads alone."""
    rng = random.Random(seed)
    store = g.Store.memory()
    runtime, other = Runtime(store), Runtime(store)  # two writers on one store
    kinds = [rng.choice(["counter", "echo", "fanout"]) for _ in range(4)]
    cores = [test_actor_core(k, {"n": g.Blob(data=bytes([i]))}) for i, k in enumerate(kinds)]
    one = g.Blob(data=b"1")

    async def scenario() -> tuple[RoutingIndex, list[g.ObjectId]]:
        actors = [await rng.choice([runtime, other]).genesis(core, objs) for core, objs in cores]
        for _ in range(rng.randint(3, 12)):
            writer = rng.choice([runtime, other])
            if rng.random() < 0.6:
                await writer.send(rng.choice(actors), g.object_id(one), {"mt": "inc"}, [one])
            else:
                await writer.run_until_quiescent(max_steps=rng.choice([1, 3, None]))
        await runtime.run_until_quiescent(max_steps=1)  # brings its index up to date
        return runtime._index, actors

    kept, actors = run(scenario())
    for actor in actors:  # another writer deletes heads: their outbox entries are gone
        head = store.get_ref("heads/" + actor.hex())
        if head is not None and rng.random() < 0.5:
            store.cas_ref("heads/" + actor.hex(), head, None)
    kept.refresh(store)
    fresh = RoutingIndex()
    fresh.load(store)
    assert _state(kept) == _state(fresh)


@pytest.mark.req("RUN-004.7", "RUN-003.1")
@pytest.mark.parametrize("rounds", [False, True])
def test_a_failed_ref_not_named_by_an_actor_id_marks_no_actor(rounds: bool) -> None:
    """``names/failed/<actor>`` marks ``<actor>``; any other name under it marks none."""
    store = g.Store.memory()
    record = store.put_object(g.Blob(data=b"{}"))
    store.cas_ref("names/failed/not-an-actor", None, record)
    store.cas_ref("names/failed/" + "ab" * 32 + "/x", None, record)
    runtime = Runtime(store)
    core, objects = test_actor_core("echo")

    async def scenario() -> tuple[g.ObjectId, list[g.ObjectId]]:
        actor = await runtime.genesis(core, objects)
        report = await (runtime.run_rounds(10) if rounds else runtime.run_until_quiescent())
        assert report.quiescent and not report.failures
        return actor, [a for a, _ in report.steps]

    actor, stepped = run(scenario())
    assert stepped == [actor]  # its genesis step
    index = RoutingIndex()
    index.load(store)
    assert index.failed == set()

"""Placement: an actor runs in the share of the key its genesis names (RUN-021.6 … RUN-021.10).

Two runtimes with shares 0/2 and 1/2 on one store, in memory, in SQLite and in
PostgreSQL.  An actor whose genesis names another actor in a ``placement`` header runs
in that actor's share, whatever its own id says; its placement is recorded (the ref
``names/placement/<actor>``) before its first transition, so every runtime reads the
same key from then on; an actor without the header, created by the outside or by
another actor, is placed by its own id as before.  Both sides: the runtime of the
actor's own-id share must not run it, and the runtime of the key's share must.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from core_numbers import head_count
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit.runtime import Runtime, Share
from gritwit.runtime._placement import (
    PLACEMENT_PREFIX,
    PlacementRecords,
    header_key,
    placement_ref,
    record_placement,
)
from gritwit.store import Store
from gritwit.wit import PendingMessage, test_actor_core

ZERO, ONE = Share(k=0, n=2), Share(k=1, n=2)


def _counter_in(share: Share, tag: str) -> tuple[g.Tree, tuple[g.Object, ...]]:
    """A counter's core whose own id is in ``share`` (its ``tag`` entry makes it so)."""
    for i in range(10_000):
        core, objects = test_actor_core(
            "counter", {"tag": g.Blob(data=b"%s %d" % (tag.encode(), i))}
        )
        if share.owns(g.object_id(core)):
            return core, objects
    raise AssertionError("unreachable")


StoreMaker = Callable[[], Store]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreMaker]:
    """Makes the stores of one store's writers: one shared memory store, or opens of one
    SQLite directory, or of one PostgreSQL schema."""
    opened: list[Store] = []
    if request.param == "memory":
        shared = Store.memory()
        yield lambda: shared
        return
    if request.param == "sqlite":
        location = str(tmp_path / "store")
    else:
        location = request.getfixturevalue("pg_url")

    def make() -> Store:
        store = Store.open(location)
        opened.append(store)
        return store

    try:
        yield make
    finally:
        for store in opened:
            store.close()


def _runtimes(stores: StoreMaker) -> tuple[Runtime, Runtime, Store]:
    """Runtimes of shares 0/2 and 1/2, and a store to read what they did."""
    # sends committed as acknowledged (RUN-019.1), so the other runtime reads them at once
    return (
        Runtime(stores(), share=ZERO, send_commit="own"),
        Runtime(stores(), share=ONE, send_commit="own"),
        stores(),
    )


def _steps_of(runtime: Runtime) -> list[g.ObjectId]:
    report = asyncio.run(runtime.run_until_quiescent())
    assert report.quiescent and not report.failures, report
    return [actor for actor, _ in report.steps]


def _inc(runtime: Runtime, store: Store, actor: g.ObjectId, by: str) -> None:
    asyncio.run(runtime.send(actor, store.put_object(g.Blob(data=by.encode())), {"mt": "inc"}))


@pytest.mark.req("RUN-021.6", "RUN-021.7", "RUN-021.8", "RUN-021.1", "RUN-021.2")
def test_an_actor_placed_with_another_runs_in_its_share_and_not_in_its_own(
    stores: StoreMaker,
) -> None:
    """``root`` is in share 0 by its id; ``placed``'s own id is in share 1 but its genesis
    names ``root``: share 1's runtime records the placement and never runs it, share 0's
    creates it and runs every message to it, sent through either runtime.  ``plain``
    (own id in share 1, no header) stays with share 1: the rule's other side."""
    zero, one, store = _runtimes(stores)
    root_core, root_objects = _counter_in(ZERO, "root")
    placed_core, placed_objects = _counter_in(ONE, "placed")
    plain_core, plain_objects = _counter_in(ONE, "plain")
    root = asyncio.run(one.genesis(root_core, root_objects))
    placed = asyncio.run(one.genesis(placed_core, placed_objects, placement=root))
    plain = asyncio.run(zero.genesis(plain_core, plain_objects))
    assert _steps_of(one) == [plain]  # its own-id share: not placed's, which it records
    assert store.get_ref(f"heads/{placed.hex()}") is None
    record = store.get_ref(placement_ref(placed))
    assert record is not None
    message = store.get_object(record)
    assert isinstance(message, g.Message) and message.content == placed
    assert header_key(message) == root
    assert sorted(_steps_of(zero)) == sorted([root, placed])
    for sender, by in ((one, "2"), (zero, "3")):
        _inc(sender, store, placed, by)
        assert _steps_of(one) == []  # RUN-021.1: not its share, whatever its id says
        assert _steps_of(zero) == [placed]  # RUN-021.2
    assert head_count(store, placed) == 5
    _inc(zero, store, plain, "4")
    assert _steps_of(zero) == []
    assert _steps_of(one) == [plain]


@pytest.mark.req("RUN-021.7", "RUN-021.8", "RUN-021.6")
def test_a_chain_resolves_to_its_root_when_recorded(stores: StoreMaker) -> None:
    """``second`` names ``first``, which names ``root``: ``second``'s record is
    ``first``'s, so it runs with ``root`` in share 0 though ``first``'s own id and its
    own are in share 1."""
    zero, one, store = _runtimes(stores)
    root_core, root_objects = _counter_in(ZERO, "root")
    first_core, first_objects = _counter_in(ONE, "first")
    second_core, second_objects = _counter_in(ONE, "second")
    root = asyncio.run(zero.genesis(root_core, root_objects))
    first = asyncio.run(zero.genesis(first_core, first_objects, placement=root))
    assert _steps_of(one) == []  # records first's placement
    assert sorted(_steps_of(zero)) == sorted([root, first])
    second = asyncio.run(zero.genesis(second_core, second_objects, placement=first))
    assert _steps_of(one) == []
    assert store.get_ref(placement_ref(second)) == store.get_ref(placement_ref(first))
    assert _steps_of(zero) == [second]


@pytest.mark.req("RUN-021.7", "RUN-021.6")
def test_a_malformed_header_places_nothing(stores: StoreMaker) -> None:
    """A ``placement`` header that is no id's text form (upper case, short) leaves the
    actor with its own id's share, and writes no record."""
    zero, one, store = _runtimes(stores)
    root = g.object_id(_counter_in(ZERO, "root")[0])
    actors = []
    for i, text in enumerate([root.hex().upper(), root.hex()[:-1], ""]):
        core, objects = _counter_in(ONE, f"bad {i}")
        actor = g.object_id(core)
        headers = {"mt": "genesis", "placement": text}
        asyncio.run(one.send(actor, actor, headers, objects=(*objects, core)))
        actors.append(actor)
    assert _steps_of(zero) == []
    assert sorted(_steps_of(one)) == sorted(actors)
    assert not store.list_refs(PLACEMENT_PREFIX)


@pytest.mark.req("RUN-021.8", "RUN-021.10")
def test_a_runtime_without_a_share_records_the_placement_too(stores: StoreMaker) -> None:
    """A runtime without a share creates a placed actor, recording its placement first,
    so that runtimes with shares started later agree where it runs; its sends wait for
    its group commit (RUN-019.2), which is made before the record names the genesis."""
    store = stores()
    anyone = Runtime(store)  # sends grouped (RUN-019.2): the genesis stored with the group
    root_core, root_objects = _counter_in(ZERO, "root")
    placed_core, placed_objects = _counter_in(ONE, "placed")
    root = asyncio.run(anyone.genesis(root_core, root_objects))
    placed = asyncio.run(anyone.genesis(placed_core, placed_objects, placement=root))
    assert sorted(_steps_of(anyone)) == sorted([root, placed])
    assert store.get_ref(placement_ref(placed)) is not None
    zero, one, _ = _runtimes(stores)
    _inc(one, store, placed, "7")
    assert _steps_of(one) == []
    assert _steps_of(zero) == [placed]


def test_a_record_written_first_stands() -> None:
    """Two geneses name different keys: the record another writer made first stands, and
    the runtime that loses the swap reads its key, not its own genesis's."""
    store = Store.memory()
    actor_core, objects = _counter_in(ONE, "actor")
    actor = store.put_object(actor_core)
    store.put_objects(objects)
    first_key, second_key = (g.object_id(_counter_in(s, "key")[0]) for s in (ZERO, ONE))
    first = g.Message(content=actor, headers={"mt": "genesis", "placement": first_key.hex()})
    second = g.Message(content=actor, headers={"mt": "genesis", "placement": second_key.hex()})
    first_id, second_id = store.put_object(first), store.put_object(second)
    store.cas_ref(placement_ref(actor), None, first_id)
    records = PlacementRecords()
    record_placement(store, records, actor, PendingMessage(second_id, second))
    assert records.placed == {actor: first_key}
    assert store.get_ref(placement_ref(actor)) == first_id


@given(st.text(max_size=70))
def test_a_header_names_a_key_only_as_an_ids_text_form(text: str) -> None:
    """ID-003's text form alone: 64 lowercase hex digits."""
    message = g.Message(content=g.object_id(g.Blob(data=b"x")), headers={"placement": text})
    is_id = len(text) == 64 and all(c in "0123456789abcdef" for c in text)
    key = header_key(message)
    assert (key is not None) == is_id
    if key is not None:
        assert key.hex() == text


@pytest.mark.req("RUN-021.6", "HTTP-007.1", "HTTP-007.2")
def test_a_service_lists_a_placed_actor_in_its_keys_share(tmp_path: Path) -> None:
    """The service's actor list reads an actor's share from its placement key, as its
    runtime runs it: ``placed``'s entry says share 0, and the ``share`` filter keeps it
    under 0/2, not under 1/2, though its own id is in share 1."""
    from serve_helpers import serving

    from gritwit.serve import EngineSettings

    folder = tmp_path / "store"
    folder.mkdir()
    with Store.open(folder) as store:
        runtime = Runtime(store)
        root_core, root_objects = _counter_in(ZERO, "root")
        placed_core, placed_objects = _counter_in(ONE, "placed")
        root = asyncio.run(runtime.genesis(root_core, root_objects))
        placed = asyncio.run(runtime.genesis(placed_core, placed_objects, placement=root))
        assert sorted(_steps_of(runtime)) == sorted([root, placed])
    with serving(folder, settings=EngineSettings(share=ZERO)) as one:
        listed = {a["actor"]: a for a in one.client.get("/v1/actors").json()["actors"]}
        assert listed[placed.hex()]["share"] == 0 and listed[root.hex()]["share"] == 0
        for share, kept in (("0/2", True), ("1/2", False)):
            page = one.client.get("/v1/actors", params={"share": share}).json()["actors"]
            assert (placed.hex() in {a["actor"] for a in page}) is kept, (share, page)


def _lose_the_journal(store: Store) -> None:
    """Swap a ref of no runtime's (``names/pad``) more times than the journal keeps, so
    that a runtime's next catch-up finds its version gone and lists the refs (RUN-003.1)."""
    pad = store.put_object(g.Blob(data=b"pad"))
    for _ in range(12):
        held = store.get_ref("names/pad")
        store.cas_ref("names/pad", held, None if held is not None else pad)


@pytest.mark.req("RUN-021.6", "RUN-021.7", "RUN-021.2", "RUN-021.1", "RUN-003.1")
def test_a_runtime_that_lists_the_records_runs_what_they_now_place_in_its_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A runtime whose journal of swaps was lost lists the records (RUN-003.1) and looks
    again at each actor whose key the listing changed: ``placed`` (own id in share 1,
    placed with ``root`` in share 0) has an ``inc`` pending in each share's runtime that
    it did not run, being outside its share then; a tool deletes the record, and share
    1's runtime, listing, must run it; the tool sets the record again, and share 0's
    must.  Nothing else moved for ``placed``: only the listing can mark it."""
    from gritwit.store import _memory

    monkeypatch.setattr(_memory, "JOURNAL_KEPT", 4)
    shared = Store.memory()
    zero, one, store = _runtimes(lambda: shared)
    root_core, root_objects = _counter_in(ZERO, "root")
    placed_core, placed_objects = _counter_in(ONE, "placed")
    root = asyncio.run(zero.genesis(root_core, root_objects))
    placed = asyncio.run(zero.genesis(placed_core, placed_objects, placement=root))
    assert _steps_of(one) == []  # records placed's placement, with root's share
    assert sorted(_steps_of(zero)) == sorted([root, placed])
    record = store.get_ref(placement_ref(placed))
    assert record is not None
    _inc(zero, store, placed, "2")
    assert _steps_of(one) == []  # caught up from the journal: placed is not its own
    store.cas_ref(placement_ref(placed), record, None)  # a tool, not a runtime (RUN-021.9)
    _lose_the_journal(store)
    assert _steps_of(one) == [placed], "the listing found its record gone: its own id's share"
    _inc(one, store, placed, "3")
    assert _steps_of(zero) == []  # listing too: placed is share 1's now
    store.cas_ref(placement_ref(placed), None, record)
    _lose_the_journal(store)
    assert _steps_of(zero) == [placed], "the listing found its record again: root's share"
    assert _steps_of(one) == []
    assert head_count(store, placed) == 5


@pytest.mark.req("RUN-021.6", "RUN-021.7")
def test_a_listing_of_the_records_returns_the_actors_whose_key_changed() -> None:
    """:meth:`PlacementRecords.listed`: the records are exactly those listed; the actors
    returned are those whose key changed, a record gone giving the actor's own id back,
    and a record that gives no key (a tree) changing nothing, present or gone."""
    store = Store.memory()
    records = PlacementRecords()
    actor = g.object_id(_counter_in(ONE, "actor")[0])
    other_core = _counter_in(ONE, "other")[0]
    other = g.object_id(other_core)
    key = g.object_id(_counter_in(ZERO, "key")[0])
    genesis = store.put_object(
        g.Message(content=actor, headers={"mt": "genesis", "placement": key.hex()})
    )
    tree = store.put_object(other_core)  # a tree: no genesis, so no key (RUN-021.7)
    both = [(placement_ref(actor), genesis), (placement_ref(other), tree)]
    assert records.listed(store, both) == {actor}
    assert records.placed == {actor: key}
    assert records.listed(store, both) == set(), "listed again: no key changed"
    assert records.listed(store, both[1:]) == {actor}, "its record gone: its own id again"
    assert records.placed == {}
    assert records.listed(store, []) == set(), "a record that gave no key is gone: no change"

"""Round trips to a PostgreSQL store, counted at a relay in front of the server (DUR-005.4).

Each write — a ``put``, a ``cas``, objects and a swap together, a group of several swaps —
must reach the server as one transaction answered at once: one ``Sync`` of the
extended protocol, one turn of the connection.  A counter transition whose send joins
the run's commit (RUN-019.2) takes two: the run's catch-up read and the commit (the send
builds on the outside's mailbox the runtime last saw, a hint, RUN-020.1).  Counted, not
timed: the relay reads the protocol's messages.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

import gritwit as g
from asv_bench._relay import Relay, unix_socket
from gritwit.runtime import Runtime
from gritwit.store import Store, create_schema
from gritwit.store._postgres import PostgresBackend


@pytest.fixture(params=["read-committed", "repeatable-read", "serializable"])
def relayed(
    request: pytest.FixtureRequest, pg_cluster: Any, pg_database: str
) -> Iterator[tuple[Relay, Store]]:
    """A new store reached through a relay that counts what crosses it, its transactions
    at each isolation level (DUR-007.1): the round trips are the same at each."""
    with Relay(unix_socket(pg_cluster.socket_dir)).start() as relay:
        url = relay.url(create_schema(pg_database))
        url += ("&" if "?" in url else "?") + f"gritwit_isolation={request.param}"
        store = Store.open(url)
        try:
            yield relay, store
        finally:
            store.close()


def _blob(size: int = 64) -> g.Blob:
    return g.Blob(data=os.urandom(size))


def _syncs(relay: Relay) -> tuple[int, int]:
    stats = relay.stats()
    return stats.syncs, stats.turns


@pytest.mark.req("DUR-005.4")
def test_each_write_is_one_round_trip(relayed: tuple[Relay, Store]) -> None:
    """DUR-005.4: put, cas, objects-then-cas and a whole group are one Sync and one turn."""
    relay, store = relayed
    first, second = _blob(), _blob()
    store.put_object(first)  # a connection made, and warm
    relay.reset()
    store.put_objects([_blob(), _blob(), _blob()])
    assert _syncs(relay) == (1, 1)
    relay.reset()
    store.cas_ref("names/a", None, g.object_id(first))
    assert _syncs(relay) == (1, 1)
    relay.reset()
    encoded = g.encode_object(second)
    store.put_encoded_then_cas(
        [(encoded, g.object_id(second))],
        "names/a",
        g.object_id(first),
        g.object_id(second),
        target=second,
    )
    assert _syncs(relay) == (1, 1)
    assert store.get_ref("names/a") == g.object_id(second)
    relay.reset()
    third, fourth = _blob(), _blob()
    swaps = [
        ("names/a", g.object_id(second), g.object_id(third), third),
        ("names/b", None, g.object_id(fourth), fourth),
    ]
    pairs = [(g.encode_object(o), g.object_id(o)) for o in (third, fourth)]
    assert store.commit_all(pairs, swaps)
    assert _syncs(relay) == (1, 1)
    assert (store.get_ref("names/a"), store.get_ref("names/b")) == (
        g.object_id(third),
        g.object_id(fourth),
    )


@pytest.mark.req("DUR-005.4", "RUN-017.2")
def test_a_whole_group_that_would_lose_a_swap_keeps_nothing(relayed: tuple[Relay, Store]) -> None:
    """DUR-005.4, RUN-017.2: a group tried whole whose second swap conflicts stores none of
    its objects and moves no ref, so the caller can commit a swap at a time."""
    _, store = relayed
    first, second, third = _blob(), _blob(), _blob()
    store.put_object(first)
    store.cas_ref("names/b", None, g.object_id(first))
    swaps = [
        ("names/a", None, g.object_id(second), second),
        ("names/b", g.object_id(third), g.object_id(third), third),  # names/b is first's
    ]
    pairs = [(g.encode_object(o), g.object_id(o)) for o in (second, third)]
    assert not store.commit_all(pairs, swaps)
    assert store.get_ref("names/a") is None
    assert store.get_ref("names/b") == g.object_id(first)
    assert not store.has(g.object_id(second)) and not store.has(g.object_id(third))


@pytest.mark.req("DUR-005.4", "STO-005.1", "RUN-011.4")
def test_objects_this_process_stored_are_known_held_without_a_read(
    relayed: tuple[Relay, Store],
) -> None:
    """DUR-005.4: that an id is held lasts (an object is never dropped and an erased one
    keeps its tombstone, STO-005.1, RUN-011.4), so objects a put stored are not asked
    about again: ``has`` and ``held`` of them answer true with no round trip."""
    relay, store = relayed
    store.put_object(_blob())  # a connection made, and warm
    one = store.put_object(_blob())
    many = store.put_objects([_blob(), _blob()])
    relay.reset()
    assert store.has(one) and store.held([one, *many]) == {one, *many}
    assert _syncs(relay) == (0, 0), "DUR-005.4: what the puts stored was not asked again"


@pytest.mark.req("DUR-005.4", "RUN-019.2", "RUN-020.1", "RUN-020.7")
def test_a_counter_transition_with_grouped_sends_is_one_round_trip(
    relayed: tuple[Relay, Store],
) -> None:
    """DUR-005.4, RUN-019.2, RUN-020.7: send + run of a counter whose send joins the
    commit: the commit alone, which carries the journal read the next run starts from;
    no read of the outside's mailbox (the one this runtime last committed is the send's
    hint, RUN-020.1), of the head (the journal read is as new, and reads the erasure
    count too), of the content (held) or of the blobs' tombstones (no erasure moved the
    count)."""
    from asv_bench._scenes import make_counters

    relay, store = relayed
    loop = asyncio.new_event_loop()
    try:
        runtime = Runtime(store, send_commit="group")
        actors = loop.run_until_complete(make_counters(runtime, 18))
        content = store.put_object(g.Blob(data=b"1"))
        # warm: the routing index loaded, each counter's mailbox committed by this
        # runtime, the content held, and the statements prepared
        for actor in actors:
            loop.run_until_complete(runtime.send_all([(actor, content, {"mt": "inc"}, False)]))
            loop.run_until_complete(runtime.run_until_quiescent())
        relay.reset()
        for actor in actors[8:]:
            loop.run_until_complete(runtime.send_all([(actor, content, {"mt": "inc"}, False)]))
            report = loop.run_until_complete(runtime.run_until_quiescent())
            assert len(report.steps) == 1 and not report.failures
        syncs, turns = _syncs(relay)
    finally:
        loop.close()
    assert syncs <= 10 and turns <= 10, (syncs, turns)


@pytest.mark.req("DUR-005.4", "RUN-020.7")
def test_a_run_with_nothing_to_do_is_one_round_trip(relayed: tuple[Relay, Store]) -> None:
    """DUR-005.4, RUN-020.7: a run that finds nothing to do reads what moved once (its
    journal read, before or after its first pass) and answers quiescent: one round trip,
    whether it started from a read of its own or from its last commit's."""
    from asv_bench._scenes import make_counters

    relay, store = relayed
    loop = asyncio.new_event_loop()
    try:
        runtime = Runtime(store, send_commit="group")
        loop.run_until_complete(make_counters(runtime, 2))
        for _ in range(6):  # warm: the statements prepared
            loop.run_until_complete(runtime.run_until_quiescent())
        trips = []
        for _ in range(3):  # each started from the last run's read, not from a commit's
            relay.reset()
            report = loop.run_until_complete(runtime.run_until_quiescent())
            assert report.quiescent and not report.steps
            trips.append(_syncs(relay))
    finally:
        loop.close()
    assert trips == [(1, 1)] * 3, trips


@pytest.mark.req("DUR-005.4", "RUN-011.3")
def test_an_erasure_elsewhere_is_seen_by_the_next_transition(
    relayed: tuple[Relay, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """RUN-011.3, DUR-005.4: a blob cached without its tombstone checked is checked again
    once another process's erasure moved the count, which the next head read brings: a
    transition that reads it after the erasure returned fails, it is not served."""
    from asv_bench._scenes import make_counters

    relay, store = relayed
    loop = asyncio.new_event_loop()
    try:
        runtime = Runtime(store)
        (actor,) = loop.run_until_complete(make_counters(runtime, 1))
        content = store.put_object(g.Blob(data=b"1"))
        for _ in range(3):  # read from the store, then from the cache checked, then known
            loop.run_until_complete(runtime.send_all([(actor, content, {"mt": "inc"}, False)]))
            report = loop.run_until_complete(runtime.run_until_quiescent())
            assert len(report.steps) == 1
        asked: list[g.ObjectId] = []
        tombstone = PostgresBackend.tombstone
        monkeypatch.setattr(
            PostgresBackend,
            "tombstone",
            lambda self, oid: asked.append(oid) or tombstone(self, oid),
        )
        loop.run_until_complete(runtime.send_all([(actor, content, {"mt": "inc"}, False)]))
        assert len(loop.run_until_complete(runtime.run_until_quiescent()).steps) == 1
        assert content not in asked  # no tombstone read: the count did not move
        other = Store.open(relay.url(store.backend._conninfo), create=False)  # type: ignore[attr-defined]
        try:
            other.backend.erase(content, "withdrawn")
        finally:
            other.close()
        loop.run_until_complete(runtime.send_all([(actor, content, {"mt": "inc"}, False)]))
        report = loop.run_until_complete(runtime.run_until_quiescent())
    finally:
        loop.close()
    assert not report.steps  # the content is erased: the transition fails (RUN-011.3)


def _one_counter(store: Store, loop: asyncio.AbstractEventLoop) -> tuple[Runtime, g.ObjectId]:
    """A runtime whose sends join its group commits, with one counter made, and the blob
    its ``inc`` messages carry stored."""
    from asv_bench._scenes import make_counters

    runtime = Runtime(store, send_commit="group")
    (actor,) = loop.run_until_complete(make_counters(runtime, 1))
    store.put_object(g.Blob(data=b"1"))
    return runtime, actor


def _stepped(
    runtime: Runtime, loop: asyncio.AbstractEventLoop, actor: g.ObjectId, n: int
) -> list[int]:
    """``n`` transitions of one counter, each an ``inc`` of 1 and a run: the steps of each."""
    content = g.object_id(g.Blob(data=b"1"))
    steps = []
    for _ in range(n):
        loop.run_until_complete(runtime.send_all([(actor, content, {"mt": "inc"}, False)]))
        report = loop.run_until_complete(runtime.run_until_quiescent())
        steps.append(len(report.steps))
    return steps


@pytest.mark.req("DUR-005.4", "RUN-011.3", "RUN-019.2", "RUN-022.1")
def test_a_counter_stepped_again_is_one_round_trip(relayed: tuple[Relay, Store]) -> None:
    """DUR-005.4, RUN-011.3: the same counter stepped again and again, its
    send joining the commit, is the commit alone: its state blob, which the runtime's
    own last commit stored as new (fresh, RUN-022.1), is not asked for a tombstone (two
    round trips per transition before)."""
    relay, store = relayed
    loop = asyncio.new_event_loop()
    try:
        runtime, actor = _one_counter(store, loop)
        assert _stepped(runtime, loop, actor, 6) == [1] * 6  # warm: statements prepared
        relay.reset()
        assert _stepped(runtime, loop, actor, 10) == [1] * 10
        syncs, turns = _syncs(relay)
    finally:
        loop.close()
    assert (syncs, turns) == (10, 10)


@pytest.mark.req("DUR-005.4", "RUN-011.3", "RUN-022.1")
def test_an_erased_state_blob_the_runtime_stored_fails_the_next_transition(
    relayed: tuple[Relay, Store],
) -> None:
    """RUN-011.3: the other side of the rule above.  A state blob the runtime stored as
    new and reads without asking is erased by another process; the next transition
    brings the moved count with its head read, asks, and fails (it is not served)."""
    relay, store = relayed
    loop = asyncio.new_event_loop()
    try:
        runtime, actor = _one_counter(store, loop)
        assert _stepped(runtime, loop, actor, 7) == [1] * 7  # count 7: b"7" stored new
        other = Store.open(relay.url(store.backend._conninfo), create=False)  # type: ignore[attr-defined]
        try:
            assert other.backend.erase(g.object_id(g.Blob(data=b"7")), "withdrawn")
        finally:
            other.close()
        after = _stepped(runtime, loop, actor, 1)
    finally:
        loop.close()
    assert after == [0]  # the counter's state is erased: the transition fails (RUN-011.3)


@pytest.mark.req("DUR-005.4", "RUN-020.5", "RUN-021.2")
def test_a_hop_between_shares_is_three_round_trips(relayed: tuple[Relay, Store]) -> None:
    """DUR-005.4, RUN-020.5, RUN-021.2: a runtime of share 1/2 runs the message a runtime
    of share 0/2 sent its actor in three round trips: the journal read (which brings the
    sender's new step and its outbox along, :mod:`gritwit.store._pg_ahead`), the read of
    the message, and the commit; not five (the step and the outbox read one after the
    other)."""
    from asv_bench._multi import Plan, make_actors
    from gritwit.runtime import Share

    relay, store = relayed
    url = store.backend._conninfo  # type: ignore[attr-defined]
    loop = asyncio.new_event_loop()
    plan = Plan(workload="cross", processes=2, counters=0, pairs=1, steps=40, shares=True)
    # the sender's store (through the relay too, but the relay is counted only while b runs)
    other = Store.open(url, create=False)
    try:
        loop.run_until_complete(make_actors(Runtime(other), plan))
        a, b = Runtime(other, share=Share(k=0, n=2)), Runtime(store, share=Share(k=1, n=2))
        # warm: both indexes loaded, and the statements prepared (psycopg prepares one on
        # its 5th execution on a connection, with a round trip of its own)
        for _ in range(12):
            loop.run_until_complete(a.run_until_quiescent(max_steps=1))
            loop.run_until_complete(b.run_until_quiescent(max_steps=1))
        hops = 0
        for _ in range(4):
            if not loop.run_until_complete(a.run_until_quiescent(max_steps=1)).steps:
                continue  # the ball is on b's side: b's hop comes next all the same
            relay.reset()
            report = loop.run_until_complete(b.run_until_quiescent(max_steps=1))
            if report.steps:
                hops += 1
                assert _syncs(relay) == (3, 3), _syncs(relay)
    finally:
        loop.close()
        other.close()
    assert hops >= 2

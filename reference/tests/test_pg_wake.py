"""Wake-ups between writers of a PostgreSQL store (RUN-020.6).

A runtime waiting for another writer's work may be woken by the store: the reference's
PostgreSQL backend notifies the store's channel after each commit that swapped refs,
and :meth:`~gritwit.store.Store.wait_for_swaps` waits on it.  A wake-up is a hint:
these tests check that another writer's swap wakes a waiter and a store without swaps
does not; that a runtime woken by another runtime's send runs the message it reads
from the refs; and that a wake-up lost (the sender's notification never sent, as when
it dies between its commit and its notification) or never possible (an engine without
``pg_notify``) still lets the next run find the message.  Waits are bounded by their
own timeouts, never measured.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import psycopg
import pytest
from core_numbers import head_count
from test_runtime import _say

import gritwit as g
from gritwit.runtime import Runtime, Share
from gritwit.store import Store, _pg_commit, _pg_session
from gritwit.wit import test_actor_core

#: Seconds a waiter may wait for a wake-up that must come (a bound against hangs).
COMES = 30.0
#: Seconds a waiter waits where no wake-up may come: the wait is answered ``False``.
NONE = 0.2


@pytest.mark.req("RUN-020.6")
def test_another_writers_swap_wakes_a_waiter_and_nothing_else_does(
    two: tuple[Store, Store],
) -> None:
    waiter, writer = two
    blob = writer.put(g.encode_object(g.Blob(data=b"wake")))
    assert waiter.wait_for_swaps(NONE) is False  # listening from now on; nothing swapped
    writer.put(g.encode_object(g.Blob(data=b"an object alone swaps no ref")))
    assert waiter.wait_for_swaps(NONE) is False
    woken: list[bool] = []
    thread = threading.Thread(target=lambda: woken.append(waiter.wait_for_swaps(COMES)))
    thread.start()
    writer.cas_ref("names/wake", None, blob)
    thread.join(COMES * 2)
    assert woken == [True]
    assert waiter.wait_for_swaps(NONE) is False  # one wake-up for one swap, then quiet


def _counter_in(share: Share, name: str = "counter") -> tuple[g.Tree, tuple[g.Object, ...]]:
    """A ``name`` test actor's core (a counter's by default) whose actor is in ``share``
    (its ``tag`` makes it so)."""
    for i in range(10_000):
        core, objects = test_actor_core(name, {"tag": g.Blob(data=b"wake %d" % i)})
        if share.owns(g.object_id(core)):
            return core, objects
    raise AssertionError(f"no {name} in the share")


@pytest.mark.parametrize("wake", ["notified", "lost", "no engine support"])
@pytest.mark.req("RUN-020.6", "RUN-021.2", "RUN-003.1")
def test_a_runtime_runs_a_message_another_runtime_sent_woken_or_not(
    pg_url: str, wake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runtime ``mine`` runs share 0/2; runtime ``theirs`` (share 1/2) takes a send to
    an actor of ``mine``'s share.  ``mine`` waits, then runs: it adopts the step, woken
    or not; woken only when the notification was sent."""
    if wake == "no engine support":  # an engine without pg_notify: no channel
        monkeypatch.setattr(_pg_session, "channel", lambda conn: None)
    stores = Store.open(pg_url), Store.open(pg_url)
    mine = Runtime(stores[0], share=Share(k=0, n=2))
    # its sends committed as they are acknowledged (RUN-019.1), not held for its next run
    theirs = Runtime(stores[1], share=Share(k=1, n=2), send_commit="own")
    try:
        core, objects = _counter_in(Share(k=0, n=2))
        actor = asyncio.run(theirs.genesis(core, objects))  # created where it runs, by mine
        assert asyncio.run(mine.run_until_quiescent()).steps
        assert asyncio.run(mine.wait_for_swaps(NONE)) is False  # listening; nothing new
        if wake == "lost":  # the sender dies between its commit and its notification
            monkeypatch.setattr(_pg_commit, "wake", lambda conn, channel: None)
            monkeypatch.setattr(_pg_commit, "wake_call", lambda channel: None)
        asyncio.run(_say(theirs, actor, "inc", "5"))
        woken = asyncio.run(mine.wait_for_swaps(COMES if wake == "notified" else NONE))
        assert woken is (wake == "notified")
        report = asyncio.run(mine.run_until_quiescent())  # reads the refs, woken or not
        assert len(report.steps) == 1 and not report.failures
        assert head_count(stores[0], actor) == 5
    finally:
        for store in stores:
            store.close()


class _RefusesListen:
    """A connection whose server refuses ``LISTEN`` as CockroachDB does (``0A000``)."""

    def __init__(self, conn: psycopg.Connection, tries: list[str]) -> None:
        self._conn, self._tries = conn, tries

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        text = query.as_string(self._conn) if hasattr(query, "as_string") else str(query)
        if text.upper().startswith("LISTEN"):
            self._tries.append(text)
            raise psycopg.errors.FeatureNotSupported("unimplemented: LISTEN is not supported")
        return self._conn.execute(query, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.mark.req("RUN-020.6")
def test_a_refused_listen_falls_back_to_polling(pg_url: str) -> None:
    """A server that refuses ``LISTEN`` (CockroachDB: ``0A000``): the wait sleeps and
    answers ``False``, from then on without asking again, and the runtime still runs
    the message another runtime sent, on its next run."""
    stores = Store.open(pg_url), Store.open(pg_url)
    mine = Runtime(stores[0], share=Share(k=0, n=2))
    theirs = Runtime(stores[1], share=Share(k=1, n=2), send_commit="own")
    listener = stores[0].backend._listener  # type: ignore[attr-defined]
    tries: list[str] = []
    real = listener._connect
    listener._connect = lambda: _RefusesListen(real(), tries)
    try:
        core, objects = _counter_in(Share(k=0, n=2))
        actor = asyncio.run(theirs.genesis(core, objects))
        assert asyncio.run(mine.run_until_quiescent()).steps
        assert listener.listening
        assert asyncio.run(mine.wait_for_swaps(NONE)) is False
        assert len(tries) == 1 and not listener.listening  # refused: polling now
        asyncio.run(_say(theirs, actor, "inc", "7"))
        assert asyncio.run(mine.wait_for_swaps(NONE)) is False  # no wake-up, no error
        assert len(tries) == 1  # not asked again
        report = asyncio.run(mine.run_until_quiescent())
        assert len(report.steps) == 1 and not report.failures
        assert head_count(stores[0], actor) == 7
    finally:
        for store in stores:
            store.close()


async def _fan(rt: Runtime, fan: g.ObjectId, to: g.ObjectId) -> None:
    """Ask ``fan`` to send ``fanned`` to ``to`` (WIT-021.1)."""
    name = g.Blob(data=to.hex().encode())
    tree = g.Tree(entries={"a": g.object_id(name)})
    await rt.send(fan, g.object_id(tree), {"mt": "fanout"}, objects=(name, tree))


@pytest.mark.parametrize("share", [Share(k=0, n=2), None], ids=["share 0/2", "no share"])
@pytest.mark.req("RUN-020.6", "RUN-021.3", "RUN-019.2")
def test_a_runs_commit_wakes_others_only_for_work_outside_its_share(
    two: tuple[Store, Store], share: Share | None
) -> None:
    """A group commit of a run whose new messages are all for actors of the runtime's
    own share (that run runs them) notifies no one; one whose step or grouped send is
    for an actor outside the share wakes the waiter; :meth:`Runtime.flush`, after which
    no run of this runtime may follow, wakes it too.  Without a share every actor is
    the runtime's own: its runs wake no one."""
    store, other = two
    rt = Runtime(store, share=share, send_commit="group")
    waiter_share = Share(k=0, n=2) if share is None else share
    inside, objects = _counter_in(waiter_share)
    fan_core, fan_objects = _counter_in(waiter_share, "fanout")  # WIT-021
    outside, outside_objects = _counter_in(Share(k=1, n=2))

    async def scenario() -> list[bool]:
        woken: list[bool] = []
        counter = await rt.genesis(inside, objects)
        fan = await rt.genesis(fan_core, fan_objects)
        assert other.wait_for_swaps(NONE) is False  # listening from now on
        assert (await rt.run_until_quiescent()).steps  # the geneses: work for itself
        woken.append(other.wait_for_swaps(NONE))
        await _say(rt, counter, "inc", "3")
        assert len((await rt.run_until_quiescent()).steps) == 1
        woken.append(other.wait_for_swaps(NONE))
        far = await rt.genesis(outside, outside_objects)  # a grouped send out of the share
        await rt.run_until_quiescent()
        woken.append(other.wait_for_swaps(COMES if share is not None else NONE))
        await _fan(rt, fan, far)  # a step whose message is for an actor out of the share
        assert len((await rt.run_until_quiescent()).steps) == (1 if share is not None else 2)
        woken.append(other.wait_for_swaps(COMES if share is not None else NONE))
        await _say(rt, counter, "inc", "4")
        rt.flush()  # committed now, and no run may follow: whoever waits is woken
        woken.append(other.wait_for_swaps(COMES))
        return woken

    woken = asyncio.run(scenario())
    outside_share = share is not None
    assert woken == [False, False, outside_share, outside_share, True]
    assert head_count(store, g.object_id(inside)) == 3


@pytest.mark.req("RUN-020.6")
def test_opening_a_store_wakes_no_one(pg_url: str) -> None:
    """Opening a store asks the engine whether it has ``pg_notify`` without notifying:
    a listener on the store's channel gets the notification of a swap made after a
    second store was opened, and none before it (notifications arrive in commit order:
    one sent at the open would come first; it made every waiting runtime read the
    journal once for nothing)."""
    from gritwit.store._postgres import PostgresBackend

    first = Store.open(pg_url)
    try:
        backend = first.backend
        assert isinstance(backend, PostgresBackend) and backend._channel is not None
        listener = backend._connect()
        listener.execute(f"LISTEN {backend._channel}")
        second = Store.open(pg_url)  # its open probes the engine
        try:
            second.cas_ref("names/woken", None, second.put_object(g.Blob(data=b"w")))
        finally:
            second.close()
        got = list(listener.notifies(timeout=COMES, stop_after=1))  # a bound, not a measure
        got += list(listener.notifies(timeout=0))
        listener.close()
    finally:
        first.close()
    assert len(got) == 1, [n.payload for n in got]

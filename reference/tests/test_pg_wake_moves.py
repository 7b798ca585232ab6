"""Wake-ups that carry what moved, on PostgreSQL (RUN-020.8, RUN-020.9, RUN-020.10).

A writer's wake-up names the refs its commit swapped, their new targets and their
journal positions: checked against what a journal read of another store finds, heard
on a listening connection of the test's own.  A runtime woken by wake-ups that chain
onto its last read catches up without reading the journal, and reads it when one is
lost (a gap), empty (a commit too large to name, ``gritwit_wake=empty``), unreadable, or
when its listening connection died; in every case the messages sent run once.  Waits
are bounded by their own timeouts, never measured.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import psycopg.sql
import pytest
from test_pg_wake import COMES, NONE, _counter_in
from test_runtime import _count, _say

import gritwit as g
from gritwit.runtime import Runtime, Share
from gritwit.store import Store, _pg_commit, _pg_session, _pg_wake
from gritwit.store._pg_schema import PARTS, part_of
from gritwit.store._postgres import PostgresBackend


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """A new, empty PostgreSQL store in a schema of this test's own."""
    from gritwit.store import create_schema

    return create_schema(pg_database)


@pytest.fixture
def listening(pg_url: str) -> Iterator[psycopg.Connection]:
    """A connection of the test's own listening on the store's channel."""
    conn = psycopg.connect(pg_url, autocommit=True)
    channel = _pg_session.channel(conn)
    assert channel is not None
    conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel)))
    try:
        yield conn
    finally:
        conn.close()


def _heard(conn: psycopg.Connection, timeout: float = COMES) -> list[str]:
    """The payloads that came: waits for the first, takes the rest at once."""
    heard = [n.payload for n in conn.notifies(timeout=timeout, stop_after=1)]
    return heard + [n.payload for n in conn.notifies(timeout=0)]


def _quiet(conn: psycopg.Connection) -> None:
    """Take what came until nothing comes for a while (the stores' opening probes)."""
    while _heard(conn, NONE):
        pass


@pytest.mark.req("RUN-020.8")
def test_a_wake_up_names_what_a_journal_read_finds(
    pg_url: str, listening: psycopg.Connection
) -> None:
    """One swap, then a whole commit of refs in several parts: each wake-up's segments
    are, part by part, the versions and rows another store's journal read finds."""
    writer, reader = Store.open(pg_url), Store.open(pg_url)
    try:
        _quiet(listening)  # the stores' opening probes
        blobs = [writer.put(g.encode_object(g.Blob(data=b"%d" % i))) for i in range(6)]
        start, _ = reader.refs_changed_since(None)
        writer.cas_ref("names/one", None, blobs[0])
        (one,) = _heard(listening)
        middle, swaps = reader.refs_changed_since(start)
        assert swaps == [("names/one", blobs[0])]
        part = part_of(b"names/one")
        assert _pg_wake.decode(one, PARTS) == (
            _pg_wake.Segment(part=part, before=start[part], after=middle[part], swaps=(swaps[0],)),
        )
        names = [f"names/many-{i}" for i in range(5)]
        assert len({part_of(n.encode()) for n in names}) > 1
        moves = [(n, None, b) for n, b in zip(names, blobs[1:], strict=True)]
        moves.append(("names/one", blobs[0], None))  # a ref deleted in the same commit
        assert writer.backend.commit_all([], moves)
        (whole,) = _heard(listening)
        end, swaps = reader.refs_changed_since(middle)
        segments = _pg_wake.decode(whole, PARTS)
        assert segments is not None
        assert {s.part for s in segments} == {p for p in range(PARTS) if end[p] != middle[p]}
        for s in segments:
            assert (s.before, s.after) == (middle[s.part], end[s.part])
        assert _pg_wake.chain(middle, segments) == (end, swaps)
    finally:
        writer.close()
        reader.close()


@pytest.mark.req("RUN-020.8")
def test_a_swap_not_made_wakes_no_one_and_a_commit_too_large_wakes_empty(
    pg_url: str, listening: psycopg.Connection
) -> None:
    writer = Store.open(pg_url)
    try:
        _quiet(listening)
        blob = writer.put(g.encode_object(g.Blob(data=b"x")))
        other = writer.put(g.encode_object(g.Blob(data=b"y")))
        writer.cas_ref("names/a", None, blob)
        assert len(_heard(listening)) == 1
        with pytest.raises(g.RefConflict):  # a conflict: nothing moved
            writer.cas_ref("names/a", other, blob)
        assert _heard(listening, NONE) == []
        many = [(f"names/r{i:03d}", None, blob) for i in range(120)]  # about 9 KB of lines
        assert writer.backend.commit_all([], many)
        assert _heard(listening) == [""]  # too large to name: the receiver reads the journal
    finally:
        writer.close()


@pytest.mark.parametrize("wake", ["moves", "empty"])
@pytest.mark.req("RUN-020.10", "RUN-020.6")
def test_a_commit_with_work_for_no_one_else_wakes_quietly(
    pg_url: str, listening: psycopg.Connection, wake: str
) -> None:
    """A swap made with ``wake=False`` (a run's commit whose messages are all for its
    own share): a quiet wake-up naming it where wake-ups carry what moved; none where
    they are empty (then it could tell a receiver nothing)."""
    writer = Store.open(pg_url + f"&gritwit_wake={wake}")
    try:
        _quiet(listening)
        blob = writer.put(g.encode_object(g.Blob(data=b"x")))
        writer.backend.insert_many_then_cas([], "names/a", None, blob, wake=False)
        heard = _heard(listening, COMES if wake == "moves" else NONE)
        if wake == "empty":
            assert heard == []
            return
        (payload,) = heard
        (segment,) = _pg_wake.decode(payload, PARTS) or ()
        assert segment.quiet and segment.swaps == (("names/a", blob),)
    finally:
        writer.close()


@pytest.mark.req("RUN-020.8")
def test_gritwit_wake_empty_sends_empty_wake_ups(
    pg_url: str, listening: psycopg.Connection
) -> None:
    writer = Store.open(pg_url + "&gritwit_wake=empty")
    try:
        _quiet(listening)
        blob = writer.put(g.encode_object(g.Blob(data=b"x")))
        writer.cas_ref("names/a", None, blob)
        assert _heard(listening) == [""]
    finally:
        writer.close()


class _Reads:
    """Counts the journal reads of the process (``refs_changed_since`` calls)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real: Callable[..., Any] = PostgresBackend.refs_changed_since

        def counted(backend: PostgresBackend, version: Any) -> Any:
            self.calls += 1
            return real(backend, version)

        monkeypatch.setattr(PostgresBackend, "refs_changed_since", counted)


@pytest.fixture
def pair(pg_url: str) -> Iterator[tuple[Runtime, Runtime, Store]]:
    """Runtime ``mine`` (share 0/2) and ``theirs`` (1/2, its sends committed as they are
    acknowledged), and ``mine``'s store."""
    stores = Store.open(pg_url), Store.open(pg_url)
    mine = Runtime(stores[0], share=Share(k=0, n=2))
    theirs = Runtime(stores[1], share=Share(k=1, n=2), send_commit="own")
    try:
        yield mine, theirs, stores[0]
    finally:
        for store in stores:
            store.close()


def _started(mine: Runtime, theirs: Runtime, store: Store) -> g.ObjectId:
    """A counter of ``mine``'s share, created by ``theirs`` and run by ``mine``, which
    listens from then on."""
    core, objects = _counter_in(Share(k=0, n=2))
    actor = asyncio.run(theirs.genesis(core, objects))
    assert asyncio.run(mine.run_until_quiescent()).steps
    assert asyncio.run(mine.wait_for_swaps(NONE, 0.0)) is False  # listening; nothing new
    return actor


@pytest.mark.parametrize("wake", ["moves", "lost", "unreadable", "listener lost"])
@pytest.mark.req("RUN-020.9", "RUN-020.6", "RUN-003.3")
def test_a_runtime_catches_up_from_wake_ups_only_when_they_chain(
    pair: tuple[Runtime, Runtime, Store], wake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``theirs`` sends two messages to ``mine``'s counter.  Woken by wake-ups that chain
    onto its last read, ``mine`` runs both without a journal read of its own (its commit
    reads along, RUN-020.7); with the first wake-up lost (a gap), a payload it cannot
    read, or its listening connection gone, it reads the journal.  Either way each
    message runs once."""
    mine, theirs, store = pair
    actor = _started(mine, theirs, store)
    if wake == "lost":  # the sender dies between its commit and its notification
        monkeypatch.setattr(_pg_commit, "wake_call", lambda channel: None)
    asyncio.run(_say(theirs, actor, "inc", "5"))
    monkeypatch.undo()
    if wake == "unreadable":
        with psycopg.connect(store.backend._conninfo, autocommit=True) as conn:  # type: ignore[attr-defined]
            conn.execute("SELECT pg_notify(%s, 'gw1\np 99 0 1')", (store.backend._channel,))  # type: ignore[attr-defined]
    if wake == "listener lost":
        with psycopg.connect(store.backend._conninfo, autocommit=True) as conn:  # type: ignore[attr-defined]
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = %s",
                (f'LISTEN "{store.backend._channel}"',),  # type: ignore[attr-defined]
            )
        # heard as lost (after the wake-up the connection had taken in before it died,
        # when it had), then listening again on a new connection
        heard = [asyncio.run(mine.wait_for_swaps(COMES, 0.0))]
        while heard[-1] and len(heard) < 4:
            heard.append(asyncio.run(mine.wait_for_swaps(NONE, 0.0)))
        assert heard[0] and heard[-1] is False, heard
    asyncio.run(_say(theirs, actor, "inc", "4"))
    assert asyncio.run(mine.wait_for_swaps(COMES, 0.0))
    reads = _Reads(monkeypatch)
    report = asyncio.run(mine.run_until_quiescent())
    assert report.steps and not report.failures  # a step may read both (WIT-005)
    assert _count(store, actor) == 9
    assert reads.calls == (0 if wake == "moves" else 1)
    again = asyncio.run(mine.run_until_quiescent())  # nothing read twice
    assert not again.steps and _count(store, actor) == 9


@pytest.mark.req("RUN-020.9", "RUN-020.8")
def test_empty_wake_ups_mean_a_journal_read(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: a sender whose wake-ups are empty (``gritwit_wake=empty``) wakes
    ``mine`` all the same, and ``mine`` reads the journal once to learn what moved."""
    stores = Store.open(pg_url), Store.open(pg_url + "&gritwit_wake=empty")
    mine = Runtime(stores[0], share=Share(k=0, n=2))
    theirs = Runtime(stores[1], share=Share(k=1, n=2), send_commit="own")
    try:
        actor = _started(mine, theirs, stores[0])
        asyncio.run(_say(theirs, actor, "inc", "3"))
        assert asyncio.run(mine.wait_for_swaps(COMES, 0.0))
        reads = _Reads(monkeypatch)
        assert len(asyncio.run(mine.run_until_quiescent()).steps) == 1
        assert reads.calls == 1 and _count(stores[0], actor) == 3
    finally:
        for store in stores:
            store.close()


@pytest.mark.req("RUN-020.10")
def test_a_runtimes_own_commits_do_not_wake_it(pair: tuple[Runtime, Runtime, Store]) -> None:
    """``mine`` sends to an actor of the other share: its group commit wakes others, and
    read along with it (RUN-020.7) it wakes ``mine`` itself not at all; ``theirs``'s
    waiter is woken."""
    mine, theirs, store = pair
    actor = _started(mine, theirs, store)
    asyncio.run(theirs.wait_for_swaps(NONE, 0.0))  # listening from now on
    core, objects = _counter_in(Share(k=1, n=2), "fanout")
    asyncio.run(mine.genesis(core, objects))  # for the other share: a grouped send out
    asyncio.run(_say(mine, actor, "inc", "2"))
    assert asyncio.run(mine.run_until_quiescent()).steps
    assert asyncio.run(mine.wait_for_swaps(NONE, 0.0)) is False
    assert asyncio.run(theirs.wait_for_swaps(COMES, 0.0)) is True

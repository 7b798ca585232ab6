"""Notes nobody reads are not written: the flag *read by parts* (DUR-005.5).

A PostgreSQL write journals the notes of a swap (:mod:`gritwit.store._pg_notes`) only
where the swap's own part's row of ``gritwit_parts`` has the flag *read by parts*, which
a reader of some parts sets on every part, in one transaction, before it reads the
version it lists the refs at.  These tests count the journal rows writes made against
the rows the clause says they make (one per swap; one more per part noted once a
reader joined), force the race of a writer that holds its part's row while a reader
joins (the reader's update waits, the writer commits without notes, the reader's
listing holds its swap), kill a reader in the middle of its join (no flag set, nothing
lost), and open a store made before the flag (every row reads as set: notes written).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import psycopg
import pytest

import gritwit as g
from gritwit._ids import ObjectId
from gritwit.runtime import Runtime, Share, export_bundle
from gritwit.runtime._index import RoutingIndex
from gritwit.store import Store, _pg_wire
from gritwit.store._pg_schema import PARTS
from gritwit.store._store_options import split_options

BLOBS = [g.Blob(data=f"unread {i}".encode()) for i in range(8)]
IDS = [g.object_id(b) for b in BLOBS]
#: Seconds a step of a forced interleaving may take before the test calls it hung (a bound).
LIMIT = 60.0


def _actor_in(part: int, salt: int = 0) -> ObjectId:
    """An actor id whose 16th hex digit (its part, DUR-005.5) is ``part``."""
    digest = bytearray(g.object_id(g.Blob(data=b"actor %d %d" % (part, salt))).digest)
    digest[7] = (digest[7] & 0xF0) | part
    return ObjectId(bytes(digest))


def _sql(url: str) -> psycopg.Connection:
    """A plain connection to the store's schema, autocommit."""
    plain, _ = split_options(url)
    conn = psycopg.connect(plain, autocommit=True)
    conn.execute(f"SET search_path = {url.split('search_path%3D')[-1].split('&')[0]}")
    return conn


def _flags(url: str) -> list[bool]:
    with _sql(url) as conn:
        rows = conn.execute(
            "SELECT read_by_parts FROM gritwit_parts WHERE part >= 0 ORDER BY part"
        ).fetchall()
    return [bool(flag) for (flag,) in rows]


def _rows(url: str) -> int:
    with _sql(url) as conn:
        row = conn.execute("SELECT count(*) FROM ref_journal_parts").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def stores(pg_url: str) -> Iterator[tuple[Store, Store]]:
    """A writer's store and a reader's, on one new PostgreSQL store."""
    writer, reader = Store.open(pg_url), Store.open(pg_url)
    try:
        writer.put_objects(BLOBS)
        yield writer, reader
    finally:
        writer.close()
        reader.close()


def _write(store: Store, turn: int, said: frozenset[int] | None, whole: bool) -> int:
    """A write of heads in part 9 (two, ``whole``), noting ``said`` (``None``: unsaid,
    every other part); the notes the clause has it journal once a reader joined."""
    names = ["heads/" + _actor_in(9, 100 * turn + i).hex() for i in range(2 if whole else 1)]
    if said is not None:
        store.backend.note({n: (IDS[turn % len(IDS)], said) for n in names})  # type: ignore[attr-defined]
    if whole:
        assert store.backend.commit_all([], [(n, None, IDS[turn % len(IDS)]) for n in names])  # type: ignore[attr-defined]
    else:
        store.backend.cas_ref(names[0], None, IDS[turn % len(IDS)])  # type: ignore[attr-defined]
    noted = (frozenset(range(PARTS)) if said is None else said) - {9}
    return len(names) * len(noted)


@pytest.mark.req("DUR-005.5")
@pytest.mark.parametrize("whole", [False, True], ids=["one swap", "a whole write"])
def test_no_reader_by_parts_no_note_then_a_reader_joins_and_notes_are_written(
    stores: tuple[Store, Store], pg_url: str, whole: bool
) -> None:
    """Before any reader reads by parts, each write journals its swaps' rows only; a
    reader joins (every flag set) and from then on each write journals its notes too."""
    writer, reader = stores
    assert _flags(pg_url) == [False] * PARTS, "DUR-005.5: a new store's parts are unread"
    swaps = 2 if whole else 1
    before = _rows(pg_url)
    for turn, said in enumerate([None, frozenset({0, 3}), frozenset({5})]):
        _write(writer, turn, said, whole)
    assert _rows(pg_url) == before + 3 * swaps, (
        "DUR-005.5: with no reader by parts a write journals its swaps, no note"
    )
    reader.read_by_parts()
    assert _flags(pg_url) == [True] * PARTS, "DUR-005.5: a reader joining sets every flag"
    before = _rows(pg_url)
    noted = sum(_write(writer, 10 + t, s, whole) for t, s in enumerate([None, frozenset({0, 3})]))
    assert noted == swaps * (15 + 2)
    assert _rows(pg_url) == before + 2 * swaps + noted, (
        "DUR-005.5: once a reader reads by parts, each write journals its notes"
    )


@pytest.mark.req("DUR-005.5", "RUN-020.7")
def test_a_first_read_by_parts_sets_the_flags_and_lists_the_refs(
    stores: tuple[Store, Store], pg_url: str
) -> None:
    """A reader that reads by parts without joining first is joined by that read, whose
    swaps are unknown (the refs listed): a version it read before may lack notes."""
    writer, reader = stores
    start, _ = reader.refs_changed_since(None)
    _write(writer, 0, frozenset({3}), whole=False)
    _, swaps = reader.refs_changed_since(start, frozenset({3, 7}))
    assert swaps is None, "DUR-005.5: the first read by parts lists the refs"
    assert _flags(pg_url) == [True] * PARTS, "DUR-005.5: the first read by parts joined"
    now, _ = reader.refs_changed_since(None)
    _write(writer, 1, frozenset({3}), whole=False)
    _, swaps = reader.refs_changed_since(now, frozenset({3, 7}))
    name = "heads/" + _actor_in(9, 100).hex()
    assert swaps == [(name, IDS[1])], "DUR-005.5: after it, the notes to its parts are read"


@pytest.mark.req("DUR-005.5", "RUN-020.7")
def test_a_first_write_reading_by_parts_along_joins_first_and_lists_the_refs(
    stores: tuple[Store, Store], pg_url: str
) -> None:
    """A reader whose first read by parts is the one a write of its own would carry along
    (RUN-020.7) joins before that write (every flag set), and the swaps since the version
    it read before joining are unknown (the refs listed): that version may lack notes
    skipped while no flag was set.  The write carries no read along then."""
    writer, reader = stores
    start, _ = reader.refs_changed_since(None)
    erased = reader.erasures()
    _write(writer, 0, frozenset({3}), whole=False)  # no reader by parts yet: not noted
    assert reader.follow_journal(start, erased, frozenset({3, 7}))
    assert reader.backend.commit_all([], [("names/reader", None, IDS[1])])  # type: ignore[attr-defined]
    assert _flags(pg_url) == [True] * PARTS, "DUR-005.5: the reader joined before its write"
    assert reader.followed() is None, "DUR-005.5: no read by parts carried before joining"
    _, swaps = reader.refs_changed_since(start, frozenset({3, 7}))
    assert swaps is None, "DUR-005.5: the first read by parts after joining lists the refs"


@pytest.mark.req("DUR-005.5", "RUN-020.7", "DUR-005.4")
def test_a_write_reading_every_part_along_joins_nothing_and_carries_the_read(
    stores: tuple[Store, Store], pg_url: str
) -> None:
    """A reader of every part follows the journal with its write (RUN-020.7: one round
    trip for both, DUR-005.4) and reads every swap, notes or not: it sets no flag, so
    no writer journals notes nobody reads (DUR-005.5)."""
    writer, reader = stores
    start, _ = reader.refs_changed_since(None)
    erased = reader.erasures()
    _write(writer, 0, frozenset({3}), whole=False)
    assert reader.follow_journal(start, erased)
    assert reader.backend.commit_all([], [("names/reader", None, IDS[1])])  # type: ignore[attr-defined]
    assert _flags(pg_url) == [False] * PARTS, "DUR-005.5: a reader of every part joins nothing"
    answer = reader.followed()
    name = "heads/" + _actor_in(9, 0).hex()
    assert answer is not None and answer[1] is not None and (name, IDS[0]) in answer[1], (
        f"RUN-020.7: the write carried the read of the other writer's swap along: {answer}"
    )


def _held_write(
    store: Store, name: str, target: ObjectId, held: threading.Event, go: threading.Event
) -> threading.Thread:
    """A thread that writes ``name`` → ``target`` on ``store`` and stops before its
    ``COMMIT``, its part's row locked (``held``), until ``go``."""
    real = _pg_wire.pipeline
    writing: list[threading.Thread] = []

    def pipeline(
        conn: Any, calls: Sequence[tuple[Any, Mapping[str, object]]], *, tail: int = 0
    ) -> Any:
        if threading.current_thread() not in writing:
            return real(conn, calls, tail=tail)
        end = next(i for i, (sql, _) in enumerate(calls) if sql.text == b"COMMIT")
        answers = real(conn, calls[:end], tail=0)  # its transaction open, its rows locked
        held.set()
        assert go.wait(LIMIT)
        return answers + real(conn, calls[end:], tail=tail)

    def write() -> None:
        store.backend.cas_ref(name, None, target)  # type: ignore[attr-defined]

    thread = threading.Thread(target=write)
    writing.append(thread)
    _pg_wire.pipeline = pipeline  # type: ignore[assignment]
    return thread


def _waiting_joins(url: str) -> int:
    """Sessions of the server waiting for a lock in a reader's join (:data:`JOIN`)."""
    with _sql(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE %s",
            ("%read_by_parts = true%",),
        ).fetchone()
    assert row is not None
    return int(row[0])


def _until(check: Any, what: str) -> None:
    deadline = time.monotonic() + LIMIT
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@pytest.mark.req("DUR-005.5", "DUR-003", "DUR-007.2")
@pytest.mark.parametrize("level", ["read-committed", "repeatable-read", "serializable"])
def test_a_join_waits_for_the_writer_that_holds_a_part_whose_swap_its_listing_holds(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, level: str
) -> None:
    """A writer holds its part's row, its note skipped (no flag yet); a reader joins: its
    update waits for that writer, which commits; the reader's listing, made after, holds
    the swap, and a write after the join is noted to the reader's parts.  Above
    ``READ COMMITTED`` the join meets the writer's update as a serialization failure and
    runs again."""
    url = pg_url + ("&" if "?" in pg_url else "?") + f"gritwit_isolation={level}"
    writer, reader = Store.open(url), Store.open(url)
    try:
        writer.put_objects(BLOBS)
        _join_race(writer, reader, url, monkeypatch)
    finally:
        writer.close()
        reader.close()


def _join_race(writer: Store, reader: Store, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pg_wire, "pipeline", _pg_wire.pipeline)  # restored after
    name = "heads/" + _actor_in(9, 1).hex()
    held, go = threading.Event(), threading.Event()
    thread = _held_write(writer, name, IDS[0], held, go)
    before = _rows(pg_url)
    thread.start()
    assert held.wait(LIMIT)
    joined: list[object] = []
    join = threading.Thread(target=lambda: joined.append(reader.read_by_parts()))
    join.start()
    _until(lambda: _waiting_joins(pg_url) == 1, "DUR-005.5: the join waits for the writer")
    assert not joined, "DUR-005.5: the join waits for the writer that holds a part's row"
    go.set()
    thread.join(LIMIT)
    join.join(LIMIT)
    assert joined and _flags(pg_url) == [True] * PARTS, "DUR-005.5: the join was made"
    assert _rows(pg_url) == before + 1, (
        "DUR-005.5: the writer that held its row before the join journaled no note"
    )
    start, swaps = reader.refs_changed_since(None, frozenset({3, 7}))
    assert swaps is None and reader.get_ref(name) == IDS[0], (
        "DUR-005.5: the reader's listing, after its join, holds the unnoted swap"
    )
    later = "heads/" + _actor_in(9, 2).hex()
    writer.backend.cas_ref(later, None, IDS[1])  # type: ignore[attr-defined]
    _, swaps = reader.refs_changed_since(start, frozenset({3, 7}))
    assert swaps == [(later, IDS[1])], "DUR-005.5: a write after the join notes its parts"


_JOIN_CHILD = """
import sys
from gritwit.store import Store
store = Store.open(sys.argv[1])
print("joining", flush=True)
store.read_by_parts()
print("joined", flush=True)
"""


@pytest.mark.req("DUR-005.5", "DUR-001")
def test_a_reader_killed_in_its_join_sets_all_flags_or_none_and_a_later_join_all(
    pg_url: str,
) -> None:
    """A reader SIGKILLed while its join waits for a writer's part: its one transaction
    sets every flag or none (the server rolls it back, or finishes the statement before
    it sees the socket closed), never some, and the killed reader listed nothing; a
    next reader's join sets every flag."""
    Store.open(pg_url).close()
    holder = _sql(pg_url)
    try:
        holder.execute("BEGIN")
        holder.execute("SELECT 1 FROM gritwit_parts WHERE part = -1 FOR SHARE")
        holder.execute("UPDATE gritwit_parts SET commits = commits + 1 WHERE part = 12")
        proc = subprocess.Popen(
            [sys.executable, "-c", _JOIN_CHILD, pg_url], stdout=subprocess.PIPE, text=True
        )
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "joining"
            _until(lambda: _waiting_joins(pg_url) == 1, "DUR-005.5: the join waits")
            proc.kill()
            assert proc.wait(LIMIT) != 0
        finally:
            if proc.poll() is None:
                proc.kill()
        holder.execute("COMMIT")
    finally:
        holder.close()
    _until(lambda: _waiting_joins(pg_url) == 0, "DUR-001: the killed session ends")
    # the server may finish the killed session's statement before it sees the socket
    # closed (the statement is its own transaction): every flag, or none, never some
    assert _flags(pg_url) in ([False] * PARTS, [True] * PARTS), (
        "DUR-005.5: a killed join set every flag or none, in one transaction"
    )
    store = Store.open(pg_url)
    try:
        store.read_by_parts()
    finally:
        store.close()
    assert _flags(pg_url) == [True] * PARTS, "DUR-005.5: a later join sets every flag"


@pytest.mark.req("DUR-005.5", "DUR-005")
def test_a_store_made_before_the_flag_opens_and_its_writers_note(pg_url: str) -> None:
    """A store whose parts' rows lack the flag (made before it) is given it, set on every
    row, by the next opener: its writers note as before, whether a reader joined or not."""
    Store.open(pg_url).close()
    with _sql(pg_url) as conn:
        conn.execute("ALTER TABLE gritwit_parts DROP COLUMN read_by_parts")
    store = Store.open(pg_url)
    try:
        assert _flags(pg_url) == [True] * PARTS, (
            "DUR-005.5: a part's row made before the flag reads as set"
        )
        store.put_objects(BLOBS)
        before = _rows(pg_url)
        noted = _write(store, 0, frozenset({3, 4}), whole=False)
        assert _rows(pg_url) == before + 1 + noted, (
            "DUR-005.5: a writer of a store made before the flag notes"
        )
    finally:
        store.close()


@pytest.mark.req("DUR-005.5", "RUN-020.7", "RUN-021.2", "RUN-009.4")
def test_a_runtime_joins_before_its_listing_so_a_swap_after_it_is_noted(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runtime of share 0/4 starts on a store no reader by parts joined yet; right after
    its first listing of the refs, a plain writer imports a sender (another share's part)
    with a message queued to the runtime's ``echo`` (noted to every part, RUN-009.4).
    The runtime joined before that listing, so the import is noted to its parts and
    the echo runs the message once."""
    from test_pg_notes_runtime import _core_in, _echoes, _fan_to

    loop = asyncio.new_event_loop()
    store, other = Store.open(pg_url), Store.open(pg_url)
    try:
        maker_rt = Runtime(other)
        echo_core, echo_objects = _core_in("echo", Share(k=0, n=4), "echo")
        echo = loop.run_until_complete(maker_rt.genesis(echo_core, echo_objects))
        maker_rt.flush()
        assert _flags(pg_url) == [False] * PARTS, "DUR-005.5: no reader by parts yet"
        elsewhere = Store.memory()
        maker = Runtime(elsewhere)
        sender_core, sender_objects = _core_in("fanout", Share(k=1, n=4), "imported")
        sender = loop.run_until_complete(maker.genesis(sender_core, sender_objects))
        content, blobs = _fan_to(echo)
        loop.run_until_complete(
            maker.send(sender, g.object_id(content), {"mt": "fanout"}, objects=(content, *blobs))
        )
        loop.run_until_complete(maker.run_until_quiescent())
        bundle = export_bundle(elsewhere, sender)
        real = RoutingIndex.load
        done: list[int] = []

        def load(self: RoutingIndex, *args: Any, **kwargs: Any) -> Any:
            listed = real(self, *args, **kwargs)
            if not done:
                done.append(1)
                maker_rt.import_bundle(bundle)  # a plain swap, after the listing
            return listed

        monkeypatch.setattr(RoutingIndex, "load", load)
        reader = Runtime(store, share=Share(k=0, n=4))
        for _ in range(4):
            loop.run_until_complete(reader.run_until_quiescent())
        assert done, "the import was made right after the runtime's listing"
        assert _echoes(store, echo, sender) == 1, (
            "DUR-005.5: the swap after the listing was noted to the share, its message run once"
        )
    finally:
        loop.close()
        store.close()
        other.close()

"""Notes said for a ref's deletion, and when a reader by parts lists the refs
(DUR-005.5, RUN-020.7): ``store/_pg_notes.py``.

* what a writer says of a swap applies to the target it names, a deletion (no target)
  too: its parts are noted, not the defaults;
* a reader that joined (every part's flag set) with its next read by parts to list
  the refs — a version it read before joining may lack notes the writers skipped
  then — lists them at its first read *by parts*: a read of every part in between
  (which has the swaps themselves, no notes needed) does not take that listing away.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

import gritwit as g
from gritwit._ids import ObjectId
from gritwit.store import Store
from gritwit.store._pg_notes import ALL_PARTS, notes_of
from gritwit.store._pg_schema import PARTS
from gritwit.store._postgres import PostgresBackend
from gritwit.store._store_options import split_options

BLOBS = [g.Blob(data=f"read {i}".encode()) for i in range(3)]
IDS = [g.object_id(b) for b in BLOBS]


def _actor_in(part: int) -> ObjectId:
    """An actor id whose 16th hex digit (its part, DUR-005.5) is ``part``."""
    digest = bytearray(g.object_id(g.Blob(data=b"reader's actor %d" % part)).digest)
    digest[7] = (digest[7] & 0xF0) | part
    return ObjectId(bytes(digest))


def _flags(url: str) -> list[bool]:
    """Each part's flag: whether a reader by parts joined (DUR-005.5)."""
    plain, _ = split_options(url)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"SET search_path = {url.split('search_path%3D')[-1].split('&')[0]}")
        rows = conn.execute(
            "SELECT read_by_parts FROM gritwit_parts WHERE part >= 0 ORDER BY part"
        ).fetchall()
    return [bool(flag) for (flag,) in rows]


@pytest.mark.req("DUR-005.5")
@pytest.mark.parametrize("part", [0, 9, 15])
def test_a_deletion_said_notes_the_parts_said(part: int) -> None:
    """A head's deletion said to note parts {3, 4} notes those (its own part never);
    said for a target instead, the deletion notes its defaults, every other part."""
    name = "heads/" + _actor_in(part).hex()
    said = frozenset({3, 4})
    notes = notes_of([(name.encode(), None)], {name: (None, said)})
    assert {n[2] for n in notes} == said - {part}, "DUR-005.5: the parts said are noted"
    assert all(n[:2] == (name.encode(), None) and n[3] == part for n in notes)
    unsaid = notes_of([(name.encode(), None)], {name: (IDS[0], said)})
    assert {n[2] for n in unsaid} == ALL_PARTS - {part}, (
        "DUR-005.5: said for another target, the swap notes its defaults"
    )


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


@pytest.mark.req("DUR-005.5", "RUN-020.7")
def test_a_read_of_every_part_leaves_the_listing_to_the_first_read_by_parts(
    stores: tuple[Store, Store], pg_url: str
) -> None:
    """The reader reads version ``start`` (every part), a writer moves a head of part 9
    saying part 3 (no reader by parts yet: no note), the reader joins to list at its
    next read by parts, reads every part after ``start`` (the swap is there), then
    reads parts {3, 7} after ``start``: its swaps are unknown, the refs listed — the
    note to part 3 was never written, so an answer would lack the swap."""
    writer, reader = stores
    backend, writes = reader.backend, writer.backend
    assert isinstance(backend, PostgresBackend) and isinstance(writes, PostgresBackend)
    start, _ = reader.refs_changed_since(None)
    name = "heads/" + _actor_in(9).hex()
    writes.note({name: (IDS[0], frozenset({3}))})
    writes.cas_ref(name, None, IDS[0])
    backend.read_by_parts(unread=True)
    assert _flags(pg_url) == [True] * PARTS, "DUR-005.5: the reader joined"
    _, every = reader.refs_changed_since(start)
    assert every == [(name, IDS[0])], "a read of every part has the swap itself"
    _, mine = reader.refs_changed_since(start, frozenset({3, 7}))
    assert mine is None, (
        "DUR-005.5: the first read by parts after joining lists the refs, a read of every"
        " part before it notwithstanding"
    )
    now, _ = reader.refs_changed_since(None, frozenset({3, 7}))
    writes.note({name: (IDS[1], frozenset({3}))})
    writes.cas_ref(name, IDS[0], IDS[1])
    _, later = reader.refs_changed_since(now, frozenset({3, 7}))
    assert later == [(name, IDS[1])], "DUR-005.5: once listed, the notes to its parts are read"


@pytest.mark.req("DUR-005.5", "RUN-020.7")
def test_a_write_asked_to_read_some_parts_along_joins_first_and_reads_nothing_along(
    stores: tuple[Store, Store], pg_url: str
) -> None:
    """A process that never read by parts asks its next write to read parts {3, 7} along
    after ``start``: it joins first (every flag set), and as a version read before
    joining may lack notes, the write reads nothing along (the caller lists the refs)."""
    writer, reader = stores
    start, _ = reader.refs_changed_since(None)
    name = "heads/" + _actor_in(9).hex()
    writes = writer.backend
    assert isinstance(writes, PostgresBackend)
    writes.note({name: (IDS[0], frozenset({3}))})
    writes.cas_ref(name, None, IDS[0])  # before any reader joined: no note to part 3
    assert _flags(pg_url) == [False] * PARTS, "DUR-005.5: no reader by parts yet"
    assert reader.follow_journal(start, reader.erasures(), frozenset({3, 7}))
    assert _flags(pg_url) == [True] * PARTS, "DUR-005.5: asking a read by parts joined"
    blob = g.Blob(data=b"the reader's own")
    own = g.object_id(blob)
    assert reader.commit_all([(g.encode_object(blob), own)], [("names/reader", None, own, blob)])
    assert reader.followed() is None, (
        "DUR-005.5: a read by parts after a version read before joining is not carried along"
    )

"""Writers of a PostgreSQL store wait for one another only where they must (DUR-005.5).

The refs fall into parts (:func:`gritwit.store._pg_schema.part_of`), each with its own
lock row and journal.  These tests hold one part's row in a transaction of their own,
as a slow writer would, and check from the server's side (``pg_stat_activity``: a
backend waiting for a lock) that a swap of a ref in another part goes through while a
swap in the same part waits; that an erasure waits for a write under way and a write
for an erasure; and that writers swapping refs of many parts at once, with objects in
common, never meet in a deadlock (no ``40P01`` retried) and journal each ref's swaps in
the order they committed; and that the refs of actors of different shares ``k/n``
(``n`` dividing 16) fall in different parts, so runtimes with those shares never wait
for each other's rows.  Nothing here is timed: a wait is seen, not measured, and
:data:`WAIT_LIMIT` only bounds a hang.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pg_locks import WAIT_LIMIT, in_thread, names_in, pid_of, waits_or_ends

import gritwit as g
from gritwit._ids import ObjectId
from gritwit.runtime import Share
from gritwit.store import CasResult, CasStatus, Store
from gritwit.store._pg_retry import retries
from gritwit.store._pg_schema import GATE, PARTS, part_of
from gritwit.store._postgres import PostgresBackend
from gritwit.store._store_options import split_options

BLOBS = [g.Blob(data=f"part {i}".encode()) for i in range(4)]
IDS = [g.object_id(b) for b in BLOBS]


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """A new, empty PostgreSQL store in a schema of this test's own."""
    from gritwit.store import create_schema

    return create_schema(pg_database)


@pytest.mark.req("DUR-005.5", "DUR-005.3")
def test_a_swap_waits_only_for_a_writer_of_its_own_part(pg_url: str) -> None:
    store = Store.open(pg_url)
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    store.put_objects(BLOBS)
    held, elsewhere = 3, 11
    (same,) = names_in(held, 1)
    (other,) = names_in(elsewhere, 1)
    plain, _ = split_options(pg_url)
    holder = psycopg.connect(plain)  # a slow writer of part 3: its row, until it commits
    holder.execute("SELECT 1 FROM gritwit_parts WHERE part = %s FOR SHARE", (GATE,))
    holder.execute("UPDATE gritwit_parts SET commits = commits + 1 WHERE part = %s", (held,))
    try:
        pid = pid_of(backend)
        thread, done = in_thread(lambda: store.cas_ref(other, None, IDS[0]))
        assert not waits_or_ends(pg_url, pid, thread), "a swap of part 11 waited for part 3"
        thread.join(WAIT_LIMIT)
        assert done == [None] and store.get_ref(other) == IDS[0]
        pid = pid_of(backend)
        thread, done = in_thread(lambda: store.cas_ref(same, None, IDS[1]))
        assert waits_or_ends(pg_url, pid, thread), "a swap of part 3 did not wait for it"
    finally:
        holder.commit()
        holder.close()
    thread.join(WAIT_LIMIT)
    assert done == [None] and store.get_ref(same) == IDS[1]
    store.close()


@pytest.mark.req("DUR-005.5", "RUN-011.2")
def test_an_erasure_and_a_write_under_way_wait_for_each_other(pg_url: str) -> None:
    store = Store.open(pg_url)
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    store.put_objects(BLOBS)
    plain, _ = split_options(pg_url)
    writer = psycopg.connect(plain)  # a write under way: the gate, shared
    writer.execute("SELECT 1 FROM gritwit_parts WHERE part = %s FOR SHARE", (GATE,))
    try:
        pid = pid_of(backend)
        thread, done = in_thread(lambda: backend.erase(IDS[2], "test"))
        assert waits_or_ends(pg_url, pid, thread), "an erasure did not wait for a write"
    finally:
        writer.commit()
        writer.close()
    thread.join(WAIT_LIMIT)
    assert done == [True]
    eraser = psycopg.connect(plain)  # an erasure under way: the gate, alone
    eraser.execute("SELECT 1 FROM gritwit_parts WHERE part = %s FOR UPDATE", (GATE,))
    try:
        pid = pid_of(backend)
        thread, done = in_thread(lambda: store.cas_ref("names/e", None, IDS[0]))
        assert waits_or_ends(pg_url, pid, thread), "a write did not wait for an erasure"
    finally:
        eraser.commit()
        eraser.close()
    thread.join(WAIT_LIMIT)
    assert done == [None]
    store.close()


@pytest.mark.slow
@pytest.mark.req("DUR-005.5", "RUN-020.5", "RUN-017.2")
def test_writers_of_many_parts_never_deadlock_and_journal_each_ref_in_order(pg_url: str) -> None:
    """Four threads commit whole groups of swaps over refs of many parts, each with the
    same objects in a different order: no deadlock is retried, and each ref's swaps
    come from the journal in the order they committed (its last one is the ref)."""
    setup = Store.open(pg_url)
    start, _ = setup.refs_changed_since(None)
    names = [f"names/many/{i}" for i in range(24)]
    assert len({part_of(n.encode()) for n in names}) > 8
    blobs = [g.Blob(data=f"many {i}".encode()) for i in range(12)]
    deadlocks = retries()["40P01"]
    errors: list[BaseException] = []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        store = Store.open(pg_url)
        try:
            for _ in range(40):
                mine = rng.sample(names, 5)
                objects = rng.sample(blobs, len(blobs))  # every object, in its own order
                items = [(g.object_id(b), g.encode_object(b)) for b in objects]
                current = store.get_refs(mine)
                swaps = [(n, current.get(n), rng.choice(items)[0]) for n in mine]
                store.backend.commit_all(items, swaps)  # type: ignore[attr-defined]
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_LIMIT * 5)
    assert not errors, errors
    assert retries()["40P01"] == deadlocks
    now, swaps = setup.refs_changed_since(start)
    assert swaps is not None and sum(now) == len(swaps) > 0
    last: dict[str, g.ObjectId | None] = {}
    for name, target in swaps:
        last[name] = target
    assert last == {n: setup.get_ref(n) for n in names if n in last}
    assert sorted(now) != [0] * PARTS
    setup.close()


@pytest.mark.req("DUR-005.5", "RUN-021")
@given(
    actors=st.lists(st.binary(min_size=32, max_size=32), min_size=2, max_size=8),
    n=st.sampled_from([1, 2, 4, 8, 16]),
)
def test_the_refs_of_different_shares_fall_in_different_parts(actors: list[bytes], n: int) -> None:
    """An actor's head and failed mark fall in the part of its share's digit: actors of
    different shares ``k/n`` (``n`` dividing 16) are in different parts, so runtimes with
    those shares swap no ref of a common part; ``names/outside-outbox/<h>`` is part
    ``h``; other names spread by a hash."""
    for raw in actors:
        actor = g.ObjectId(raw)
        (k,) = [k for k in range(n) if Share(k=k, n=n).owns(actor)]
        for name in (f"heads/{actor.hex()}", f"names/failed/{actor.hex()}"):
            assert part_of(name.encode()) % n == k
    for h in "0123456789abcdef":
        assert part_of(f"names/outside-outbox/{h}".encode()) == int(h, 16)
    spread = {part_of(f"names/n{i}".encode()) for i in range(200)}
    assert len(spread) == PARTS


def _said_cas(
    backend: PostgresBackend, name: str, new: ObjectId, parts: Iterable[int] | None
) -> CasResult:
    """The backend's swap of ``name`` to ``new``, noting ``parts`` (``None``: unsaid, the
    default notes) — said in the thread that swaps, as the runtime says it."""
    if parts is not None:
        backend.note({name: (new, frozenset(parts))})
    return backend.cas_ref(name, None, new)


@pytest.mark.req("DUR-005.5", "RUN-021")
def test_heads_of_another_share_do_not_wait(pg_url: str) -> None:
    """A slow writer holding the parts of share 0/4 does not hold up a swap of a head of
    share 1/4 that notes only parts of share 1/4, and does hold up one of share 0/4 (the
    backend's swaps, which do not check that a head names a step: the parts are the
    backend's)."""
    store = Store.open(pg_url)
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    store.put_objects(BLOBS)
    ids = [g.object_id(g.Blob(data=b"share %d" % i)) for i in range(200)]
    mine = next(actor for actor in ids if Share(k=0, n=4).owns(actor))
    theirs = next(actor for actor in ids if Share(k=1, n=4).owns(actor))
    plain, _ = split_options(pg_url)
    holder = psycopg.connect(plain)  # a slow writer of share 0/4: its four parts' rows
    holder.execute("SELECT 1 FROM gritwit_parts WHERE part = %s FOR SHARE", (GATE,))
    holder.execute(
        "UPDATE gritwit_parts SET commits = commits + 1 WHERE part = ANY(%s)",
        ([0, 4, 8, 12],),
    )
    try:
        pid = pid_of(backend)
        name = f"heads/{theirs.hex()}"
        thread, done = in_thread(lambda: _said_cas(backend, name, IDS[0], {1, 5, 9, 13}))
        assert not waits_or_ends(pg_url, pid, thread), "share 1/4 waited for share 0/4"
        thread.join(WAIT_LIMIT)
        assert done[0].status is CasStatus.SWAPPED
        pid = pid_of(backend)
        thread, done = in_thread(lambda: backend.cas_ref(f"heads/{mine.hex()}", None, IDS[1]))
        assert waits_or_ends(pg_url, pid, thread), "a head of share 0/4 did not wait"
    finally:
        holder.commit()
        holder.close()
    thread.join(WAIT_LIMIT)
    assert done[0].status is CasStatus.SWAPPED  # (the backend's swap: a head of a blob)
    store.close()

"""The paths of a PostgreSQL write that the store's usual writes rarely take (DUR-005.5).

Each is driven here through the backend, one at a time, and checked for what a client
reads afterwards:

* a whole write of several swaps (``commit_all``, RUN-017.2) prunes each part's journal
  so that a reader within the swaps a part keeps gets every swap after its version,
  never some of them (RUN-020.5), its notes counted in the parts noted;
* a write that notes other parts (DUR-005.5) takes every part's row it journals in, in
  the one ascending order, before it writes anything;
* a write guarded by the count of erasures (RUN-011.3, RUN-020.7) and a batch tell
  which of their objects the store did not hold (RUN-022.1), and a batch journals its
  notes;
* a swap from unset to unset, which changes no ref and is made in a transaction of its
  own, is journaled (REF-004.2); it waits for an erasure under way, so an object it
  carries is not stored again under a tombstone (RUN-011.2); and it reads its ref only
  once it holds the ref's part, so a writer of that part that set the ref meanwhile
  makes it a conflict, never a swap journaled over that writer's (REF-004.3,
  DUR-005.5).

A slow writer or eraser is a transaction of the test's own, holding the rows a real one
would; a wait is seen from the server's side (``pg_stat_activity``), never measured, and
:data:`WAIT_LIMIT` only bounds a hang.
"""

from __future__ import annotations

import psycopg
import pytest
from pg_locks import WAIT_LIMIT, in_thread, names_in, pid_of, waits_or_ends

import gritwit as g
from gritwit.store import CasResult, CasStatus, Store, _postgres
from gritwit.store._pg_schema import GATE
from gritwit.store._postgres import PostgresBackend
from gritwit.store._store_options import split_options

BLOBS = [g.Blob(data=b"commit path %d" % i) for i in range(6)]
IDS = [g.object_id(b) for b in BLOBS]
ITEMS = [(g.object_id(b), g.encode_object(b)) for b in BLOBS]


def _backend(store: Store) -> PostgresBackend:
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    return backend


def _now(store: Store) -> tuple[int, ...]:
    """The store's version now: a vector, a part's swaps each (DUR-005.5)."""
    now = store.refs_changed_since(None)[0]
    assert isinstance(now, tuple)
    return now


def _actor_in(part: int, salt: int = 0) -> g.ObjectId:
    """An actor id whose journal part is ``part`` (its 16th hex digit)."""
    digest = bytearray(g.object_id(g.Blob(data=b"actor %d %d" % (part, salt))).digest)
    digest[7] = (digest[7] & 0xF0) | part
    return g.ObjectId(bytes(digest))


def _by_ref(swaps: list[tuple[str, g.ObjectId | None]]) -> dict[str, list[g.ObjectId | None]]:
    by: dict[str, list[g.ObjectId | None]] = {}
    for name, target in swaps:
        by.setdefault(name, []).append(target)
    return by


@pytest.mark.req("RUN-020.5", "RUN-017.2", "DUR-005.5")
@pytest.mark.parametrize("noted", [False, True], ids=["plain", "noted"])
def test_a_reader_within_the_kept_swaps_of_whole_writes_gets_every_swap(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, noted: bool
) -> None:
    """Whole writes of two swaps of refs of part 5 between single swaps there
    (``noted``: each swap noted to part 3 too, the store read by parts), each part's
    journal keeping 4 swaps and pruned every 2: after each write, every version
    reported before it that is at most 4 swaps behind in every part is answered with
    exactly the swaps made since, each ref's in commit order; an older one with
    ``None``.  A whole write's prune that kept fewer than 4 rows of a part would answer
    a reader 3 swaps behind (before the single swap that came before it) with that
    swap missing."""
    monkeypatch.setattr(_postgres, "JOURNAL_KEPT", 4)
    monkeypatch.setattr(_postgres, "JOURNAL_PRUNE_EVERY", 2)
    store = Store.open(pg_url)
    backend = _backend(store)
    backend.insert_many(ITEMS)
    if noted:
        store.read_by_parts()
    names = ["heads/" + _actor_in(5, i).hex() for i in range(3)]
    made: list[tuple[str, g.ObjectId | None]] = []
    seen = [(_now(store), 0)]
    for i in range(16):
        mine = [names[i % 3]] if i % 2 == 0 else [names[(i + 1) % 3], names[(i + 2) % 3]]
        held = store.get_refs(mine) or {}
        swaps = [(n, held.get(n), IDS[(i + k) % len(IDS)]) for k, n in enumerate(mine)]
        if noted:
            backend.note({n: (new, frozenset({3})) for n, _, new in swaps})
        if len(swaps) > 1:
            assert backend.commit_all([], swaps) is True
        else:
            assert backend.cas_ref(*swaps[0]).status is CasStatus.SWAPPED
        made += [(n, new) for n, _, new in swaps]
        now = _now(store)
        seen.append((now, len(made)))
        for since, count in seen:
            answer_now, after = store.refs_changed_since(since)
            assert answer_now == now
            behind = max(n - v for n, v in zip(now, since, strict=True))
            if behind <= 4:
                assert after is not None, (i, since, now)
                assert _by_ref(after) == _by_ref(made[count:]), (i, since, after)
            else:
                assert after is None, (i, since, now)
    store.close()


def _noted_write(backend: PostgresBackend, names: list[str]) -> bool:
    """Set each of ``names`` from unset to an id, noting part 3, in one write (a swap, or a
    whole write of several): whether every swap was made."""
    backend.note({n: (IDS[i], frozenset({3})) for i, n in enumerate(names)})
    if len(names) > 1:
        return backend.commit_all([], [(n, None, IDS[i]) for i, n in enumerate(names)])
    return backend.cas_ref(names[0], None, IDS[0]) == CasResult(CasStatus.SWAPPED, IDS[0])


@pytest.mark.req("DUR-005.5", "RUN-017.2")
@pytest.mark.parametrize("swaps", [1, 2], ids=["one swap", "a whole write"])
def test_a_noted_write_takes_the_noted_parts_before_its_own(pg_url: str, swaps: int) -> None:
    """A write of refs of part 9 that notes part 3 takes the parts' rows in ascending
    order: while a writer of part 3 holds its row, the write waits for it holding
    nothing of part 9, so that writer can go on to take part 9's row (as a write of
    part 3 noting part 9 does) without a cycle of waits."""
    store = Store.open(pg_url)
    backend = _backend(store)
    backend.insert_many(ITEMS)
    store.read_by_parts()
    names = ["heads/" + _actor_in(9, i).hex() for i in range(swaps)]
    plain, _ = split_options(pg_url)
    holder = psycopg.connect(plain)  # a slow writer of part 3
    holder.execute("SELECT 1 FROM gritwit_parts WHERE part = %s FOR SHARE", (GATE,))
    holder.execute("UPDATE gritwit_parts SET commits = commits + 1 WHERE part = 3")
    taken: BaseException | None = None
    try:
        pid = pid_of(backend)
        thread, done = in_thread(lambda: _noted_write(backend, names))
        assert waits_or_ends(pg_url, pid, thread), "a noted write did not wait for part 3"
        try:  # the writer of part 3 takes part 9's row next, as its notes would
            holder.execute("SELECT 1 FROM gritwit_parts WHERE part = 9 FOR UPDATE NOWAIT")
        except psycopg.errors.LockNotAvailable as exc:
            taken = exc
    finally:
        holder.rollback()
        holder.close()
    thread.join(WAIT_LIMIT)
    assert taken is None, "a noted write held its own part while it waited for a part noted"
    assert done == [True]
    store.close()


@pytest.mark.req("RUN-022.1", "RUN-011.3", "RUN-020.7")
def test_a_guarded_write_tells_the_objects_the_store_did_not_hold(pg_url: str) -> None:
    """A write of objects and a swap guarded by the count of erasures as it is (the
    journal read along, RUN-020.7) is made and adds to ``fresh`` exactly the objects
    the store did not hold."""
    store = Store.open(pg_url)
    backend = _backend(store)
    backend.insert_many(ITEMS[:2])
    version = _now(store)
    erased = backend.erasures()
    assert erased is not None
    backend.follow(version, erased)
    fresh: set[bytes] = set()
    result = backend.insert_many_then_cas(ITEMS[:4], "names/guarded", None, IDS[3], fresh)
    assert result == CasResult(CasStatus.SWAPPED, IDS[3])
    assert fresh == {IDS[2].digest, IDS[3].digest}
    assert backend.followed() is not None
    store.close()


@pytest.mark.req("RUN-022.1", "RUN-017")
def test_a_batch_tells_the_objects_the_store_did_not_hold(pg_url: str) -> None:
    """A batch inserting objects adds to ``fresh`` those the store did not hold before,
    and only those: the runtime's group commit counts their bytes as added."""
    store = Store.open(pg_url)
    backend = _backend(store)
    backend.insert_many(ITEMS[:2])
    fresh: set[bytes] = set()
    with backend.batch() as batch:
        batch.insert_many(ITEMS[:4], fresh)
    assert fresh == {IDS[2].digest, IDS[3].digest}
    again: set[bytes] = set()
    with backend.batch() as batch:
        batch.insert_many(ITEMS[:4], again)
    assert again == set()
    store.close()


@pytest.mark.req("DUR-005.5", "RUN-020.7", "RUN-017")
def test_a_batch_notes_the_parts_said_for_a_heads_swap(pg_url: str) -> None:
    """Once the store is read by parts, a batch that swaps a head its writer said notes
    parts 3 and 12 repeats the swap in those parts: a reader of part 3 alone learns it;
    a reader of part 4 learns nothing."""
    store = Store.open(pg_url)
    backend = _backend(store)
    backend.insert_many(ITEMS)
    store.read_by_parts()
    start = _now(store)
    name = "heads/" + _actor_in(9).hex()
    backend.note({name: (IDS[1], frozenset({3, 12}))})
    with backend.batch() as batch:
        assert batch.cas_ref(name, None, IDS[1]).status is CasStatus.SWAPPED
    assert store.refs_changed_since(start, frozenset({3}))[1] == [(name, IDS[1])]
    assert store.refs_changed_since(start, frozenset({4}))[1] == []
    store.close()


@pytest.mark.req("REF-004.2", "RUN-020.5")
def test_a_swap_from_unset_to_unset_is_journaled_and_a_set_ref_conflicts(pg_url: str) -> None:
    """A swap of an unset ref from unset to unset is made (nothing changes) and journaled
    as the ref unset; the same swap of a set ref is a conflict with its target."""
    store = Store.open(pg_url)
    backend = _backend(store)
    backend.insert_many(ITEMS)
    since = store.refs_changed_since(None)[0]
    assert backend.cas_ref("names/unset", None, None) == CasResult(CasStatus.SWAPPED, None)
    assert store.refs_changed_since(since)[1] == [("names/unset", None)]
    assert backend.cas_ref("names/set", None, IDS[0]).status is CasStatus.SWAPPED
    assert backend.cas_ref("names/set", None, None) == CasResult(CasStatus.CONFLICT, IDS[0])
    store.close()


@pytest.mark.req("RUN-011.2", "RUN-011.3", "DUR-005.5")
def test_a_swap_from_unset_to_unset_waits_for_an_erasure_under_way(pg_url: str) -> None:
    """An eraser holds the gate alone and has dropped an object's bytes and kept its
    tombstone, not committed yet; a swap from unset to unset carrying that object waits
    for it, and then stores nothing under the tombstone: the object stays erased."""
    store = Store.open(pg_url)
    backend = _backend(store)
    backend.insert_many(ITEMS)
    plain, _ = split_options(pg_url)
    eraser = psycopg.connect(plain)  # an erasure under way, as PostgresBackend.erase makes it
    eraser.execute("SELECT 1 FROM gritwit_parts WHERE part = %s FOR UPDATE", (GATE,))
    eraser.execute("DELETE FROM objects WHERE id = %s", (IDS[4].digest,))
    eraser.execute("INSERT INTO tombstones (id, reason) VALUES (%s, %s)", (IDS[4].digest, b"t"))
    try:
        pid = pid_of(backend)
        thread, done = in_thread(
            lambda: backend.insert_many_then_cas([ITEMS[4]], "names/erasing", None, None)
        )
        waits_or_ends(pg_url, pid, thread)
    finally:
        eraser.commit()
        eraser.close()
    thread.join(WAIT_LIMIT)
    assert done == [CasResult(CasStatus.SWAPPED, None)]
    assert backend.read(IDS[4]) is None, "an erased object was stored again"
    assert backend.tombstone(IDS[4]) == "t"
    store.close()


@pytest.mark.req("REF-004.2", "REF-004.3", "DUR-005.5")
def test_a_swap_from_unset_to_unset_reads_its_ref_once_it_holds_the_part(pg_url: str) -> None:
    """A writer of a ref's part has set the ref and journaled it, not committed yet; a
    swap of that ref from unset to unset waits for the part, then finds the ref set:
    a conflict with the writer's target, and the journal holds the writer's swap alone."""
    store = Store.open(pg_url)
    backend = _backend(store)
    backend.insert_many(ITEMS)
    (name,) = names_in(7, 1, "names/taken/")
    since = store.refs_changed_since(None)[0]
    plain, _ = split_options(pg_url)
    writer = psycopg.connect(plain)  # a slow writer of part 7, as a swap's statement makes it
    writer.execute("SELECT 1 FROM gritwit_parts WHERE part = %s FOR SHARE", (GATE,))
    row = writer.execute(
        "UPDATE gritwit_parts SET commits = commits + 1, version = version + 1"
        " WHERE part = 7 RETURNING version"
    ).fetchone()
    assert row is not None
    writer.execute(
        "INSERT INTO refs (name, target) VALUES (%s, %s)", (name.encode(), IDS[5].digest)
    )
    writer.execute(
        "INSERT INTO ref_journal_parts (part, version, name, target) VALUES (7, %s, %s, %s)",
        (row[0], name.encode(), IDS[5].digest),
    )
    try:
        pid = pid_of(backend)
        thread, done = in_thread(lambda: backend.cas_ref(name, None, None))
        waits_or_ends(pg_url, pid, thread)
    finally:
        writer.commit()
        writer.close()
    thread.join(WAIT_LIMIT)
    assert done == [CasResult(CasStatus.CONFLICT, IDS[5])]
    assert store.refs_changed_since(since)[1] == [(name, IDS[5])]
    store.close()

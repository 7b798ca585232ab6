"""The journal of swaps on every built-in backend (RUN-003.1, DUR-005).

``Store.refs_changed_since(version)`` answers the ref version now and every swap
made after ``version``, in commit order, or ``None`` when it cannot say.  The
memory backend keeps it in a list; SQLite and PostgreSQL in a table written in the
swap's own transaction.  Checked here on all three:

* each successful swap appears once, in order, with its new target (``None``:
  deleted); a conflict or a missing target does not;
* a batch's swaps appear when it commits, and never when it rolls back;
* another backend object, or another process, sees the swaps (the durable ones);
* a version older than what the journal keeps is answered ``None``, never with
  some of the swaps missing;
* replaying the journal from any version gives the refs (hypothesis), with two
  writers at once too: the versions are prefix-closed;
* a runtime on a durable store catches up without listing every ref.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.store import CasStatus, Store, _memory, _sqlite
from gritwit.wit import test_actor_core

Swaps = list[tuple[str, g.ObjectId | None]]
BLOBS = [g.Blob(data=b"journal %d" % i) for i in range(4)]
IDS = [g.object_id(b) for b in BLOBS]
NAMES = ["names/a", "names/b", "names/c", "names/outside-outbox", "names/failed/x"]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def opener(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[], Store]:
    """Opens the test's store: each call a new backend object over the same store (for
    memory, the one store there is)."""
    if kind == "memory":
        store = Store.memory()
        return lambda: store
    location: str | Path = request.getfixturevalue("pg_url") if kind == "postgres" else tmp_path
    return lambda: Store.open(location)


def _kept(kind: str) -> Any:
    """The module whose ``JOURNAL_KEPT`` bounds ``kind``'s journal."""
    if kind == "postgres":
        from gritwit.store import _postgres

        return _postgres
    return _memory if kind == "memory" else _sqlite


def _durable(kind: str) -> None:
    if kind == "memory":
        pytest.skip("the memory store has no second process and no transactions")


def _close(kind: str, *stores: Store) -> None:
    """Close durable stores' backend objects (the memory store is the test's one store)."""
    if kind != "memory":
        for store in stores:
            store.close()


def _count(version: Any) -> int:
    """The swaps a version counts: an integer's own value, or a vector's sum (PostgreSQL's
    journal per part, DUR-005.5)."""
    return version if isinstance(version, int) else sum(version)


def _now(store: Store) -> Any:
    """The store's version now."""
    return store.refs_changed_since(None)[0]


def _never(version: Any) -> Any:
    """A version the store never reported: one swap ahead of ``version``."""
    return version + 1 if isinstance(version, int) else (version[0] + 1, *version[1:])


def _below(version: Any) -> Any:
    """A version below any the store reports."""
    return -1 if isinstance(version, int) else (-1, *version[1:])


def _older(since: Any, now: Any, kept: int) -> bool:
    """Whether ``since`` is older than a journal keeping ``kept`` swaps (of each part)."""
    if isinstance(since, int):
        return bool(since < now - kept)
    return any(s < n - kept for s, n in zip(since, now, strict=True))


def _by_ref(swaps: Swaps) -> dict[str, list[g.ObjectId | None]]:
    by: dict[str, list[g.ObjectId | None]] = {}
    for name, target in swaps:
        by.setdefault(name, []).append(target)
    return by


def _same(got: Swaps | None, want: Swaps) -> bool:
    """``got`` is ``want``: in commit order, or, from a journal per part (PostgreSQL,
    DUR-005.5), each ref's swaps in commit order (parts are not ordered among
    themselves)."""
    return got is not None and (
        got == want or (len(got) == len(want) and _by_ref(got) == _by_ref(want))
    )


def _replay(refs: dict[str, g.ObjectId], swaps: Swaps) -> None:
    for name, target in swaps:
        if target is None:
            refs.pop(name, None)
        else:
            refs[name] = target


@pytest.mark.req("RUN-003.1", "DUR-005")
def test_each_swap_is_journaled_once_in_order_with_its_target(
    opener: Callable[[], Store],
) -> None:
    store = opener()
    start, unknown = store.refs_changed_since(None)
    assert _count(start) == 0 and unknown is None  # no version given: unknown
    store.put_objects(BLOBS[:2])
    versions = [start]
    store.cas_ref("names/a", None, IDS[0])
    versions.append(_now(store))
    store.cas_ref("names/b", None, IDS[0])
    versions.append(_now(store))
    store.cas_ref("names/a", IDS[0], IDS[1])
    store.cas_ref("names/a", IDS[1], None)
    with pytest.raises(g.RefConflict):
        store.cas_ref("names/b", None, IDS[1])  # lost: changes nothing, not journaled
    with pytest.raises(g.ObjectNotFound):
        store.cas_ref("names/c", None, IDS[3])  # an absent target: not journaled
    assert store.backend.cas_ref("names/c", None, IDS[3]).status is CasStatus.MISSING_TARGET
    store.cas_ref("names/z", None, None)  # unset stays unset: a swap all the same
    swaps: Swaps = [
        ("names/a", IDS[0]),
        ("names/b", IDS[0]),
        ("names/a", IDS[1]),
        ("names/a", None),
        ("names/z", None),
    ]
    now = _now(store)
    assert _count(now) == 5
    for since, after in ((versions[0], swaps), (versions[2], swaps[2:]), (now, [])):
        answer, got = store.refs_changed_since(since)
        assert answer == now and _same(got, after), (since, got)
    assert store.refs_changed_since(_never(now)) == (now, None)  # never had: unknown
    assert store.refs_changed_since(_below(now)) == (now, None)
    assert store.refs_changed_since(None) == (now, None)


@pytest.mark.req("RUN-003.1", "RUN-017", "DUR-002")
def test_a_batch_is_journaled_when_it_commits_and_never_when_it_rolls_back(
    kind: str, opener: Callable[[], Store]
) -> None:
    store, other = opener(), opener()  # (opening a SQLite file writes: not in a batch)
    store.put_objects(BLOBS)
    store.cas_ref("names/b", None, IDS[0])
    one = _now(store)
    with store.batch() as batch:
        batch.cas_ref("names/a", None, IDS[1])
        with pytest.raises(g.RefConflict):
            batch.cas_ref("names/b", None, IDS[1])  # lost inside the batch: not journaled
        batch.cas_ref("names/b", IDS[0], IDS[2])
        batch.cas_ref("names/a", IDS[1], None)
        if kind != "memory":  # the memory batch holds the store's lock: no reader now
            assert other.refs_changed_since(one) == (one, [])  # not committed yet
    swaps: Swaps = [("names/a", IDS[1]), ("names/b", IDS[2]), ("names/a", None)]
    four, got = store.refs_changed_since(one)
    assert _count(four) == 4 and _same(got, swaps)
    if kind == "memory":
        return  # its batch is not a transaction: nothing to roll back
    with contextlib.suppress(RuntimeError), store.batch() as batch:
        batch.cas_ref("names/c", None, IDS[3])
        raise RuntimeError("the block fails: nothing of it is kept")
    again, got = store.refs_changed_since(one)
    assert again == four and _same(got, swaps)
    assert store.get_ref("names/c") is None
    store.cas_ref("names/c", None, IDS[3])  # the number the rolled-back swap had, now its
    five, got = other.refs_changed_since(four)
    assert _count(five) == 5 and got == [("names/c", IDS[3])]
    _close(kind, store, other)


@pytest.mark.req("RUN-003.1", "DUR-005", "RUN-002")
def test_another_backend_object_and_another_process_see_the_swaps(
    kind: str, opener: Callable[[], Store], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    _durable(kind)
    mine, other = opener(), opener()
    mine.put_objects(BLOBS)
    version, _ = other.refs_changed_since(None)
    mine.cas_ref("names/a", None, IDS[0])
    one, got = other.refs_changed_since(version)
    assert _count(one) == _count(version) + 1 and got == [("names/a", IDS[0])]
    location = str(request.getfixturevalue("pg_url") if kind == "postgres" else tmp_path)
    child = textwrap.dedent(
        """
        import sys
        import gritwit as g
        from gritwit.store import Store
        with Store.open(sys.argv[1]) as store:
            a = g.object_id(g.Blob(data=b"journal 0"))
            b = g.object_id(g.Blob(data=b"journal 1"))
            store.cas_ref("names/a", a, b)
            with store.batch() as batch:
                batch.cas_ref("names/b", None, a)
                batch.cas_ref("names/a", b, None)
        """
    )
    subprocess.run([sys.executable, "-c", child, location], check=True, timeout=120)
    swaps: Swaps = [("names/a", IDS[1]), ("names/b", IDS[0]), ("names/a", None)]
    now, got = mine.refs_changed_since(one)
    assert _count(now) == _count(version) + 4 and _same(got, swaps)
    again, got = other.refs_changed_since(version)
    assert again == now and _same(got, [("names/a", IDS[0]), *swaps])
    mine.close()
    other.close()


@pytest.mark.req("RUN-003.1")
def test_a_version_older_than_the_journal_keeps_is_answered_none(
    kind: str, opener: Callable[[], Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _kept(kind)
    monkeypatch.setattr(module, "JOURNAL_KEPT", 4)
    if kind != "memory":
        monkeypatch.setattr(module, "JOURNAL_PRUNE_EVERY", 2)
    store = opener()
    store.put_objects(BLOBS)
    swaps: Swaps = []
    seen = [(_now(store), 0)]  # each version reported, and the swaps made by then
    for i in range(16):
        if i % 4 == 3:  # a batch of 1 to 5 swaps
            with store.batch() as batch:
                for j in range(i % 5 + 1):
                    name, new = f"names/batch/{j}", IDS[i % 4]
                    batch.cas_ref(name, store.get_ref(name), new)
                    swaps.append((name, new))
        else:
            name, new = f"names/{i % 3}", IDS[i % 4]
            store.cas_ref(name, store.get_ref(name), new)
            swaps.append((name, new))
        seen.append((_now(store), len(swaps)))
        for since, made in seen:  # every answer whole, or None: never a gap
            now, after = store.refs_changed_since(since)
            assert _count(now) == len(swaps)
            assert after is None or _same(after, swaps[made:]), (since, after)
            if kind != "memory":  # the rows above the newest minus what is kept are there
                assert (after is None) == _older(since, now, 4), (since, now)
    if kind == "sqlite":
        with store.backend._connection() as conn:  # type: ignore[attr-defined]
            kept = conn.execute("SELECT count(*) FROM ref_journal").fetchone()[0]
        assert 4 <= kept <= 4 + 2
    elif kind == "postgres":  # each part keeps its own
        with store.backend._connection() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(
                "SELECT p.version, count(j.version) FROM gritwit_parts p"
                " LEFT JOIN ref_journal_parts j ON j.part = p.part"
                " WHERE p.part >= 0 GROUP BY p.version, p.part"
            ).fetchall()
        assert all(min(int(v), 4) <= n <= 4 + 2 for v, n in rows), rows


# --- replaying the journal gives the refs ------------------------------------------------

name_st = st.sampled_from(NAMES)
target_st = st.one_of(st.none(), st.sampled_from(range(len(IDS))))
swap_st = st.tuples(st.just("cas"), name_st, st.booleans(), target_st)
operation_st = st.one_of(
    swap_st,
    swap_st,
    st.tuples(st.just("read")),
    st.tuples(st.just("batch"), st.lists(swap_st, max_size=4), st.booleans()),
)


class _Reader:
    """Keeps the refs from the journal alone, as the runtime's routing index does."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.version: Any = None
        self.refs: dict[str, g.ObjectId] = {}
        #: Every swap read, in order, from the first version read on (None: a gap).
        self.read: list[tuple[str, g.ObjectId | None] | None] = []

    def catch_up(self) -> None:
        now, swaps = self.store.refs_changed_since(self.version)
        if swaps is None:  # unknown: list every ref, read after the version
            self.refs = dict(self.store.list_ref_targets())
            if self.version is not None:
                self.read.append(None)
        else:
            _replay(self.refs, swaps)
            self.read.extend(swaps)
        assert now is not None
        self.version = now


def _swap(
    writes: Any, refs: dict[str, g.ObjectId], op: tuple[Any, ...]
) -> tuple[str, g.ObjectId | None] | None:
    """``op``'s swap through ``writes`` (a store or a batch), from the value ``refs`` says
    its ref holds (or, ``op[2]`` false, a wrong one): the swap made, ``refs`` updated, or
    ``None`` when it conflicted."""
    _, name, right, target = op
    current = refs.get(name)
    expected = current if right else IDS[3] if current != IDS[3] else None
    new = None if target is None else IDS[target]
    try:
        writes.cas_ref(name, expected, new)
    except g.RefConflict:
        return None
    _replay(refs, [(name, new)])
    return name, new


@pytest.fixture
def small_journal(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A journal kept short, so that replays from older versions meet its bound."""
    module = _kept(kind)
    monkeypatch.setattr(module, "JOURNAL_KEPT", 6)
    if kind != "memory":
        monkeypatch.setattr(module, "JOURNAL_PRUNE_EVERY", 2)


@pytest.mark.slow
@pytest.mark.req("RUN-003.1", "REF-004.2", "REF-004.3")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation_st, max_size=24))
def test_replaying_the_journal_gives_the_refs(
    ops: list[tuple[Any, ...]], kind: str, opener: Callable[[], Store], small_journal: None
) -> None:
    store = opener()  # one store for every example: a reader starts from no version
    store.put_objects(BLOBS)
    refs = dict(store.list_ref_targets())
    reader = _Reader(opener())
    reader.catch_up()
    start = reader.version
    made: list[tuple[str, g.ObjectId | None]] = []
    transactional = kind != "memory"  # the memory batch keeps what a failed block did
    for op in ops:
        if op[0] == "read":
            reader.catch_up()
        elif op[0] == "cas":
            swapped = _swap(store, refs, op)
            made.extend([swapped] if swapped else [])
        else:
            within = dict(refs)
            with contextlib.suppress(RuntimeError), store.batch() as batch:
                swaps = [_swap(batch, within, inner) for inner in op[1]]
                if op[2] and transactional:
                    raise RuntimeError("rolled back: none of its swaps happened")
            if not (op[2] and transactional):
                made.extend(s for s in swaps if s)
                refs = within
    reader.catch_up()
    assert refs == dict(store.list_ref_targets())
    assert reader.refs == refs
    assert _count(reader.version) == _count(start or 0) + len(made)
    if None not in reader.read:  # never past the journal's bound: every swap, in order
        assert _same(reader.read, made)
    _close(kind, store, reader.store)


@pytest.mark.slow
@pytest.mark.req("RUN-003.1", "RUN-002", "DUR-003")
def test_two_writers_and_a_replaying_reader_agree_with_the_refs(
    kind: str, opener: Callable[[], Store]
) -> None:
    """Two writers swap at once while a reader replays the journal: the swaps it read,
    one list after another, are the whole journal — none skipped, none twice — so no
    swap ever appeared at or below a version already answered (prefix-closed)."""
    setup = opener()
    setup.put_objects(BLOBS)
    reader = _Reader(opener())
    reader.catch_up()
    start = reader.version
    done = threading.Event()
    errors: list[BaseException] = []

    def write(seed: int) -> None:
        store, rng = opener(), random.Random(seed)
        try:
            for _ in range(120):
                names = rng.sample(NAMES, rng.randint(1, 3))
                refs = {name: ref for name in names if (ref := store.get_ref(name)) is not None}
                ops = [("cas", name, True, rng.choice([None, 0, 1, 2])) for name in names]
                if rng.random() < 0.3:
                    with store.batch() as batch:  # swaps lost to the other writer: conflicts
                        for op in ops:
                            _swap(batch, refs, op)
                else:
                    for op in ops:
                        _swap(store, refs, op)
        except BaseException as exc:
            errors.append(exc)
        finally:
            _close(kind, store)

    def read() -> None:
        try:
            while not done.is_set():
                reader.catch_up()
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(seed,)) for seed in (1, 2)]
    replaying = threading.Thread(target=read)
    for thread in (*writers, replaying):
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    done.set()
    replaying.join(timeout=60)
    assert not errors, errors
    reader.catch_up()
    now, journal = setup.refs_changed_since(start)
    assert journal is not None and now == reader.version
    assert None not in reader.read and _same(reader.read, journal)
    assert reader.refs == dict(setup.list_ref_targets())
    _close(kind, setup, reader.store)


# --- stores made before the journal ------------------------------------------------------


@pytest.mark.req("RUN-003.1", "DUR-001")
def test_a_sqlite_file_made_before_the_journal_gets_one(tmp_path: Path) -> None:
    import sqlite3

    with contextlib.closing(sqlite3.connect(tmp_path / _sqlite.DB_FILENAME)) as conn:
        for statement in _sqlite._SCHEMA[:3]:  # the schema as it was
            conn.execute(statement)
        conn.commit()
    with Store.open(tmp_path) as store:
        store.put_object(BLOBS[0])
        assert store.refs_changed_since(None) == (0, None)
        store.cas_ref("names/a", None, IDS[0])
        assert store.refs_changed_since(0) == (1, [("names/a", IDS[0])])


@pytest.mark.req("RUN-003.1", "DUR-005")
def test_a_postgres_store_made_before_the_journal_gets_one(pg_url: str) -> None:
    import psycopg

    from gritwit.store import _pg_schema

    old = [s for s in _pg_schema.SCHEMA if "ref_journal" not in s and "gritwit_parts" not in s]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in old:  # a store made before the journal, and before its parts
            conn.execute(statement)
    with Store.open(pg_url, create=False) as store:  # a store already: not refused
        store.put_object(BLOBS[0])
        start, unknown = store.refs_changed_since(None)
        assert _count(start) == 0 and unknown is None
        store.cas_ref("names/a", None, IDS[0])
        now, got = store.refs_changed_since(start)
        assert _count(now) == 1 and got == [("names/a", IDS[0])]


# --- the runtime on a durable store ------------------------------------------------------


#: The ref listings of a runtime's first run on a store it never loaded, in order: the
#: heads, the outside's mailboxes (RUN-003.4, RUN-003.5), the failed marks and the
#: placement records (RUN-021.6).
FIRST_LISTINGS = ["heads/", "names/outside-outbox", "names/failed/", "names/placement/"]


@contextlib.contextmanager
def _listings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The prefixes of every ``Store.list_ref_targets`` call (every listing of refs)."""
    listed: list[str] = []
    real = Store.list_ref_targets

    def counted(self: Store, prefix: str = "") -> list[tuple[str, g.ObjectId]]:
        listed.append(prefix)
        return real(self, prefix)

    monkeypatch.setattr(Store, "list_ref_targets", counted)
    yield listed


@pytest.mark.parametrize("commit", ["group", "step"])
@pytest.mark.req("RUN-003.1", "RUN-002.3", "RUN-001.4")
def test_a_runtime_on_sqlite_catches_up_from_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commit: str
) -> None:
    store = Store.open(tmp_path)
    mine = Runtime(store, commit=commit, send_commit="own")
    other = Runtime(
        Store.open(tmp_path), commit=commit, send_commit="own"
    )  # another writer, its own backend
    core, objects = test_actor_core("counter")
    actor = asyncio.run(mine.genesis(core, objects))
    one = store.put_object(g.Blob(data=b"1"))
    for _ in range(5):
        asyncio.run(mine.send(actor, one, {"mt": "inc"}))
    asyncio.run(mine.run_until_quiescent())
    with _listings(monkeypatch) as listed:
        assert asyncio.run(mine.run_until_quiescent()).steps == ()  # nothing moved
        asyncio.run(other.send(actor, one, {"mt": "inc"}))  # another writer's send
        assert len(asyncio.run(mine.run_until_quiescent()).steps) == 1
        asyncio.run(other.send(actor, one, {"mt": "inc"}))
        assert len(asyncio.run(other.run_until_quiescent()).steps) == 1  # … and its step
        assert asyncio.run(mine.run_until_quiescent()).steps == ()  # the inc was read
        asyncio.run(mine.send(actor, one, {"mt": "inc"}))
        report = asyncio.run(mine.run_until_quiescent())
        assert [a for a, _ in report.steps] == [actor]
        assert mine.head(actor) == report.steps[0][1]
        assert mine.query(actor, "count").data == b"8"  # 5 + 3 incs, each read once
        # only the first run of `other` listed the refs (it had never loaded): the heads,
        # the outside's mailboxes, the marks and the placements (RUN-021.6); `mine` never
        assert listed == FIRST_LISTINGS, listed

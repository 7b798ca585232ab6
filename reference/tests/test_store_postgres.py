"""The PostgreSQL store (DUR-005) against the SQLite one, under races and under SIGKILL.

``test_store.py`` runs the whole store contract on PostgreSQL; this file adds

* a differential property: random sequences of puts, swaps, erasures and
  batches get the same answers, errors and final contents from a PostgreSQL
  store and a SQLite store (the embedded default, the model);
* races: threads swapping one ref from the same value, each round exactly one
  winner, checked first against a deliberately wrong backend whose swap is a
  read and a write in two transactions, which the check must catch;
* a writer of group commits (``Store.batch``, RUN-017) SIGKILLed at random
  moments, on both backends: every batch is whole or absent (DUR-002).

Each test gets a fresh schema of the throwaway cluster of ``pg_server.py``, and
skips where the server or psycopg is missing.
"""

from __future__ import annotations

import contextlib
import random
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from childproc import start_child
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import sized
from races import race

import gritwit as g
from gritwit.store import MAX_REF_NAME_BYTES, CasResult, CasStatus, Store
from gritwit.store._postgres import PostgresBackend

pytestmark = pytest.mark.slow

# --- the differential property -----------------------------------------------------------

BLOBS = 6
NAMES = ["names/a", "names/a/b", "names/b", "names/ab", "names/A", "names/a-b", "refs/bad"]
blob_index = st.integers(0, BLOBS - 1)
maybe_blob = st.one_of(st.none(), blob_index)
swap = st.tuples(st.just("cas"), st.sampled_from(NAMES), maybe_blob, maybe_blob)
single = st.one_of(
    st.tuples(st.just("put"), blob_index),
    swap,
    swap,
    st.tuples(st.just("erase"), blob_index),
    st.tuples(st.just("get"), blob_index),
    st.tuples(st.just("list"), st.sampled_from(["", "names/a", "names/", "x"])),
)
operation = st.one_of(
    single,
    st.tuples(st.just("batch"), st.lists(single.filter(lambda o: o[0] in ("put", "cas")))),
)


def blob(i: int) -> g.Blob:
    return g.Blob(data=b"blob %d" % i)


def oid(i: int | None) -> g.ObjectId | None:
    return None if i is None else g.object_id(blob(i))


def _outcome(call: Callable[[], Any]) -> object:
    """What a call answered, or the class and clause of the error it raised."""
    try:
        return call()
    except g.GritError as exc:
        return ("error", exc.error_class, exc.requirement)


def apply(store: Store, op: tuple[Any, ...], batch: Any = None) -> object:
    """Run one operation on ``store`` (inside ``batch`` when given); what it answered."""
    kind = op[0]
    if kind == "put":
        if batch is not None:
            return batch.put_encoded([g.encode_with_id(blob(op[1]))])
        return store.put_object(blob(op[1]))
    if kind == "cas":
        name, expected, new = op[1], oid(op[2]), oid(op[3])
        target = None if op[3] is None else blob(op[3])
        swap = (batch or store).cas_ref
        return _outcome(lambda: swap(name, expected, new, target=target))
    if kind == "erase":
        found = oid(op[1])
        assert found is not None
        return store.backend.erase(found, "a reason\x00with a NUL, é and 😀")
    if kind == "get":
        return _outcome(lambda: store.get(oid(op[1])))  # type: ignore[arg-type]
    if kind == "list":
        return store.list_ref_targets(op[1])
    answers = []
    with store.batch() as group:
        for inner in op[1]:
            answers.append(apply(store, inner, group))
    return answers


def contents(store: Store) -> object:
    """Everything a reader can see: ids in order, refs in order, tombstones, verify."""
    tombstones = {i: store.tombstone(oid(i)) for i in range(BLOBS)}  # type: ignore[arg-type]
    return list(store.iter_ids()), store.list_ref_targets(), tombstones, store.verify()


@pytest.mark.req("DUR-005", "REF-004.2", "REF-004.3", "REF-003.1", "REF-006", "ID-005", "RUN-011")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, max_size=16))
def test_postgres_answers_as_sqlite(
    ops: list[tuple[Any, ...]], pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("model")
    with Store.open(pg_url) as pg, Store.open(folder) as model:
        with pg.backend._connection() as conn:  # type: ignore[attr-defined]
            conn.execute("TRUNCATE objects, refs, tombstones")  # the schema is per test
        for store in (pg, model):  # blobs and refs to start from, so that swaps can happen
            store.put_objects([blob(i) for i in range(BLOBS - 1)])
            store.cas_ref("names/b", None, oid(1))
            store.cas_ref("names/a", None, oid(0))
        for op in ops:
            assert apply(pg, op) == apply(model, op), op
        assert contents(pg) == contents(model)


# --- races -------------------------------------------------------------------------------


class ReadThenWrite(PostgresBackend):
    """Deliberately wrong: the swap compares in one transaction and writes in a second,
    and every racer reads before any writes (a barrier), so two of them both "win"."""

    racers = threading.Barrier(2)

    def cas_ref(self, name: str, expected: g.ObjectId | None, new: g.ObjectId | None) -> CasResult:
        current = self.get_ref(name)
        with contextlib.suppress(threading.BrokenBarrierError):
            self.racers.wait(timeout=5)
        if current != expected:
            return CasResult(CasStatus.CONFLICT, current)
        with self._connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO refs (name, target) VALUES (%b, %b)"
                " ON CONFLICT (name) DO UPDATE SET target = excluded.target",
                (name.encode(), new.digest if new is not None else b""),
            )
        return CasResult(CasStatus.SWAPPED, new)


@pytest.mark.req("DUR-003", "DUR-005", "DUR-005.3", "REF-004.3")
def test_two_writers_one_winner_per_round(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        winners = race(store, threads=2, rounds=60)
    assert [len(won) for won in winners] == [1] * 60


@pytest.mark.req("DUR-003", "DUR-005.3", "REF-004.3")
def test_the_race_check_catches_a_swap_in_two_transactions(pg_url: str) -> None:
    with Store(ReadThenWrite(pg_url)) as store:
        winners = race(store, threads=2, rounds=5)
    assert [len(won) for won in winners] == [2] * 5  # what the check above refuses


# --- SIGKILL in the middle of group commits ----------------------------------------------

WRITER = Path(__file__).with_name("batch_writer.py")
KILLS = sized("GRITWIT_CRASH_KILLS", ci=8, deep=100)
ITEMS = 120
SEED = 20261125


@contextlib.contextmanager
def killed_writer(
    location: str, log: Path, rng: random.Random, *, wrong: bool = False
) -> Iterator[list[str]]:
    """Run the batch writer (``wrong``: with batches outside a transaction), SIGKILL it
    after a random number of batches and a random pause; yields the lines it printed."""
    argv = [sys.executable, str(WRITER), location, str(ITEMS), "60", *(["wrong"] if wrong else [])]
    proc, lines, reader = start_child(argv, log)
    seen: list[str] = []
    try:
        for _ in range(rng.randint(1, 4)):  # a few whole batches, then into the next
            while True:
                line = lines.get(timeout=60)
                assert line is not None, log.read_text()
                seen.append(line)
                if not line.startswith("begin"):
                    break
        time.sleep(rng.uniform(0, 0.05))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=30)
    while (line := lines.get_nowait()) is not None:
        seen.append(line)
    yield [line.strip() for line in seen if line.endswith("\n")]


def batches_whole_or_absent(store: Store) -> int:
    """Check every batch is all there or not at all and they are 1..m; return m."""
    refs = dict(store.list_ref_targets("names/batch/"))
    ids = set(store.iter_ids())
    complete = 0
    while True:
        n = complete + 1
        names = [f"names/batch/{n}/{i}" for i in range(ITEMS)]
        present = [name in refs for name in names]
        objects = [g.object_id(g.Blob(data=f"{n}/{i}/".encode().ljust(4000, b"."))) in ids
                   for i in range(ITEMS)]  # fmt: skip
        assert all(present) == any(present), f"batch {n}: {sum(present)} of {ITEMS} refs"
        assert all(objects) == any(objects), f"batch {n}: {sum(objects)} of {ITEMS} objects"
        assert all(present) == all(objects), f"batch {n}: refs and objects disagree"
        if not all(present):
            break
        complete = n
    assert not [name for name in refs if int(name.split("/")[2]) > complete]
    last = store.get_ref("names/last")
    assert (last is None) == (complete == 0)
    if last is not None:
        assert last == g.object_id(g.Blob(data=f"{complete}/0/".encode().ljust(4000, b".")))
    assert store.verify().ok
    return complete


@pytest.mark.req("RUN-017", "DUR-001", "DUR-002.1", "DUR-002.2", "DUR-005.1", "DUR-005.2")
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_mid_batch_leaves_it_whole_or_absent(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    location = str(tmp_path / "store") if backend == "sqlite" else request.getfixturevalue("pg_url")
    rng = random.Random(SEED)
    committed, inside = 0, 0
    for kill in range(KILLS):
        with killed_writer(location, tmp_path / f"writer-{kill}.log", rng) as lines:
            done = [int(line) for line in lines if not line.startswith("begin")]
            inside += bool(lines) and lines[-1].startswith("begin")
        with Store.open(location) as store:
            complete = batches_whole_or_absent(store)
        assert complete >= max(done, default=committed)  # every returned batch survived
        assert complete <= max(done, default=committed) + 1  # at most the one in flight
        committed = complete
    assert committed >= KILLS  # each run committed at least one batch
    assert inside >= 1  # at least one kill came after a block began


@pytest.mark.req("RUN-017", "DUR-002.1", "DUR-005.2")
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_the_batch_check_catches_writes_outside_a_transaction(pg_url: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    caught = 0
    for kill in range(KILLS):
        with killed_writer(pg_url, tmp_path / f"wrong-{kill}.log", rng, wrong=True):
            pass
        with Store.open(pg_url) as store:
            try:
                batches_whole_or_absent(store)
            except AssertionError:
                caught += 1
                break
    assert caught == 1, "a kill inside a batch that is no transaction leaves half of it"


@pytest.mark.req("REF-001.1", "REF-001.2")
def test_get_refs_refuses_an_invalid_name(pg_url: str) -> None:
    """Store.get_refs, which only a backend reading many refs at once answers, checks
    every name before it reads (REF-001): an invalid one is refused, nothing read."""
    store = Store.open(pg_url)
    try:
        assert store.get_refs(["names/fine"]) == {}
        for bad in ("names/" + "x" * MAX_REF_NAME_BYTES, 17):
            with pytest.raises(g.InvalidRefName):
                store.get_refs(["names/fine", bad])  # type: ignore[list-item]
    finally:
        store.close()

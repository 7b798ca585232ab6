"""Group commit (RUN-017): same steps as per-step commits, one commit per group, whole groups
after a SIGKILL inside one, and a lost swap that loses only its member and those based on it.

The kill tests are deterministic: ``group_crash_child.py`` kills itself at a chosen
point of a chosen group commit (objects written; after the n-th head swap; committed
but not answered), and the store is then checked: whole groups in adoption order, no
dangling head, and after a restart every acknowledged message read exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aio import run
from childproc import prepare_store, run_child
from races import move_head

import gritwit as g
from gritwit.runtime import Runtime, _group, check_runtime, failed_ref, history
from gritwit.store import MemoryBackend, Store, head_ref
from gritwit.wit import test_actor_core, wit_blob

CHILD = Path(__file__).with_name("group_crash_child.py")


# --- a backend that logs its writes --------------------------------------------------------


class _Logged:
    """A memory backend that logs every write: ``("insert", n)``, ``("cas", name)``, batches."""

    def __init__(self) -> None:
        self.inner = MemoryBackend()
        self.log: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        if name == "commit_all":  # logged a write at a time: the batch path, as on SQLite
            raise AttributeError(name)
        return getattr(self.inner, name)

    def insert(self, oid: g.ObjectId, data: bytes) -> None:
        self.log.append(("insert", 1))
        self.inner.insert(oid, data)

    def insert_many(self, items: Any, **fresh: Any) -> None:
        items = list(items)
        self.log.append(("insert", len(items)))
        self.inner.insert_many(items, **fresh)

    def insert_many_then_cas(self, items: Any, name: str, *rest: Any, **fresh: Any) -> Any:
        items = list(items)
        self.log += [("commit", None), ("insert", len(items)), ("cas", name), ("end", None)]
        return self.inner.insert_many_then_cas(items, name, *rest, **fresh)

    def cas_ref(self, name: str, *rest: Any) -> Any:
        self.log.append(("cas", name))
        return self.inner.cas_ref(name, *rest)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Any]:
        self.log.append(("commit", None))
        with self.inner.batch() as inner:
            yield _LoggedBatch(self, inner)
        self.log.append(("end", None))


class _LoggedBatch:
    def __init__(self, logged: _Logged, inner: Any) -> None:
        self.logged, self.inner = logged, inner

    def insert_many(self, items: Any, **fresh: Any) -> None:
        items = list(items)
        self.logged.log.append(("insert", len(items)))
        self.inner.insert_many(items, **fresh)

    def cas_ref(self, name: str, *rest: Any) -> Any:
        self.logged.log.append(("cas", name))
        return self.inner.cas_ref(name, *rest)


def _counters(n: int) -> tuple[list[g.ObjectId], list[g.GritObject]]:
    cores = [test_actor_core("counter", {"tag": g.Blob(data=b"%d" % i)}) for i in range(n)]
    return [g.object_id(c) for c, _ in cores], [o for _, objs in cores for o in objs]


async def _ping_pong(rt: Runtime) -> tuple[g.ObjectId, g.ObjectId]:
    """Two echo actors answering each other (the second starts as a fanout, then updates)."""
    echo, echo_objects = test_actor_core("echo")
    fanout, fanout_objects = test_actor_core("fanout")
    a, b = g.object_id(echo), g.object_id(fanout)
    name = g.Blob(data=a.hex().encode())
    targets = g.Tree(entries={"a": g.object_id(name)})
    to_echo = g.Tree(entries={"wit": g.object_id(wit_blob("echo"))})
    objects = (*echo_objects, *fanout_objects, name, targets, wit_blob("echo"), to_echo)
    await rt.send_all([(a, a, {"mt": "genesis"}, False), (b, b, {"mt": "genesis"}, False)], objects)
    await rt.send_all(
        [
            (b, g.object_id(targets), {"mt": "fanout"}, False),
            (b, g.object_id(to_echo), {"mt": "update"}, False),
        ]
    )
    return a, b


async def _scenario(rt: Runtime, rounds: bool) -> list[tuple[g.ObjectId, g.ObjectId]]:
    """Counters, a ping-pong and a second batch of sends; every adopted step, in order."""
    actors, objects = _counters(6)
    await rt.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects)
    pair = await _ping_pong(rt)
    steps: list[tuple[g.ObjectId, g.ObjectId]] = []
    one = rt._store.put_object(g.Blob(data=b"1"))
    for _ in range(3):
        report = await (rt.run_rounds(25) if rounds else rt.run_until_quiescent(max_steps=25))
        steps += report.steps
        await rt.send_all([(a, one, {"mt": "inc"}, False) for a in actors[::2]])
    steps += (await (rt.run_rounds(7) if rounds else rt.run_until_quiescent(max_steps=7))).steps
    assert {a for a, _ in steps} >= {*actors, *pair}
    return steps


@pytest.mark.req("RUN-017.1", "RUN-017.3")
@pytest.mark.parametrize("rounds", [True, False], ids=["rounds", "free-running"])
def test_group_and_step_modes_adopt_the_same_steps_in_the_same_order(rounds: bool) -> None:
    """Groups of 3 cut rounds in the middle; later members are built on earlier ones."""
    runs = {}
    for mode, size in (("step", 1), ("group", 3), ("group", 1000)):
        rt = Runtime(Store.memory(), commit=mode, group_size=size)
        runs[mode, size] = run(_scenario(rt, rounds))
    assert runs["group", 3] == runs["step", 1]
    assert runs["group", 1000] == runs["step", 1]


@pytest.mark.req("RUN-017.2", "RUN-017.6", "RUN-017.8")
def test_a_group_is_one_commit_objects_first_then_swaps_in_adoption_order() -> None:
    actors, objects = _counters(10)
    for mode, commits in (("group", 1), ("step", 10)):
        logged = _Logged()
        rt = Runtime(Store(logged), commit=mode, send_commit="own")
        run(rt.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects))
        logged.log.clear()
        report = run(rt.run_until_quiescent())
        assert len(report.steps) == 10
        assert [kind for kind, _ in logged.log].count("commit") == commits, logged.log
        # every step the run reported is durable (in the store) when it answers
        assert all(rt.head(a) == s for a, s in report.steps)
        if mode == "group":
            kinds = [kind for kind, _ in logged.log]
            assert kinds == ["commit", "insert"] + ["cas"] * 10 + ["end"], kinds
            swapped = [name for kind, name in logged.log if kind == "cas"]
            assert swapped == [head_ref(a) for a, _ in report.steps]


@pytest.mark.req("RUN-017.8")
def test_a_group_is_committed_when_it_reaches_its_size() -> None:
    actors, objects = _counters(10)
    logged = _Logged()
    rt = Runtime(Store(logged), group_size=4, send_commit="own")
    run(rt.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects))
    logged.log.clear()
    run(rt.run_until_quiescent())
    swaps = [n for n in _swaps_per_commit(logged.log)]
    assert swaps == [4, 4, 2], logged.log


def _swaps_per_commit(log: list[tuple[str, Any]]) -> Iterator[int]:
    count = 0
    for kind, _ in log:
        if kind == "cas":
            count += 1
        elif kind == "end":
            yield count
            count = 0


@pytest.mark.req("RUN-017.7", "RUN-004.6")
def test_an_actor_is_marked_failed_only_after_the_group_that_sent_to_it() -> None:
    """``f`` (a group member) sends to ``x``, which fails: ``f``'s step is committed first."""

    async def yield_once(_: float) -> None:
        await asyncio.sleep(0)  # the back-off lets the other task run, without waiting

    logged = _Logged()
    rt = Runtime(Store(logged), sleep=yield_once)
    failing, failing_objects = test_actor_core("failing")
    fan, fan_objects = test_actor_core("fanout")
    x, f = g.object_id(failing), g.object_id(fan)
    name = g.Blob(data=x.hex().encode())
    targets = g.Tree(entries={"x": g.object_id(name)})
    run(rt.send_all([(f, f, {"mt": "genesis"}, False)], (*fan_objects, name, targets)))
    run(rt.run_until_quiescent())
    sends = [(x, x, {"mt": "genesis"}, False), (f, g.object_id(targets), {"mt": "fanout"}, False)]
    run(rt.send_all(sends, failing_objects))
    logged.log.clear()
    report = run(rt.run_until_quiescent())
    assert [a for a, _ in report.steps][:1] == [f] and rt.failed(x) is not None
    names = [name for kind, name in logged.log if kind == "cas"]
    assert head_ref(f) in names and failed_ref(x) in names, logged.log
    assert names.index(head_ref(f)) < names.index(failed_ref(x)), logged.log
    # the error receipt goes to f (RUN-004.6): its message to x was durable before


@pytest.mark.req("RUN-017.4", "RUN-002.2", "RUN-002.3")
def test_a_lost_swap_loses_its_member_and_those_based_on_it_only() -> None:
    """Another writer moves the fanout's head while the group is open.

    The group holds: counters' steps (independent), the fanout's step (its swap
    will lose) and the echo's step reading the fanout's message (based on it).
    The counters commit; the fanout's and the echo's steps are lost and run again.
    """
    store = Store.memory()
    rt = Runtime(store)
    actors, objects = _counters(3)
    run(rt.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects))
    _, b = run(_ping_pong(rt))
    run(rt.run_until_quiescent(max_steps=2 + 3))  # the geneses of a, b and the counters
    one = store.put_object(g.Blob(data=b"1"))
    run(rt.send_all([(c, one, {"mt": "inc"}, False) for c in actors]))
    seen: list[list[_group.Member]] = []
    real = _group.CommitGroup.commit

    def race_then_commit(self: _group.CommitGroup, st: Store, wake: bool = True) -> Any:
        if not seen:
            seen.append(list(self.members))
            move_head(st, b)  # the other writer wins
        return real(self, st, wake)

    _group.CommitGroup.commit = race_then_commit  # type: ignore[method-assign]
    try:
        report = run(rt.run_until_quiescent(max_steps=12))
    finally:
        _group.CommitGroup.commit = real  # type: ignore[method-assign]
    members = seen[0]
    by_actor = {m.actor: m for m in members}
    assert b in by_actor and all(c in by_actor for c in actors)
    lost_b = by_actor[b].built.step_id
    lost = {lost_b}
    for member in members:  # those based on a lost member, directly or not, are lost
        if member.basis & lost:
            lost.add(member.built.step_id)
    reported = [s for _, s in report.steps]
    assert not lost & set(reported), "a lost member or one based on it was reported"
    for c in actors:  # committed in spite of the lost member
        assert by_actor[c].built.step_id in reported
        assert rt.query(c, "count").data == b"1"
    assert lost_b not in _step_ids(store, b)
    assert not any(step in _step_ids(store, m.actor) for m in members for step in lost)
    assert rt.group_losses >= 1 and rt.conflicts >= 2
    for _, step in report.steps:  # every reported step is in its actor's history
        actor = next(x for x, s in report.steps if s == step)
        assert step in _step_ids(store, actor)
    assert check_runtime(store).ok, check_runtime(store)


def _step_ids(store: Store, actor: g.ObjectId) -> set[g.ObjectId]:
    return {step_id for step_id, _ in history(store, actor)}


# --- SIGKILL inside a group (RUN-017.5) ------------------------------------------------------


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A durable store with the child's counters made: copied for each kill."""
    return prepare_store(tmp_path_factory, CHILD, "group-crash-setup")


def _counts(directory: Path) -> dict[g.ObjectId, bytes]:
    sys.path.insert(0, str(CHILD.parent))
    try:
        import group_crash_child as child
    finally:
        sys.path.pop(0)
    with Store.open(directory) as store:
        rt = Runtime(store)
        return {a: rt.query(a, "count").data for a in child.actors()}


#: (point, group, swap, steps durable after the kill): groups of 8 in sorted actor order.
POINTS = [
    ("objects", 1, 0, 0),
    ("objects", 3, 0, 16),
    ("swap", 3, 1, 16),
    ("swap", 3, 5, 16),
    ("swap", 3, 8, 16),
    ("committed", 3, 0, 24),
    ("swap", 5, 8, 32),
]


@pytest.mark.req("RUN-017.5", "RUN-017.2", "RUN-007.1", "RUN-007.2", "DUR-002.2")
@pytest.mark.parametrize(("point", "group", "swap", "durable"), POINTS)
def test_a_kill_inside_a_group_leaves_whole_groups_in_order(
    prepared: Path, tmp_path: Path, point: str, group: int, swap: int, durable: int
) -> None:
    directory = tmp_path / "store"
    shutil.copytree(prepared, directory)
    killed = run_child(CHILD, directory, point, str(group), str(swap))
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    assert "sent" in killed.stdout and "finished" not in killed.stdout
    with Store.open(directory) as store:
        assert store.verify().ok, store.verify()  # no torn object, no dangling head
        assert check_runtime(store).ok
    counts = _counts(directory)
    order = sorted(counts)  # the free-running runtime adopts dirty actors in id order
    adopted = [a for a in order if counts[a] == b"1"]
    assert all(counts[a] in (b"0", b"1") for a in order), counts
    assert adopted == order[:durable], (
        f"after a kill at {point} of group {group}: {len(adopted)} steps durable, not the "
        f"first {durable} in adoption order (RUN-017.5)"
    )
    with Store.open(directory) as store:  # restart: every acknowledged inc read, once
        rt = Runtime(store)
        report = run(rt.run_until_quiescent())
        assert len(report.steps) == len(order) - durable and not report.failures
        assert all(rt.query(a, "count").data == b"1" for a in order)
        assert check_runtime(store).ok


@pytest.mark.req("RUN-017.1")
def test_the_commit_mode_is_checked() -> None:
    with pytest.raises(ValueError, match=r"RUN-017\.1"):
        Runtime(Store.memory(), commit="later")
    with pytest.raises(ValueError, match=r"RUN-017\.2"):
        Runtime(Store.memory(), group_size=0)


@pytest.mark.req("RUN-017.6")
def test_a_run_whose_error_escapes_keeps_nothing_of_its_open_group() -> None:
    """An error of the runtime itself abandons the group: no step of it is stored."""
    store = Store.memory()
    rt = Runtime(store)
    actors, objects = _counters(3)
    run(rt.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects))
    real = _group.CommitGroup.commit

    def broken(self: _group.CommitGroup, st: Store, wake: bool = True) -> Any:
        raise OSError("disk gone")

    _group.CommitGroup.commit = broken  # type: ignore[method-assign]
    try:
        with pytest.raises(OSError):
            run(rt.run_until_quiescent())
    finally:
        _group.CommitGroup.commit = real  # type: ignore[method-assign]
    assert all(rt.head(a) is None for a in actors)
    report = run(rt.run_until_quiescent())  # the next run starts from the heads again
    assert sorted(a for a, _ in report.steps) == sorted(actors)


@pytest.mark.req("RUN-017.9", "RUN-017.2", "RUN-017.1")
def test_an_actors_later_swaps_in_a_group_are_folded_into_one() -> None:
    """A ping-pong of 20 steps in one group: each echo's first swap, then one to its last."""
    heads = {}
    for mode in ("group", "step"):
        logged = _Logged()
        rt = Runtime(Store(logged), commit=mode)
        a, b = run(_ping_pong(rt))
        run(rt.run_until_quiescent(max_steps=4))  # the geneses, the fanout and the update
        logged.log.clear()
        report = run(rt.run_until_quiescent(max_steps=20))
        assert len(report.steps) == 20
        swapped = [name for kind, name in logged.log if kind == "cas"]
        if mode == "group":
            assert sorted(swapped) == sorted([head_ref(a), head_ref(b)] * 2), logged.log
        else:
            assert len(swapped) == 20
        last = {actor: step for actor, step in report.steps}
        assert all(rt.head(actor) == step for actor, step in last.items())
        heads[mode] = last
    assert heads["group"] == heads["step"]


@pytest.mark.req("RUN-017.2", "RUN-017.4", "RUN-017.9")
def test_the_memory_store_commits_a_group_whole_or_leaves_it_to_the_batch() -> None:
    """``MemoryBackend.commit_all``: every swap from what it expects, objects first, under
    one hold; a swap that would lose (another writer moved the head) stores nothing and
    answers ``False``, so the runtime commits a swap at a time and loses that member."""
    backend = MemoryBackend()
    store = g.Store(backend)
    a, b = (g.Blob(data=bytes([i]) * 30) for i in range(2))
    items = [(g.object_id(o), g.encode_object(o)) for o in (a, b)]
    swaps = [("names/x", None, g.object_id(a)), ("names/y", None, g.object_id(b))]
    assert backend.commit_all(items, swaps)
    assert store.get_ref("names/x") == g.object_id(a) and store.get_ref("names/y") == g.object_id(b)
    c = g.Blob(data=b"c" * 30)
    fresh: set[bytes] = set()
    lost = [("names/x", g.object_id(a), g.object_id(c)), ("names/y", None, g.object_id(c))]
    assert not backend.commit_all([(g.object_id(c), g.encode_object(c))], lost, fresh)
    assert not store.has(g.object_id(c)) and fresh == set()  # nothing of it stored
    assert store.get_ref("names/x") == g.object_id(a)
    kept = [("names/x", g.object_id(a), g.object_id(c))]
    assert backend.commit_all([(g.object_id(c), g.encode_object(c))], kept, fresh)
    assert fresh == {g.object_id(c).digest} and store.get_ref("names/x") == g.object_id(c)


@pytest.mark.req("RUN-017.2", "RUN-017.9", "RUN-019.3")
def test_a_group_committed_whole_in_memory_ends_as_one_committed_a_swap_at_a_time() -> None:
    """The same scenario (counters, a ping-pong, grouped sends) on a memory store with
    ``commit_all`` and on one without it (the batch path): the same steps adopted, in the
    same order, and the same outside outbox."""
    ends = []
    for backend in (MemoryBackend(), _Logged()):
        store = g.Store(backend)
        rt = Runtime(store)
        steps = run(_scenario(rt, False))
        ends.append((steps, store.get_ref("names/outside-outbox")))
    assert ends[0] == ends[1] and len(ends[0][0]) > 20, ends

"""An actor's lifecycle: fork, bundles, whole-history verification, erasure (RUN-008 … RUN-011)."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import blake3
import pytest
from aio import run
from dag_closure import closure
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit.runtime import (
    Runtime,
    check_runtime,
    erase_blob,
    export_bundle,
    fork,
    history,
    import_bundle,
    verify_actor,
)
from gritwit.store import MemoryBackend, Store
from gritwit.wit import test_actor_core


def _head(store: Store, actor: g.ObjectId) -> g.ObjectId:
    head = store.get_ref("heads/" + actor.hex())
    assert head is not None
    return head


def _step(store: Store, oid: g.ObjectId) -> g.Step:
    step = store.get_object(oid)
    assert isinstance(step, g.Step)
    return step


def _count(store: Store, actor: g.ObjectId) -> int:
    core = store.get_object(_step(store, _head(store, actor)).core)
    assert isinstance(core, g.Tree)
    blob = store.get_object(core.entries["count"])
    assert isinstance(blob, g.Blob)
    return int(blob.data)


async def _inc(rt: Runtime, actor: g.ObjectId, amount: int, signal: bool = False) -> None:
    blob = g.Blob(data=str(amount).encode())
    await rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,), signal=signal)
    report = await rt.run_until_quiescent()
    assert report.quiescent and not report.failures


async def _counter(rt: Runtime, incs: int) -> g.ObjectId:
    """A counter with one step per ``inc`` of 1 after its genesis step."""
    core, objects = test_actor_core("counter", {"tag": g.Blob(data=b"lifecycle")})
    actor = await rt.genesis(core, objects)
    await rt.run_until_quiescent()
    for _ in range(incs):
        await _inc(rt, actor, 1)
    return actor


# --- RUN-008 fork -------------------------------------------------------------------------


@pytest.mark.req(
    "RUN-008.1", "RUN-008.2", "RUN-008.4", "RUN-008.5", "RUN-008.6", "WIT-002", "ID-001"
)
def test_fork_child_is_a_new_core_whose_first_step_continues_the_parent() -> None:
    store = Store.memory()
    rt = Runtime(store)
    parent = run(_counter(rt, 3))
    chain = history(store, parent)
    at_id, at = chain[2]  # after genesis and one inc
    parent_head = _head(store, parent)

    child = fork(store, parent, at_id)

    record = {"actor": parent.hex(), "step": at_id.hex()}
    fork_blob = g.Blob(
        data=json.dumps(record, sort_keys=True).encode(),
        headers={"content-type": "application/json"},
    )
    parent_core = store.get_object(at.core)
    assert isinstance(parent_core, g.Tree)
    expected_core = g.Tree(entries={**parent_core.entries, "fork": g.object_id(fork_blob)})
    assert child == g.ObjectId(blake3.blake3(g.encode_object(expected_core)).digest())
    assert child != parent
    first = _step(store, _head(store, child))
    assert (first.actor, first.core, first.previous) == (child, child, at_id)
    assert (first.inbox, first.outbox) == (at.inbox, None)  # no re-delivery from the child
    assert [oid for oid, _ in history(store, child)] == [oid for oid, _ in chain[:3]] + [
        _head(store, child)
    ]
    assert _head(store, parent) == parent_head


@pytest.mark.req("RUN-008.7", "RUN-006.3")
def test_after_a_fork_parent_and_child_diverge() -> None:
    store = Store.memory()
    rt = Runtime(store)

    async def scenario() -> tuple[g.ObjectId, g.ObjectId]:
        parent = await _counter(rt, 3)
        child = fork(store, parent, history(store, parent)[2][0])  # count 2 there
        for _ in range(2):
            await _inc(rt, child, 10)
        for _ in range(5):
            await _inc(rt, parent, 100)
        return parent, child

    parent, child = run(scenario())
    assert _count(store, parent) == 3 + 500
    assert _count(store, child) == 2 + 20
    parent_steps = {oid for oid, _ in history(store, parent)}
    child_steps = {oid for oid, _ in history(store, child)}
    assert len(parent_steps & child_steps) == 3  # genesis, one inc, and nothing after
    assert verify_actor(store, parent).ok and verify_actor(store, child).ok
    assert check_runtime(store).ok  # the store-wide check accepts the fork boundary too


@pytest.mark.req("RUN-008.4", "RUN-008.5", "RUN-008.7")
def test_a_fork_replays_nothing_sent_to_its_parent() -> None:
    """A fork from a step does not run again what the parent read after it: those
    messages are addressed to the parent's id, and the child's is new (the guides and
    the rationale say so; they once promised a replay)."""
    store = Store.memory()
    rt = Runtime(store)

    async def scenario() -> tuple[g.ObjectId, g.ObjectId, int]:
        parent = await _counter(rt, 4)
        at_id, at = history(store, parent)[2]
        core = store.get_object(at.core)
        assert isinstance(core, g.Tree)
        blob = store.get_object(core.entries["count"])
        assert isinstance(blob, g.Blob)
        child = fork(store, parent, at_id)
        report = await rt.run_until_quiescent()
        assert report.quiescent and not report.failures
        return parent, child, int(blob.data)

    parent, child, count_at_fork = run(scenario())
    assert _count(store, parent) == 4
    assert _count(store, child) == count_at_fork < 4, "the child read the parent's messages"
    assert len(history(store, child)) == 4  # three of the parent's, and its own first step


class CountingBackend:
    """A memory backend that counts object reads."""

    def __init__(self) -> None:
        self.inner = MemoryBackend()
        self.reads = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def read(self, oid: g.ObjectId) -> bytes | None:
        self.reads += 1
        return self.inner.read(oid)


def _manual_history(
    store: Store, steps: int, name: str = "counter"
) -> tuple[g.ObjectId, g.ObjectId]:
    """An actor with ``steps`` steps, written directly: (actor, head)."""
    core, objects = test_actor_core(name)
    for obj in objects:
        store.put_object(obj)
    actor = g.object_id(core)
    previous = None
    for _ in range(steps):
        previous = store.put_object(g.Step(actor=actor, core=actor, previous=previous))
    assert previous is not None
    store.cas_ref("heads/" + actor.hex(), None, previous)
    return actor, previous


@pytest.mark.req("RUN-008.8")
@pytest.mark.parametrize("steps", [1, 10, 300])
def test_fork_reads_a_bounded_number_of_objects(steps: int) -> None:
    backend = CountingBackend()
    store = Store(backend)  # type: ignore[arg-type]
    actor, head = _manual_history(store, steps)
    backend.reads = 0
    fork(store, actor, head)
    assert backend.reads <= 4  # the step, its core, the new step at the swap


@pytest.mark.req("RUN-008.1", "RUN-008.3", "RUN-008.6", "REF-004")
def test_fork_refusals() -> None:
    store = Store.memory()
    actor, head = _manual_history(store, 2)
    other, other_head = _manual_history(Store.memory(), 1, "echo")
    with pytest.raises(g.ObjectNotFound):
        fork(store, actor, other_head)
    fake = store.put_object(g.Step(actor=actor, core=actor))
    with pytest.raises(g.InvalidRefTarget):
        fork(store, other, fake)
    with pytest.raises(g.InvalidObject):
        fork(store, actor, head, {"fork": g.Blob(data=b"")})
    fork(store, actor, head)
    with pytest.raises(g.RefConflict):
        fork(store, actor, head)
    assert fork(store, actor, head, {"tag": g.Blob(data=b"2")}) != fork(
        store, actor, head, {"tag": g.Blob(data=b"3")}
    )


# --- RUN-009 bundles ----------------------------------------------------------------------


@pytest.mark.req("RUN-009.1", "RUN-009.4", "RUN-009.5", "WIT-011", "ENC-014", "ID-005")
def test_bundle_moves_an_actor_and_both_runtimes_continue_with_identical_ids() -> None:
    a, b = Store.memory(), Store.memory()
    rt_a, rt_b = Runtime(a), Runtime(b)
    actor = run(_counter(rt_a, 4))
    data = export_bundle(a, actor)

    tag, actor_text, head_text, items = g.decode_value(data)  # type: ignore[misc]
    assert (tag, actor_text, head_text) == ("gritwit-bundle/1", actor.hex(), _head(a, actor).hex())
    ids = [g.ObjectId(blake3.blake3(item).digest()) for item in items]  # type: ignore[union-attr, arg-type]
    assert ids == sorted(ids, key=lambda oid: oid.digest)
    assert set(ids) == closure(a, _head(a, actor))
    assert g.encode_value(g.decode_value(data)) == data

    assert import_bundle(b, data) == (actor, _head(a, actor))
    assert export_bundle(b, actor) == data
    assert import_bundle(b, data) == (actor, _head(a, actor))  # again: unchanged

    async def next_steps(rt: Runtime, store: Store) -> list[g.ObjectId]:
        heads = []
        for amount in (5, 6, 7):
            await _inc(rt, actor, amount, signal=True)  # the same message ids in A and B
            heads.append(_head(store, actor))
        return heads

    assert run(next_steps(rt_a, a)) == run(next_steps(rt_b, b))
    assert _count(b, actor) == 4 + 18


@pytest.mark.req("RUN-009.1", "RUN-008.5", "RUN-010.2", "RUN-010.4")
def test_a_forked_actor_bundles_with_its_parents_history() -> None:
    a, b = Store.memory(), Store.memory()
    parent = run(_counter(Runtime(a), 2))
    child = fork(a, parent, _head(a, parent))
    import_bundle(b, export_bundle(a, child))
    assert [oid for oid, _ in history(b, child)] == [oid for oid, _ in history(a, child)]
    assert verify_actor(b, child).ok
    assert b.get_ref("heads/" + parent.hex()) is None


@functools.cache
def _sample() -> tuple[g.ObjectId, bytes]:
    store = Store.memory()
    actor = run(_counter(Runtime(store), 2))
    return actor, export_bundle(store, actor)


def _nothing_stored(store: Store) -> bool:
    return not list(store.iter_ids()) and not store.list_refs()


def _rebundle(data: bytes, change: object) -> bytes:
    value = g.decode_value(data)
    assert isinstance(value, list)
    items = value[3]
    assert isinstance(items, list)
    value[3] = change(items)  # type: ignore[operator]
    return g.encode_value(value)


@pytest.mark.req("RUN-009.2", "RUN-009.3", "ENC-002")
@given(st.data())
def test_a_truncated_bundle_imports_nothing(data: st.DataObject) -> None:
    _, bundle = _sample()
    cut = data.draw(st.integers(0, len(bundle) - 1))
    store = Store.memory()
    with pytest.raises(g.Truncated):
        import_bundle(store, bundle[:cut])
    assert _nothing_stored(store)


def _corrupt_content(items: list[bytes]) -> list[bytes]:
    """Replace one blob by another valid blob (a changed object: its id changes)."""
    index = next(i for i, item in enumerate(items) if isinstance(g.decode_object(item), g.Blob))
    changed = g.encode_object(g.Blob(data=b"tampered"))
    return sorted(
        [*items[:index], changed, *items[index + 1 :]],
        key=lambda b: blake3.blake3(b).digest(),
    )


@pytest.mark.req("RUN-009.2", "STO-001", "ENC-005", "OBJ-003")
@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda items: items[:1] + items[2:], g.ObjectNotFound),  # a missing object
        (_corrupt_content, g.ObjectNotFound),  # a changed object no longer has its id
        (lambda items: [b"\xff" + items[0][1:], *items[1:]], g.Malformed),  # undecodable
        (lambda items: [items[0][:-1], *items[1:]], g.Truncated),  # a torn object
        (lambda items: [g.encode_value([1]), *items[1:]], g.InvalidObject),  # not a map
        (lambda items: [*items, items[0]], g.InvalidObject),  # duplicated
        (lambda items: items[::-1], g.InvalidObject),  # not in id order
    ],
)
def test_a_damaged_bundle_is_rejected_whole(change: object, error: type[g.GritError]) -> None:
    _, bundle = _sample()
    damaged = _rebundle(bundle, change)
    store = Store.memory()
    with pytest.raises(error):
        import_bundle(store, damaged)
    assert _nothing_stored(store)


@pytest.mark.req("RUN-009.2", "ID-003")
def test_a_bundle_with_a_bad_header_is_rejected() -> None:
    actor, bundle = _sample()
    value = g.decode_value(bundle)
    assert isinstance(value, list)
    for bad, error in [
        (["gritwit-bundle/2", *value[1:]], g.InvalidObject),
        ([value[0], "ab", *value[2:]], g.InvalidId),
        ([value[0], "0" * 64, *value[2:]], g.InvalidRefTarget),  # head is not its step
        (value[:3], g.InvalidObject),
    ]:
        store = Store.memory()
        with pytest.raises(error):
            import_bundle(store, g.encode_value(bad))  # type: ignore[arg-type]
        assert _nothing_stored(store)
    del actor


@pytest.mark.req("RUN-009.4", "REF-004")
def test_import_refuses_a_different_existing_head() -> None:
    actor, bundle = _sample()
    store = Store.memory()
    rt = Runtime(store)
    run(_counter(rt, 3))  # the same actor (same core), a different history
    before = sorted(store.iter_ids(), key=lambda oid: oid.digest)
    with pytest.raises(g.RefConflict):
        import_bundle(store, bundle)
    assert sorted(store.iter_ids(), key=lambda oid: oid.digest) == before
    del actor


# --- RUN-010 verification -----------------------------------------------------------------


def _sqlite_actor(tmp_path: Path) -> tuple[Store, g.ObjectId]:
    store = Store.open(tmp_path)
    actor = run(_counter(Runtime(store), 2))
    return store, actor


def _tamper(tmp_path: Path, oid: g.ObjectId) -> None:
    """Change the stored bytes of ``oid`` behind the store's back."""
    with sqlite3.connect(tmp_path / "gritwit.sqlite3") as conn:
        (data,) = conn.execute("SELECT data FROM objects WHERE id = ?", (oid.digest,)).fetchone()
        changed = bytes(data[:-1]) + bytes([data[-1] ^ 1])
        conn.execute("UPDATE objects SET data = ? WHERE id = ?", (changed, oid.digest))


def _by_type(store: Store, actor: g.ObjectId) -> Iterator[tuple[str, g.ObjectId]]:
    found: dict[str, g.ObjectId] = {}
    for oid in sorted(closure(store, _head(store, actor)), key=lambda o: o.digest):
        found.setdefault(type(store.get_object(oid)).__name__, oid)
    yield from sorted(found.items())


@pytest.mark.req("RUN-010.1", "STO-004")
@pytest.mark.parametrize("kind", ["Blob", "Mailbox", "Message", "Step", "Tree"])
def test_verify_actor_locates_a_tampered_object(tmp_path: Path, kind: str) -> None:
    store, actor = _sqlite_actor(tmp_path)
    report = verify_actor(store, actor)
    assert report.ok and report.steps == 3 and not report.erased
    assert report.objects == len(closure(store, _head(store, actor)))
    target = dict(_by_type(store, actor))[kind]
    _tamper(tmp_path, target)
    report = verify_actor(store, actor)
    assert not report.ok
    assert target in {oid for oid, _ in report.problems}
    store.close()


@pytest.mark.req("RUN-010.2", "RUN-008.2")
def test_verify_actor_finds_a_foreign_step_and_a_forged_fork() -> None:
    store = Store.memory()
    actor, head = _manual_history(store, 2)
    core, objects = test_actor_core("echo")
    for obj in objects:
        store.put_object(obj)
    other = g.object_id(core)
    foreign = store.put_object(g.Step(actor=other, core=other, previous=head))
    top = store.put_object(g.Step(actor=actor, core=actor, previous=foreign))
    store.cas_ref("heads/" + actor.hex(), head, top)
    problems = {oid for oid, _ in verify_actor(store, actor).problems}
    assert foreign in problems or top in problems

    # A step of another actor continuing this one without a fork entry is no fork.
    store2 = Store.memory()
    actor2, head2 = _manual_history(store2, 2)
    for obj in objects:
        store2.put_object(obj)
    forged = store2.put_object(g.Step(actor=other, core=other, previous=head2))
    store2.cas_ref("heads/" + other.hex(), None, forged)
    assert [oid for oid, _ in verify_actor(store2, other).problems] == [forged]
    assert verify_actor(store2, actor2).ok


@pytest.mark.req("RUN-010.3", "WIT-005")
def test_verify_actor_finds_a_cursor_moving_backwards() -> None:
    store = Store.memory()
    actor, head = _manual_history(store, 1)
    content = store.put_object(g.Blob(data=b"x"))
    zero = store.put_object(g.Message(content=content))
    first = store.put_object(g.Message(content=content, previous=zero))
    second = store.put_object(g.Message(content=content, previous=first))
    outside = g.ObjectId(bytes(32))
    steps = [head]
    for cursor in (second, first):
        inbox = store.put_object(g.Mailbox(entries={outside: cursor}))
        steps.append(
            store.put_object(g.Step(actor=actor, core=actor, previous=steps[-1], inbox=inbox))
        )
    store.cas_ref("heads/" + actor.hex(), head, steps[-1])
    assert [oid for oid, _ in verify_actor(store, actor).problems] == [steps[-1]]


# --- RUN-011 erasure ----------------------------------------------------------------------


def _store(kind: str, tmp_path: Path) -> Store:
    return Store.memory() if kind == "memory" else Store.open(tmp_path)


@pytest.mark.req(
    "RUN-011.1",
    "RUN-011.2",
    "RUN-011.3",
    "RUN-011.4",
    "RUN-011.5",
    "RUN-011.7",
    "STO-005",
    "CONV-004",
)
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_an_erased_blob_leaves_a_verifiable_tombstone(kind: str, tmp_path: Path) -> None:
    store = _store(kind, tmp_path)
    actor = run(_counter(Runtime(store), 1))
    core = store.get_object(_step(store, _head(store, actor)).core)
    assert isinstance(core, g.Tree)
    tag = core.entries["tag"]
    tag_bytes = store.get(tag)

    assert erase_blob(store, tag, "personal data") is True
    with pytest.raises(g.Erased) as caught:
        store.get(tag)
    assert caught.value.error_class == "erased"
    assert g.ERROR_CLASSES["erased"] is g.Erased
    assert store.has(tag)
    assert store.put(tag_bytes) == tag  # putting it again does not restore it
    with pytest.raises(g.Erased):
        store.get(tag)
    assert erase_blob(store, tag, "again") is False
    assert tag not in set(store.iter_ids())

    report = verify_actor(store, actor)
    assert report.ok and report.erased == (tag,)
    assert store.get(core.entries["wit"])  # the rest is untouched
    with pytest.raises(g.Erased):
        export_bundle(store, actor)
    if kind == "sqlite":
        store.close()
        store = Store.open(tmp_path)
        with pytest.raises(g.Erased):
            store.get(tag)
        assert store.tombstone(tag) == "personal data"
    store.close()


@pytest.mark.req("RUN-011.6")
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_erasing_anything_but_a_present_blob_is_refused(kind: str, tmp_path: Path) -> None:
    store = _store(kind, tmp_path)
    actor, head = _manual_history(store, 1)
    for oid in (actor, head):  # a tree (the core) and a step
        data = store.get(oid)
        with pytest.raises(g.InvalidObject):
            erase_blob(store, oid, "no")
        assert store.get(oid) == data
    with pytest.raises(g.ObjectNotFound):
        erase_blob(store, g.ObjectId(bytes(32)), "absent")
    blob = store.put_object(g.Blob(data=b"keep"))
    with pytest.raises(g.InvalidObject):
        erase_blob(store, blob, "")
    assert store.get(blob)
    store.close()

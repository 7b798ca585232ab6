"""The walks of a whole history follow a mailbox's ``base`` (OBJ-019, RUN-009.1, RUN-010.1).

An outbox may be a short chain of mailboxes, each naming the one below it as its ``base``
(WIT-009.5). What a bundle carries and what ``verify_actor`` checks is everything
reachable from the head, and a mailbox reaches its base as it reaches its entries. The
chains here are built by hand, so these tests do not depend on how a runtime builds them.
"""

from __future__ import annotations

import blake3
import pytest
from aio import run
from dag_closure import closure
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit._errors import InvalidObject, InvalidTransition, ObjectNotFound
from gritwit.runtime import Runtime, export_bundle, history, import_bundle, verify_actor
from gritwit.store import Store
from gritwit.wit import (
    Send,
    TransitionInput,
    TransitionOutput,
    assemble,
    mailbox_raw,
    read_chain,
    test_actor_core,
)


def _recipient(index: int) -> g.ObjectId:
    return g.ObjectId(blake3.blake3(b"recipient %d" % index).digest())


def _chained(
    store: Store, levels: list[dict[int, int]], *, skip: frozenset[int] = frozenset()
) -> tuple[g.ObjectId, list[g.ObjectId], dict[int, g.ObjectId]]:
    """An actor whose second step's outbox is a chain of ``levels`` (the lowest first, each
    over the one before): (actor, the mailboxes' ids lowest first, message id by number).
    Level indexes in ``skip`` are not stored (their ids are still named)."""
    core, objects = test_actor_core("counter")
    for obj in objects:
        store.put_object(obj)
    actor = g.object_id(core)
    genesis = store.put_object(g.Step(actor=actor, core=actor))
    numbers = sorted({n for level in levels for n in level.values()})
    content = store.put_object(g.Blob(data=b"sent"))
    messages = {
        n: store.put_object(g.Message(content=content, headers={"n": str(n)})) for n in numbers
    }
    boxes: list[g.ObjectId] = []
    base: g.ObjectId | None = None
    for index, level in enumerate(levels):
        box = g.Mailbox(entries={_recipient(r): messages[n] for r, n in level.items()}, base=base)
        base = store.put_object(box) if index not in skip else g.object_id(box)
        boxes.append(base)
    step = store.put_object(g.Step(actor=actor, core=actor, previous=genesis, outbox=base))
    store.cas_ref("heads/" + actor.hex(), None, step)
    return actor, boxes, messages


#: Three levels: recipient 1's entry is replaced above, 2 only at the bottom, 4 only at the top.
LEVELS = [{1: 10, 2: 20}, {1: 11, 3: 30}, {3: 31, 4: 40}]


def _items(bundle: bytes) -> list[bytes]:
    value = g.decode_value(bundle)
    assert isinstance(value, list) and isinstance(value[3], list)
    return [item for item in value[3] if isinstance(item, bytes)]


def _ids(items: list[bytes]) -> list[g.ObjectId]:
    return [g.ObjectId(blake3.blake3(item).digest()) for item in items]


def _nothing_stored(store: Store) -> bool:
    return not list(store.iter_ids()) and not store.list_refs()


@pytest.mark.req("RUN-009.1", "RUN-009.4", "RUN-009.8", "OBJ-019.1", "RUN-010.1", "RUN-010.4")
def test_a_bundle_carries_every_base_of_a_chained_outbox_and_imports() -> None:
    a, b = Store.memory(), Store.memory()
    actor, boxes, messages = _chained(a, LEVELS)
    data = export_bundle(a, actor)
    ids = _ids(_items(data))
    head = a.get_ref("heads/" + actor.hex())
    assert head is not None
    assert set(ids) == closure(a, head)
    assert set(boxes) <= set(ids)  # every level, the lowest two only through base
    assert messages[20] in ids  # named only by the lowest level's entries
    assert import_bundle(b, data) == (actor, head)
    assert export_bundle(b, actor) == data
    assert all(b.has(oid) for oid in boxes)
    report = verify_actor(b, actor)
    assert report.ok, report.problems
    assert report.objects == len(ids)


@pytest.mark.req("RUN-009.2", "RUN-009.3", "RUN-009.6", "OBJ-019.2")
@pytest.mark.parametrize("level", [0, 1])
def test_a_bundle_without_one_of_its_bases_is_refused_not_found(level: int) -> None:
    a = Store.memory()
    actor, boxes, _ = _chained(a, LEVELS)
    data = export_bundle(a, actor)
    value = g.decode_value(data)
    assert isinstance(value, list)
    kept = [item for item in _items(data) if _ids([item])[0] != boxes[level]]
    assert len(kept) == len(_items(data)) - 1
    value[3] = list(kept)
    store = Store.memory()
    with pytest.raises(ObjectNotFound) as info:
        import_bundle(store, g.encode_value(value))
    assert info.value.requirement == "RUN-009.2"
    assert _nothing_stored(store)


@pytest.mark.req("RUN-009.1", "OBJ-019.2")
def test_an_export_whose_base_is_absent_fails_not_found() -> None:
    store = Store.memory()
    actor, _, _ = _chained(store, LEVELS, skip=frozenset({0}))
    with pytest.raises(ObjectNotFound):
        export_bundle(store, actor)


@pytest.mark.req("RUN-010.1", "OBJ-019.2")
@pytest.mark.parametrize("level", [0, 1])
def test_verify_walks_a_base_and_reports_an_absent_one(level: int) -> None:
    store = Store.memory()
    actor, boxes, _ = _chained(store, LEVELS, skip=frozenset({level}))
    report = verify_actor(store, actor)
    assert [oid for oid, _ in report.problems] == [boxes[level]]
    assert "not-found" in report.problems[0][1]


@pytest.mark.req("RUN-010.1", "OBJ-019.1")
def test_verify_reaches_a_message_named_only_at_the_bottom_of_the_chain() -> None:
    store = Store.memory()
    actor, _, messages = _chained(store, LEVELS)
    assert verify_actor(store, actor).ok
    damaged = Store.memory()
    for oid in store.iter_ids():
        if oid != messages[20]:  # recipient 2's message: only the lowest level names it
            damaged.put_object(store.get_object(oid))
    head = store.get_ref("heads/" + actor.hex())
    damaged.cas_ref("heads/" + actor.hex(), None, head)
    assert [oid for oid, _ in verify_actor(damaged, actor).problems] == [messages[20]]


_LEVEL = st.dictionaries(st.integers(0, 7), st.integers(0, 5), min_size=1, max_size=4)


@pytest.mark.req("RUN-009.1", "RUN-009.2", "OBJ-019.1", "OBJ-013", "ID-005")
@given(st.lists(_LEVEL, min_size=1, max_size=4))
def test_a_bundle_holds_exactly_the_closure_through_bases(levels: list[dict[int, int]]) -> None:
    """Chains of one to four mailboxes, the lowest without base: the bundle is the closure,
    once, by id, and imports whole."""
    store = Store.memory()
    actor, boxes, _ = _chained(store, levels)
    data = export_bundle(store, actor)
    ids = _ids(_items(data))
    head = store.get_ref("heads/" + actor.hex())
    assert head is not None
    assert ids == sorted(set(ids), key=lambda oid: oid.digest)
    assert set(ids) == closure(store, head)
    assert set(boxes) <= set(ids)
    other = Store.memory()
    assert import_bundle(other, data) == (actor, head)


async def _counters(rt: Runtime, count: int, incs: int) -> list[g.ObjectId]:
    actors = []
    for index in range(count):
        core, objects = test_actor_core("counter", {"tag": g.Blob(data=b"%d" % index)})
        actors.append(await rt.genesis(core, objects))
    await rt.run_until_quiescent()
    for amount in range(1, incs + 1):
        for actor in actors:
            blob = g.Blob(data=str(amount).encode())
            await rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,))
        report = await rt.run_until_quiescent()
        assert report.quiescent and not report.failures
    return actors


@pytest.mark.req("WIT-008.4", "RUN-003.4", "OBJ-019.1")
def test_inboxes_and_the_outsides_mailboxes_are_single_mailboxes() -> None:
    """Every inbox a runtime writes, and every mailbox of its outside, is one mailbox
    without base: only a step's outbox may be a chain (WIT-009.5)."""
    store = Store.memory()
    actors = run(_counters(Runtime(store), 3, 3))
    inboxes = {step.inbox for actor in actors for _, step in history(store, actor)}
    inboxes.discard(None)
    outside = {target for _, target in store.list_ref_targets("names/outside-outbox/")}
    assert len(inboxes) >= 3 * 3 and len(outside) >= 1
    for oid in [*inboxes, *outside]:
        assert oid is not None
        box = store.get_object(oid)
        assert isinstance(box, g.Mailbox) and box.base is None, (oid, box)


def _based_on(store: Store, odd: g.GritObject) -> tuple[g.ObjectId, g.ObjectId]:
    """An actor whose second step's outbox is one mailbox over ``odd`` as its base, stored:
    (actor, the id of ``odd``)."""
    actor, _, messages = _chained(store, [{1: 10}])
    odd_id = store.put_object(odd)
    top = store.put_object(g.Mailbox(entries={_recipient(2): messages[10]}, base=odd_id))
    head = store.get_ref("heads/" + actor.hex())
    assert head is not None
    step = store.put_object(g.Step(actor=actor, core=actor, previous=head, outbox=top))
    store.cas_ref("heads/" + actor.hex(), head, step)
    return actor, odd_id


_NOT_MAILBOXES: dict[str, g.GritObject] = {
    "blob": g.Blob(data=b"not a mailbox"),
    "message": g.Message(content=g.object_id(g.Blob(data=b"sent"))),
    "tree": g.Tree(entries={"x": g.object_id(g.Blob(data=b"sent"))}),
}


@pytest.mark.req("OBJ-019.2", "RUN-009.2", "RUN-009.3", "RUN-010.1")
@pytest.mark.parametrize("kind", sorted(_NOT_MAILBOXES))
def test_a_base_that_is_not_a_mailbox_fails_invalid_object_in_import_and_verify(
    kind: str,
) -> None:
    """Import refuses it, verify reports it at the base's id; the step's walk is otherwise
    whole (every object present, re-hashing), so only the base's type is at fault."""
    store = Store.memory()
    actor, odd = _based_on(store, _NOT_MAILBOXES[kind])
    report = verify_actor(store, actor)
    assert [oid for oid, _ in report.problems] == [odd]
    assert "invalid-object" in report.problems[0][1] and "OBJ-019.2" in report.problems[0][1]
    data = export_bundle(store, actor)  # the walk reads every object; the type is judged later
    other = Store.memory()
    with pytest.raises(InvalidObject) as info:
        import_bundle(other, data)
    assert info.value.requirement == "OBJ-019.2"
    assert _nothing_stored(other)


@pytest.mark.req("OBJ-019.2", "RUN-009.6")
def test_a_missing_object_is_reported_before_a_base_that_is_not_a_mailbox() -> None:
    store = Store.memory()
    actor, odd = _based_on(store, g.Blob(data=b"not a mailbox"))
    value = g.decode_value(export_bundle(store, actor))
    assert isinstance(value, list)
    first = min(_ids(_items(g.encode_value(value))), key=lambda oid: oid.digest)
    assert first != odd
    value[3] = [item for item in _items(g.encode_value(value)) if _ids([item])[0] != first]
    with pytest.raises(ObjectNotFound):
        import_bundle(Store.memory(), g.encode_value(value))


@pytest.mark.req("OBJ-019.2", "WIT-009.1", "WIT-008.1")
def test_a_transition_over_a_base_that_is_not_a_mailbox_fails_invalid_object() -> None:
    """The last outbox's chain, read by the next transition (WIT-009.1) and by every reader
    of its map, fails the object rule's class, ``invalid-object`` naming OBJ-019.2; an
    outbox that is itself no mailbox is the step's fault, ``invalid-transition``."""
    store = Store.memory()
    actor, odd = _based_on(store, g.Blob(data=b"not a mailbox"))
    head = store.get_ref("heads/" + actor.hex())
    assert head is not None
    last = store.get_object(head)
    assert isinstance(last, g.Step) and last.outbox is not None
    for read in (read_chain, mailbox_raw):
        with pytest.raises(InvalidObject) as info:
            read(store, last.outbox)
        assert info.value.requirement == "OBJ-019.2" and str(odd) in info.value.detail
    with pytest.raises(InvalidTransition):
        mailbox_raw(store, odd)  # a blob where an outbox should be: the step's own fault
    core = store.get_object(last.core)
    assert isinstance(core, g.Tree)
    inp = TransitionInput(actor=actor, core=core, last_step=last, pending={}, objects=store)
    out = TransitionOutput(core=core, sends=(Send(recipient=_recipient(2), content=odd),))
    with pytest.raises(InvalidObject) as info:
        assemble(inp, out, store)
    assert info.value.requirement == "OBJ-019.2"
    # the last step's outbox itself a blob: the transition fails as the step's fault,
    # not as a broken base (a runtime never builds, and rt-import refuses, such a step)
    blob_outbox = g.Step(actor=actor, core=last.core, previous=last.previous, outbox=odd)
    inp = TransitionInput(actor=actor, core=core, last_step=blob_outbox, pending={}, objects=store)
    with pytest.raises(InvalidTransition) as fault:
        assemble(inp, out, store)
    assert fault.value.requirement == "WIT-009.1"

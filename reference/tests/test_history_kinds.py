"""Each id of a history names an object of its field's kind (OBJ-020, OBJ-019.2, RUN-009.2,
RUN-010.1).

The histories here are written into a store by hand, so a field can name any object:
``import_bundle`` must refuse one whose step ``core``, ``previous``, ``inbox`` or
``outbox``, mailbox ``base`` or entry, or message ``previous`` names an object of another
kind, storing nothing, and ``verify_actor`` must report it at the named object's id. A
message's ``content`` and a tree's entries may name any kind (OBJ-020.3).
"""

from __future__ import annotations

import blake3
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit.runtime import export_bundle, import_bundle, verify_actor
from gritwit.store import Store
from gritwit.wit import test_actor_core

#: Each field of OBJ-020.1's table: its kind and the clause a wrong kind names (OBJ-020.2).
FIELDS = {
    "core": ("tree", "OBJ-020.2"),
    "previous": ("step", "OBJ-020.2"),
    "inbox": ("mailbox", "OBJ-020.2"),
    "outbox": ("mailbox", "OBJ-020.2"),
    "entry": ("message", "OBJ-020.2"),
    "queued": ("message", "OBJ-020.2"),  # the previous of the message an entry names
    "base": ("mailbox", "OBJ-019.2"),
}
KINDS = ("blob", "tree", "message", "mailbox", "step")


def _actor_id(name: str) -> g.ObjectId:
    return g.ObjectId(blake3.blake3(b"OBJ-020 " + name.encode()).digest())


def _stray(store: Store, actor: g.ObjectId, kind: str, salt: bytes = b"") -> g.ObjectId:
    """An object of ``kind``, stored with everything it names: its id."""
    blob = store.put_object(g.Blob(data=b"stray " + salt))
    if kind == "blob":
        return blob
    tree = store.put_object(g.Tree(entries={"x": blob}))
    message = store.put_object(g.Message(content=blob, headers={"stray": salt.hex()}))
    made = {
        "tree": tree,
        "message": message,
        "mailbox": store.put_object(g.Mailbox(entries={_actor_id("stray"): message})),
        "step": store.put_object(g.Step(actor=actor, core=tree)),
    }
    return made[kind]


def _history(
    store: Store, *, field: str | None = None, kind: str = "", salt: bytes = b""
) -> tuple[g.ObjectId, g.ObjectId | None]:
    """The counter's second step over a first, with an inbox, and an outbox over a base
    whose entry is a queue's second message; ``field`` names a ``kind`` object instead of
    its own, made with ``salt``.  (actor, the id ``field`` names, or ``None``)."""
    core, objects = test_actor_core("counter")
    store.put_objects(objects)
    actor = g.object_id(core)
    odd = _stray(store, actor, kind, salt) if field else None
    pick = {field: odd} if odd else {}
    content = store.put_object(g.Blob(data=b"sent"))
    first = store.put_object(g.Message(content=content, headers={"n": "1"}))
    queued = pick.get("queued", first)
    second = store.put_object(g.Message(content=content, previous=queued, headers={"n": "2"}))
    read = store.put_object(g.Message(content=content, headers={"n": "0"}))
    base = pick.get("base") or store.put_object(g.Mailbox(entries={_actor_id("r2"): first}))
    entries = {_actor_id("r1"): pick.get("entry", second)}
    outbox = pick.get("outbox") or store.put_object(g.Mailbox(entries=entries, base=base))
    inbox = pick.get("inbox") or store.put_object(g.Mailbox(entries={_actor_id("s"): read}))
    genesis = store.put_object(g.Step(actor=actor, core=actor))
    head = g.Step(
        actor=actor,
        core=pick.get("core", actor),
        previous=pick.get("previous", genesis),
        inbox=inbox,
        outbox=outbox,
    )
    store.cas_ref("heads/" + actor.hex(), None, store.put_object(head))
    return actor, odd


def _filled() -> tuple[Store, set[g.ObjectId], list[tuple[str, g.ObjectId]]]:
    """A store that already holds another actor's history: (store, its ids, its refs)."""
    store = Store.memory()
    other = store.put_object(g.Tree(entries={"x": store.put_object(g.Blob(data=b"other"))}))
    store.cas_ref("heads/" + other.hex(), None, store.put_object(g.Step(actor=other, core=other)))
    return store, set(store.iter_ids()), store.list_ref_targets()


@pytest.mark.req("OBJ-020.1", "RUN-009.2", "RUN-009.8", "RUN-010.4")
def test_a_history_of_the_right_kinds_imports_and_verifies() -> None:
    source = Store.memory()
    actor, _ = _history(source)
    assert verify_actor(source, actor).problems == ()
    target, _, _ = _filled()
    assert import_bundle(target, export_bundle(source, actor)) == (
        actor,
        source.get_ref("heads/" + actor.hex()),
    )
    assert verify_actor(target, actor).problems == ()


def _refused(field: str, kind: str, salt: bytes = b"") -> None:
    """``field`` naming a ``kind``: import refuses it naming the field's clause, storing
    nothing; verify reports it at the named id (and, for ``previous``, the step whose
    ``previous`` is no step, RUN-010.2)."""
    _, clause = FIELDS[field]
    source = Store.memory()
    actor, odd = _history(source, field=field, kind=kind, salt=salt)
    assert odd is not None
    report = verify_actor(source, actor)
    at = {oid: text for oid, text in report.problems}
    head = source.get_ref("heads/" + actor.hex())
    assert set(at) == ({odd, head} if field == "previous" else {odd}), report.problems
    assert at[odd].startswith("invalid-object") and f"({clause})" in at[odd], at[odd]
    data = export_bundle(source, actor)  # the walk reads every object; kinds are judged later
    target, ids, refs = _filled()
    with pytest.raises(g.InvalidObject) as info:
        import_bundle(target, data)
    assert info.value.requirement == clause and str(odd) in info.value.detail
    assert (set(target.iter_ids()), target.list_ref_targets()) == (ids, refs)  # RUN-009.3


@pytest.mark.req("OBJ-020.1", "OBJ-020.2", "OBJ-019.2", "RUN-009.2", "RUN-009.3", "RUN-010.1")
@pytest.mark.parametrize(
    ("field", "kind"),
    [(f, k) for f in sorted(FIELDS) for k in KINDS if k != FIELDS[f][0]],
)
def test_an_id_naming_another_kind_is_refused_and_reported(field: str, kind: str) -> None:
    _refused(field, kind)


@pytest.mark.req("OBJ-020.1", "OBJ-020.2", "OBJ-019.2", "RUN-009.2", "RUN-009.3", "RUN-010.1")
@given(field=st.sampled_from(sorted(FIELDS)), kind=st.sampled_from(KINDS), salt=st.binary())
def test_any_field_naming_any_kind(field: str, kind: str, salt: bytes) -> None:
    """Both sides at once: the field's own kind imports, every other is refused."""
    if kind != FIELDS[field][0]:
        _refused(field, kind, salt)
        return
    source = Store.memory()
    actor, _ = _history(source, field=field, kind=kind, salt=salt)
    target, _, _ = _filled()
    assert import_bundle(target, export_bundle(source, actor))[0] == actor
    problems = verify_actor(source, actor).problems
    assert not [text for _, text in problems if "invalid-object" in text], problems


@pytest.mark.req("OBJ-020.2", "RUN-009.6")
def test_missing_objects_come_before_kinds_and_kinds_before_extras() -> None:
    source = Store.memory()
    actor, odd = _history(source, field="outbox", kind="blob")
    value = g.decode_value(export_bundle(source, actor))
    assert isinstance(value, list) and isinstance(value[3], list)
    items: list[bytes] = [item for item in value[3] if isinstance(item, bytes)]
    ids = [g.ObjectId(blake3.blake3(item).digest()) for item in items]
    drop = next(i for i, oid in enumerate(ids) if oid not in (odd, g.ObjectId.from_hex(value[2])))
    missing = [*value[:3], items[:drop] + items[drop + 1 :]]
    with pytest.raises(g.ObjectNotFound):
        import_bundle(Store.memory(), g.encode_value(missing))
    extra = g.encode_object(g.Blob(data=b"reached by nothing"))
    more = sorted([*items, extra], key=lambda item: blake3.blake3(item).digest())
    with pytest.raises(g.InvalidObject) as info:
        import_bundle(Store.memory(), g.encode_value([*value[:3], more]))
    assert info.value.requirement == "OBJ-020.2", info.value


@pytest.mark.req("OBJ-020.2", "RUN-010.1")
def test_verify_reports_every_wrong_kind_and_import_the_lowest() -> None:
    source = Store.memory()
    actor, odd = _history(source, field="entry", kind="tree")
    head = source.get_ref("heads/" + actor.hex())
    assert head is not None and odd is not None
    step = source.get_object(head)
    assert isinstance(step, g.Step)
    blob = source.put_object(g.Blob(data=b"an inbox?"))
    again = g.Step(
        actor=actor, core=step.core, previous=step.previous, inbox=blob, outbox=step.outbox
    )
    source.cas_ref("heads/" + actor.hex(), head, source.put_object(again))
    assert sorted(oid for oid, _ in verify_actor(source, actor).problems) == sorted(
        [odd, blob], key=lambda oid: oid.digest
    )
    with pytest.raises(g.InvalidObject) as info:
        import_bundle(Store.memory(), export_bundle(source, actor))
    assert str(min(odd, blob, key=lambda oid: oid.digest)) in info.value.detail


@pytest.mark.req("OBJ-020.3", "RUN-009.2", "RUN-010.4")
@pytest.mark.parametrize("kind", KINDS)
def test_content_and_tree_entries_name_any_kind(kind: str) -> None:
    """A queued message whose content is a ``kind``, and a core entry naming one."""
    source = Store.memory()
    core, objects = test_actor_core("counter")
    source.put_objects(objects)
    actor = g.object_id(core)
    odd = _stray(source, actor, kind)
    sent = source.put_object(g.Message(content=odd, headers={"mt": "echo"}))
    outbox = source.put_object(g.Mailbox(entries={_actor_id("r"): sent}))
    kept = source.put_object(g.Tree(entries={**core.entries, "kept": odd}))
    genesis = source.put_object(g.Step(actor=actor, core=actor))
    head = source.put_object(g.Step(actor=actor, core=kept, previous=genesis, outbox=outbox))
    source.cas_ref("heads/" + actor.hex(), None, head)
    assert verify_actor(source, actor).problems == ()
    assert import_bundle(Store.memory(), export_bundle(source, actor)) == (actor, head)

"""A bundle in which an id names an object of another kind than its field's is refused
``invalid-object`` (OBJ-020.1, OBJ-020.2, RUN-009.2); the content of a message and a
tree's entries are not judged by kind (OBJ-020.3).

Decoding checks every id field as an id only. A step whose ``outbox`` is a blob, whose
``core`` is a mailbox, a mailbox entry naming a tree, a message whose ``previous`` is a
step: each such object decodes, and a history holding one could be stored whole — but
routing and the actor's next transition read the outbox's map, the message chains and
the inbox, so it could never run. ``rt-import`` is where a history an implementation did
not build enters its store, so that is where it is refused, whole (RUN-009.3).

The other side, so that an implementation refusing too much fails too: the same history
with every field of its kind imports, verifies and runs; and so does one whose message
content is a step, a mailbox or a message and whose core keeps a message in an entry
(``echo`` replies with whatever content it read, WIT-019.1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, error_answer
from ._bundled import ACTOR, CORE, FIRST, WIT, imports_verifies_and_runs
from ._bundled import head_of as _head
from ._bundled import open_runtime as _open

pytestmark = pytest.mark.profile("runtime")

FIRST_ID = g.object_id(FIRST)
CONTENT = g.Blob(data=b"sent twice")
CONTENT_ID = g.object_id(CONTENT)


def _actor(name: str) -> g.ObjectId:
    """An id no actor has (WIT-009.4): a recipient, a sender."""
    return g.ObjectId(hashlib.sha256(b"OBJ-020 " + name.encode()).digest())


def _message(n: str, content: g.ObjectId, previous: g.ObjectId | None = None) -> g.Message:
    return g.Message(content=content, previous=previous, headers={"n": n})


#: One object of each kind that some field names where it should not (each of the five
#: kinds but the field's own is tried); what each names is in the bundle too.
_STRAY_MESSAGE = _message("stray", g.object_id(CONTENT))
STRAY: dict[str, g.GritObject] = {
    "blob": g.Blob(data=b"not the kind its field names"),
    "tree": g.Tree(entries={"x": g.object_id(CONTENT)}),
    "message": _STRAY_MESSAGE,
    "mailbox": g.Mailbox(entries={_actor("stray"): g.object_id(_STRAY_MESSAGE)}),
    "step": g.Step(actor=_actor("another actor"), core=ACTOR),
}


#: A history: its head and objects it may reach, by id (a bundle takes what the head reaches).
History = tuple[g.Step, dict[g.ObjectId, g.GritObject]]


def _history(
    *,
    core: g.ObjectId = ACTOR,
    previous: g.ObjectId = FIRST_ID,
    inbox: g.ObjectId | None = None,
    outbox: g.ObjectId | None = None,
    entry: g.ObjectId | None = None,
    queued: g.ObjectId | None = None,
    content: g.ObjectId = CONTENT_ID,
    more: tuple[g.GritObject, ...] = (),
) -> History:
    """The counter's second step, every field of the right kind unless given: its outbox's
    entry for one recipient is a queue's second message (``entry``), whose ``previous`` is
    the first (``queued``), whose content is ``content``; its inbox holds a cursor for a
    sender no actor has.  ``more``: objects the history may reach besides."""
    first = _message("1", g.object_id(CONTENT))
    second = _message("2", content, queued or g.object_id(first))
    box = g.Mailbox(entries={_actor("recipient"): entry or g.object_id(second)})
    cursor = g.Mailbox(entries={_actor("sender"): g.object_id(_message("0", ACTOR))})
    head = g.Step(
        actor=ACTOR,
        core=core,
        previous=previous,
        inbox=inbox or g.object_id(cursor),
        outbox=outbox or g.object_id(box),
    )
    objects = (head, WIT, CORE, FIRST, CONTENT, first, second, box, cursor, *more)
    objects += (_message("0", ACTOR), *STRAY.values())
    return head, {g.object_id(o): o for o in objects}


def _named(obj: g.GritObject) -> list[g.ObjectId]:
    """The ids ``obj`` names, as RUN-009.1 walks them."""
    if isinstance(obj, g.Tree | g.Mailbox):
        below = list(obj.entries.values())
        return [*below, obj.base] if isinstance(obj, g.Mailbox) and obj.base else below
    if isinstance(obj, g.Message):
        return [obj.content] + ([obj.previous] if obj.previous else [])
    if isinstance(obj, g.Step):
        return [i for i in (obj.core, obj.previous, obj.inbox, obj.outbox) if i is not None]
    return []


def _bundle(history: History) -> bytes:
    """The bundle of ``history``: everything its head reaches, once, in id order (RUN-009.1)."""
    head, objects = history
    seen: set[g.ObjectId] = set()
    todo = [g.object_id(head)]
    while todo:
        oid = todo.pop()
        if oid not in seen:
            seen.add(oid)
            todo.extend(_named(objects[oid]))
    order = sorted(seen, key=lambda o: o.digest)
    return g.encode_value(
        [
            "gritwit-bundle/1",
            ACTOR.hex(),
            g.object_id(head).hex(),
            [g.encode_object(objects[oid]) for oid in order],
        ]
    )


#: Each field of OBJ-020.1 but ``base`` (``test_bundle_bases.py``): its own kind, and the
#: head of a history in which it names the object given instead.
FIELDS: dict[str, tuple[str, Callable[[g.ObjectId], History]]] = {
    "step core": ("tree", lambda oid: _history(core=oid)),
    "step previous": ("step", lambda oid: _history(previous=oid)),
    "step inbox": ("mailbox", lambda oid: _history(inbox=oid)),
    "step outbox": ("mailbox", lambda oid: _history(outbox=oid)),
    "mailbox entry": ("message", lambda oid: _history(entry=oid)),
    "message previous": ("message", lambda oid: _history(queued=oid)),
}


@pytest.mark.req("OBJ-020.1", "OBJ-020.2", "RUN-009.2", "RUN-009.3")
@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.req("CONV-004")
def test_an_id_naming_another_kind_is_refused_invalid_object(
    impl: Implementation, tmp_path: Path, field: str
) -> None:
    own, head_with = FIELDS[field]
    runtime = _open(impl, tmp_path / "rt")
    for kind, stray in sorted(STRAY.items()):
        if kind == own:
            continue
        reply = impl.call(
            "rt-import", runtime=runtime, bundle=_bundle(head_with(g.object_id(stray))).hex()
        )
        error_answer(
            reply,
            ("OBJ-020.2", "RUN-009.2"),
            "invalid-object",
            f"a bundle whose {field} names a {kind}, not a {own}, must be refused invalid-object",
        )
        value = _head(impl, runtime)
        check(
            "RUN-009.3",
            value is None,
            expected="nothing (null)",
            came=value,
            what="a refused bundle imports nothing",
        )


def _imports_verifies_and_runs(impl: Implementation, path: Path, history: History) -> None:
    imports_verifies_and_runs(impl, _open(impl, path), _bundle(history), history[0])


@pytest.mark.req("OBJ-020.1", "RUN-009.2", "RUN-010.4")
def test_the_same_history_of_the_right_kinds_imports_verifies_and_runs(
    impl: Implementation, tmp_path: Path
) -> None:
    """The other side of each refusal: every field names an object of its own kind."""
    _imports_verifies_and_runs(impl, tmp_path / "rt", _history())


@pytest.mark.req("OBJ-020.3", "RUN-009.2", "RUN-010.4", "WIT-019.1")
@pytest.mark.parametrize("kind", ["mailbox", "message", "step"])
def test_content_and_core_entries_of_any_kind_import_verify_and_run(
    impl: Implementation, tmp_path: Path, kind: str
) -> None:
    """A message whose content is a ``kind``, and a core keeping a ``kind`` in an entry
    (as ``requester`` keeps an echoed content, WIT-026.2): no kind is asked of either."""
    stray = g.object_id(STRAY[kind])
    core = g.Tree(entries={"kept": stray, "wit": g.object_id(WIT)})
    history = _history(core=g.object_id(core), content=stray, more=(core,))
    _imports_verifies_and_runs(impl, tmp_path / "rt", history)

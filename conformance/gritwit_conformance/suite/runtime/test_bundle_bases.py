"""A bundle whose outbox chain names, as a mailbox's ``base``, an object that is not a
mailbox is refused ``invalid-object`` (OBJ-019.2, RUN-009.2); an absent base is
``not-found``.

``rt-import`` is the one way a history an implementation did not build enters its store,
and every reader of an outbox's map follows ``base`` (OBJ-019.1): routing, the actor's
next transition, ``rt-verify``. A chain that names a blob, a message, a tree or a step
as its base is therefore refused where it enters, with the object rule's class — not
``invalid-transition``, the class of a step's own fault (WIT-008, WIT-009), and not
``not-found``, since the object is there. Beside it the same history with a mailbox as
its base imports, verifies and runs, so an implementation that refuses every chained
outbox fails too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, error_answer, suite_premise
from ._bundled import ACTOR, CORE, FIRST, WIT, imports_verifies_and_runs
from ._bundled import head_of as _head
from ._bundled import open_runtime as _open

pytestmark = pytest.mark.profile("runtime")

CONTENT = g.Blob(data=b"sent once")


def _recipient(i: int) -> g.ObjectId:
    """An id no actor has (WIT-009.4): what the outbox sent to."""
    return g.ObjectId(hashlib.sha256(b"OBJ-019.2 recipient %d" % i).digest())


def _message(i: int) -> g.Message:
    return g.Message(content=g.object_id(CONTENT), headers={"n": str(i)})


#: What a mailbox's base may name instead of a mailbox: each kind of object but one.
NOT_MAILBOXES: dict[str, g.GritObject] = {
    "blob": g.Blob(data=b"not a mailbox"),
    "message": _message(7),
    "tree": g.Tree(entries={"x": g.object_id(CONTENT)}),
    "step": g.Step(actor=ACTOR, core=ACTOR, previous=g.object_id(FIRST)),
}
#: A proper base: a mailbox of two other recipients, without base of its own.
GOOD_BASE = g.Mailbox(
    entries={_recipient(2): g.object_id(_message(2)), _recipient(3): g.object_id(_message(3))}
)
#: What each base names that the bundle must carry too (RUN-009.1); a message's content
#: and a step's core and previous are carried already.
NAMED: dict[g.ObjectId, list[g.GritObject]] = {g.object_id(GOOD_BASE): [_message(2), _message(3)]}


def _bundle(base: g.GritObject, *, carry_base: bool = True) -> tuple[bytes, g.Step]:
    """The counter's second step, its outbox a mailbox over ``base``, and its bundle:
    ``base`` in it unless ``carry_base`` is false, and every object ``base`` names."""
    top = g.Mailbox(entries={_recipient(1): g.object_id(_message(1))}, base=g.object_id(base))
    head = g.Step(actor=ACTOR, core=ACTOR, previous=g.object_id(FIRST), outbox=g.object_id(top))
    objects = [head, FIRST, CORE, WIT, CONTENT, _message(1), top, *NAMED.get(g.object_id(base), [])]
    objects += [base] if carry_base else []
    encoded = {g.object_id(o): g.encode_object(o) for o in objects}
    order = sorted(encoded, key=lambda oid: oid.digest)
    check_equal("OBJ-019", len(objects), len(order), "each object once")
    data = g.encode_value(
        ["gritwit-bundle/1", ACTOR.hex(), g.object_id(head).hex(), [encoded[o] for o in order]]
    )
    return data, head


@pytest.mark.req("OBJ-019.2", "RUN-009.2", "RUN-009.3")
@pytest.mark.parametrize("kind", sorted(NOT_MAILBOXES))
@pytest.mark.req("CONV-004")
def test_a_base_that_is_not_a_mailbox_is_refused_invalid_object(
    impl: Implementation, tmp_path: Path, kind: str
) -> None:
    runtime = _open(impl, tmp_path / "rt")
    reply = impl.call("rt-import", runtime=runtime, bundle=_bundle(NOT_MAILBOXES[kind])[0].hex())
    error_answer(
        reply,
        ("OBJ-019.2", "RUN-009.2"),
        "invalid-object",
        f"a bundle whose outbox's base is a {kind} must be refused invalid-object "
        f"(OBJ-019.2, RUN-009.2)",
    )
    value = _head(impl, runtime)
    check(
        "RUN-009.3",
        value is None,
        expected="nothing (null)",
        came=value,
        what="a refused bundle imports nothing",
    )


@pytest.mark.req("OBJ-019.2", "RUN-009.2", "RUN-009.6")
@pytest.mark.parametrize("kind", ["blob", "mailbox"])
@pytest.mark.req("CONV-004")
def test_an_absent_base_is_not_found_through_the_adapter(
    impl: Implementation, tmp_path: Path, kind: str
) -> None:
    """Absent, a base of either kind is ``not-found``: what it would have been is unknown."""
    base = GOOD_BASE if kind == "mailbox" else NOT_MAILBOXES["blob"]
    data, _ = _bundle(base, carry_base=False)
    without, whole = g.decode_value(data), g.decode_value(_bundle(base)[0])
    fewer = len(without[3]) == len(whole[3]) - 1  # type: ignore[index, arg-type]
    suite_premise(fewer, "the bundle without its outbox's base holds one object fewer")
    runtime = _open(impl, tmp_path / "rt")
    reply = impl.call("rt-import", runtime=runtime, bundle=data.hex())
    error_answer(
        reply,
        ("OBJ-019.2", "RUN-009.2"),
        "not-found",
        "a bundle without its outbox's base is not-found",
    )
    came_value = _head(impl, runtime)
    check("OBJ-019.2", came_value is None, expected="nothing (null)", came=came_value)


@pytest.mark.req("OBJ-019.1", "OBJ-019.2", "RUN-009.2", "RUN-010.4", "WIT-005")
def test_the_same_history_over_a_mailbox_imports_verifies_and_runs(
    impl: Implementation, tmp_path: Path
) -> None:
    """The other side: a base that is a mailbox is a chain like any runtime builds
    (WIT-009.5); it imports, verifies, and the actor's next transition reads past it."""
    bundle, old = _bundle(GOOD_BASE)
    step = imports_verifies_and_runs(impl, _open(impl, tmp_path / "rt"), bundle, old)
    # the counter sends nothing: its outbox stays the chain it had (WIT-009.1)
    check_equal(
        "OBJ-019.1", old.outbox, step.outbox, f"the outbox of a step that sent nothing: {step}"
    )

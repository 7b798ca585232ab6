"""``rt-verify`` finds a broken history, and only a broken one (RUN-010, RUN-008).

``rt-import`` checks a bundle's shape and reachability (RUN-009), not the history's
meaning, so a crafted bundle can bring in a history that RUN-010 must report: a step
of another actor continuing the history without a fork, an inbox cursor that
disappears or moves backwards. Beside each, the same construction made right — a
proper fork boundary, a signal replacing a cursor — must verify, so an implementation
that reports every imported history as broken does not pass either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, error_answer, fail, ok_answer

pytestmark = pytest.mark.profile("runtime")

WIT = g.Blob(data=b"counter", headers={"runtime": "test-actor"})
SENDER = g.object_id(g.Blob(data=b"a sender"))


def _core(**extra: g.GritObject) -> tuple[g.Tree, list[g.GritObject]]:
    entries = {"wit": g.object_id(WIT), **{k: g.object_id(v) for k, v in extra.items()}}
    return g.Tree(entries=entries), [WIT, *extra.values()]


def _bundle(actor: g.ObjectId, head: g.GritObject, objects: list[g.GritObject]) -> bytes:
    encoded = {g.object_id(o): g.encode_object(o) for o in [head, *objects]}
    order = sorted(encoded, key=lambda oid: oid.digest)
    return g.encode_value(
        ["gritwit-bundle/1", actor.hex(), g.object_id(head).hex(), [encoded[o] for o in order]]
    )


def _verify(impl: Implementation, path: Path, bundle: bytes, actor: g.ObjectId) -> dict[str, Any]:
    path.mkdir()
    runtime = str(call_ok(impl, "RUN-010", "rt-open", path=str(path))["runtime"])
    call_ok(impl, "RUN-010", "rt-import", runtime=runtime, bundle=bundle.hex())
    return call_ok(impl, "RUN-010", "rt-verify", runtime=runtime, actor=actor.hex())


def _two_actors(fork: bool) -> tuple[g.ObjectId, bytes]:
    """Actor B's first step, then a step of actor A continuing it, with or without a fork."""
    core_b, objs_b = _core(name=g.Blob(data=b"the parent"))
    b = g.object_id(core_b)
    step_b = g.Step(actor=b, core=b)
    extra = {}
    if fork:
        text = json.dumps({"actor": b.hex(), "step": g.object_id(step_b).hex()}, sort_keys=True)
        extra["fork"] = g.Blob(data=text.encode(), headers={"content-type": "application/json"})
    core_a, objs_a = _core(**extra)
    a = g.object_id(core_a)
    step_a = g.Step(actor=a, core=a, previous=g.object_id(step_b))
    return a, _bundle(a, step_a, [step_b, core_b, core_a, *objs_b, *objs_a])


@pytest.mark.req("RUN-010.2", "RUN-008.2")
def test_a_step_of_another_actor_without_a_fork_is_reported(
    impl: Implementation, tmp_path: Path
) -> None:
    actor, bundle = _two_actors(fork=False)
    result = _verify(impl, tmp_path / "rt", bundle, actor)
    check(
        "RUN-010.2",
        result["verified"] is False,
        expected="verified false",
        came=result,
        what="result's verified",
    )


@pytest.mark.req("RUN-010.2", "RUN-010.4", "RUN-008.2")
def test_a_proper_fork_boundary_verifies(impl: Implementation, tmp_path: Path) -> None:
    actor, bundle = _two_actors(fork=True)
    result = _verify(impl, tmp_path / "rt", bundle, actor)
    check(
        "RUN-010.2",
        result["verified"] is True,
        expected="verified true",
        came=result,
        what="result's verified",
    )
    check_equal("RUN-010.2", 2, result["steps"], "result's steps")


def _chain_of_three() -> list[g.Message]:
    content = g.object_id(WIT)
    m0 = g.Message(content=content)
    m1 = g.Message(content=content, previous=g.object_id(m0))
    m2 = g.Message(content=content, previous=g.object_id(m1))
    return [m0, m1, m2]


def _cursor_history(first: g.Message, second: g.Message | None) -> tuple[g.ObjectId, bytes]:
    """Two steps of one actor whose inboxes hold ``first`` then ``second`` for SENDER."""
    core, objs = _core()
    actor = g.object_id(core)
    box1 = g.Mailbox(entries={SENDER: g.object_id(first)})
    step1 = g.Step(actor=actor, core=actor, inbox=g.object_id(box1))
    objects: list[g.GritObject] = [core, *objs, step1, box1]
    box2 = None if second is None else g.Mailbox(entries={SENDER: g.object_id(second)})
    step2 = g.Step(
        actor=actor,
        core=actor,
        previous=g.object_id(step1),
        inbox=None if box2 is None else g.object_id(box2),
    )
    chain = _chain_of_three()
    messages = {g.object_id(m): m for m in chain}
    for message in (first, second):
        current: g.Message | None = message
        while current is not None:  # the message and everything it reaches
            messages[g.object_id(current)] = current
            current = None if current.previous is None else messages.get(current.previous)
    objects += list(messages.values()) + ([box2] if box2 is not None else [])
    reachable = _reachable(step2, objects)
    return actor, _bundle(actor, step2, reachable)


def _reachable(head: g.Step, objects: list[g.GritObject]) -> list[g.GritObject]:
    by_id = {g.object_id(o): o for o in [head, *objects]}
    keep: dict[g.ObjectId, g.GritObject] = {}
    todo = [g.object_id(head)]
    while todo:
        oid = todo.pop()
        if oid in keep or oid not in by_id:
            continue
        obj = keep[oid] = by_id[oid]
        if isinstance(obj, g.Step):
            todo += [i for i in (obj.previous, obj.core, obj.inbox, obj.outbox) if i]
        elif isinstance(obj, g.Tree | g.Mailbox):
            todo += list(obj.entries.values())
            todo += [obj.base] if isinstance(obj, g.Mailbox) and obj.base else []  # OBJ-019
        elif isinstance(obj, g.Message):
            todo += [i for i in (obj.content, obj.previous) if i]
    return [o for oid, o in keep.items() if oid != g.object_id(head)]


@pytest.mark.req("RUN-010.3", "RUN-010.4", "WIT-005")
@pytest.mark.parametrize(
    ("case", "verified"),
    [("forward", True), ("signal-replaces", True), ("backwards", False), ("disappears", False)],
)
def test_inbox_cursors_only_move_forward(
    impl: Implementation, tmp_path: Path, case: str, verified: bool
) -> None:
    _, m1, m2 = _chain_of_three()
    signal = g.Message(content=g.object_id(WIT), headers={"mt": "signal"})
    first, second = {
        "forward": (m1, m2),
        "signal-replaces": (m2, signal),
        "backwards": (m2, m1),
        "disappears": (m1, None),
    }[case]
    actor, bundle = _cursor_history(first, second)
    result = _verify(impl, tmp_path / "rt", bundle, actor)
    check(
        "RUN-010.3",
        result["verified"] is verified,
        expected=f"verified {str(verified).lower()}",
        came=result,
        what=f"rt-verify of a history whose outside cursor {case}",
    )
    check_equal("RUN-010.3", 2, result["steps"], "result's steps")


@pytest.mark.req("RUN-008.3")
@pytest.mark.req("CONV-004")
def test_fork_state_must_not_name_fork(impl: Implementation, tmp_path: Path) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(call_ok(impl, "RUN-008.3", "rt-open", path=str(tmp_path / "rt"))["runtime"])
    actor = call_ok(impl, "RUN-008.3", "rt-genesis", runtime=runtime, actor="counter")["actor"]
    call_ok(impl, "RUN-008.3", "rt-run", runtime=runtime, max_steps=10)
    step = call_ok(impl, "RUN-008.3", "rt-head", runtime=runtime, actor=actor)["step"]
    reply = impl.call("rt-fork", runtime=runtime, actor=actor, step=step, state={"fork": "00"})
    error_answer(reply, "RUN-008.3", "invalid-object")
    ok = impl.call("rt-fork", runtime=runtime, actor=actor, step=step, state={"forks": "00"})
    ok_answer(ok, "RUN-008.3")


def _read(impl: Implementation, runtime: str, oid: str) -> g.GritObject:
    data = call_ok(impl, "RUN-008.4", "rt-object", runtime=runtime, id=oid)["bytes"]
    return g.decode_object(bytes.fromhex(data))


@pytest.mark.smoke
@pytest.mark.req("RUN-008.4", "RUN-008.5", "RUN-008.6", "RUN-008.7")
@pytest.mark.req("CONV-004")
def test_a_fork_starts_one_child_and_a_second_identical_fork_is_a_ref_conflict(
    impl: Implementation, tmp_path: Path
) -> None:
    """The child's id is its core's, its first step continues ``at_step``; forking the
    same step with the same state again names the same child, whose head exists:
    ``ref-conflict``, and neither head moves."""
    (tmp_path / "rt").mkdir()
    runtime = str(call_ok(impl, "RUN-008.4", "rt-open", path=str(tmp_path / "rt"))["runtime"])
    parent = str(
        call_ok(impl, "RUN-008.4", "rt-genesis", runtime=runtime, actor="counter")["actor"]
    )
    call_ok(impl, "RUN-008.4", "rt-run", runtime=runtime, max_steps=10)
    at = call_ok(impl, "RUN-008.4", "rt-head", runtime=runtime, actor=parent)["step"]
    child = str(
        call_ok(
            impl, "RUN-008.4", "rt-fork", runtime=runtime, actor=parent, step=at, state={"t": "01"}
        )["actor"]
    )
    check(
        "RUN-008.4",
        child != parent,
        expected="the fork's id is its parent's, it must be new",
        came=child,
        what="the child",
    )
    first = call_ok(impl, "RUN-008.4", "rt-head", runtime=runtime, actor=child)["step"]
    if first is None:
        fail("RUN-008.6", expected="a value", came=first, what="the child's head is set")
    step, at_step = _read(impl, runtime, first), _read(impl, runtime, at)
    if not isinstance(step, g.Step):
        fail("RUN-008.4", expected="a step", came=step, what="the step")
    if not isinstance(at_step, g.Step):
        fail("RUN-008.4", expected="a step", came=at_step)
    first_step = "the child's first step"
    check_equal(("RUN-008.4", "RUN-008.5"), child, step.actor.hex(), f"{first_step}'s actor")
    check_equal(("RUN-008.4", "RUN-008.5"), child, step.core.hex(), f"{first_step}'s core")
    core = g.object_id(_read(impl, runtime, child))
    check_equal("RUN-008.4", step.core, core, "the id of the object stored as the child's id")
    if step.previous is None:
        fail("RUN-008.5", expected="a value", came=step.previous, what=f"{first_step}'s previous")
    check_equal("RUN-008.5", at, step.previous.hex(), f"{first_step}'s previous")
    check_equal("RUN-008.5", at_step.inbox, step.inbox, f"{first_step}'s inbox")
    check(
        "RUN-008.5",
        step.outbox is None,
        expected="nothing (null)",
        came=step.outbox,
        what=f"{first_step}'s outbox",
    )
    again = impl.call("rt-fork", runtime=runtime, actor=parent, step=at, state={"t": "01"})
    error_answer(again, "RUN-008.6", "ref-conflict", "")
    check_equal(
        "RUN-008.4",
        first,
        call_ok(impl, "RUN-008.4", "rt-head", runtime=runtime, actor=child)["step"],
        "the child's head after a second fork of the same step was refused",
    )
    check_equal(
        "RUN-008.7",
        at,
        call_ok(impl, "RUN-008.4", "rt-head", runtime=runtime, actor=parent)["step"],
        "the parent's head: forking changes nothing of the parent",
    )

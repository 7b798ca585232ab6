"""Fork and import inputs that break two rules at once: which class wins.

RUN-008.9 orders fork's checks (the step present, a step of the actor, then
``state``, then the child's head); RUN-009.6 orders import's (whole-bundle checks in
the order RUN-009.2 lists them, a head missing from the bundle being ``not-found``,
then the head's compare-and-swap). Each input below breaks two of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check, check_equal, check_outcome, check_type, error_answer

pytestmark = pytest.mark.profile("runtime")

FORMAT = "gritwit-bundle/1"


def _runtime(impl: Implementation, path: Path, clause: Clause) -> str:
    """A runtime opened at ``path``; ``clause`` is the test's, which a refusal breaks."""
    path.mkdir(exist_ok=True)
    return str(call_ok(impl, clause, "rt-open", path=str(path))["runtime"])


def _counter(impl: Implementation, runtime: str, note: str, clause: Clause) -> tuple[str, str]:
    """A counter actor with ``note`` in its core, started, and its head."""
    made = call_ok(
        impl, clause, "rt-genesis", runtime=runtime, actor="counter", state={"note": note}
    )
    actor = str(made["actor"])
    call_ok(impl, clause, "rt-run", runtime=runtime, max_steps=10)
    head = call_ok(impl, clause, "rt-head", runtime=runtime, actor=actor)["step"]
    return actor, str(head)


@pytest.mark.req("RUN-008.9", "RUN-008.1", "RUN-008.3", "RUN-008.6", "ADP-010.4")
@pytest.mark.req("CONV-004")
def test_fork_checks_the_step_before_the_state(impl: Implementation, tmp_path: Path) -> None:
    runtime = _runtime(impl, tmp_path / "rt", "RUN-008.9")
    try:
        actor, head = _counter(impl, runtime, "01", "RUN-008.9")
        other, other_head = _counter(impl, runtime, "02", "RUN-008.9")
        check(
            "RUN-008.1",
            other != actor,
            expected="two counters of different cores: two actors, so the second's head is "
            "a step of another actor",
            came=f"the same actor {other} for both",
        )
        bad_state = {"fork": "00"}
        # (arguments, the class, in words, the clause that decides it)
        cases: list[tuple[dict[str, Any], str, str, Clause]] = [
            (
                {"step": "11" * 32, "state": bad_state},
                "not-found",
                "a step never stored, and state naming fork",
                ("RUN-008.9", "RUN-008.1"),
            ),
            (
                {"step": other_head, "state": bad_state},
                "invalid-ref-target",
                "a step of another actor, and state naming fork",
                ("RUN-008.9", "RUN-008.1"),
            ),
            (
                {"step": head, "state": bad_state},
                "invalid-object",
                "its head, and state naming fork",
                ("RUN-008.3", "RUN-008.9"),
            ),
        ]
        for args, expected, which, clause in cases:
            reply = impl.call("rt-fork", runtime=runtime, actor=actor, **args)
            check_outcome(clause, reply, expected, f"rt-fork at {which}")
        child = call_ok(impl, "RUN-008.1", "rt-fork", runtime=runtime, actor=actor, step=head)
        again = impl.call("rt-fork", runtime=runtime, actor=actor, step=head)
        error_answer(again, ("RUN-008.6", "RUN-008.9"), "ref-conflict", "the same rt-fork again")
        child_head = call_ok(impl, "RUN-008.1", "rt-head", runtime=runtime, actor=child["actor"])
        check(
            "RUN-008.1",
            child_head.get("step") is not None,
            expected="the child's first step",
            came=child_head,
            what="rt-head of the forked child",
        )
        check_equal(
            "ADP-010.4",
            child_head.get("step"),
            again.error.get("current"),
            "the current member of the second rt-fork's ref-conflict: the child's head",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


def _bundle(actor: str, head: str, objects: list[bytes]) -> str:
    parts: list[Any] = [FORMAT, actor, head, list(objects)]
    return g.encode_value(parts).hex()


@pytest.mark.req("RUN-009.6", "RUN-009.2", "RUN-009.3", "RUN-009.4", "ADP-010.4")
@pytest.mark.req("CONV-004")
def test_import_checks_the_whole_bundle_in_order(impl: Implementation, tmp_path: Path) -> None:
    source = _runtime(impl, tmp_path / "source", "RUN-009.6")
    actor, head = _counter(impl, source, "01", "RUN-009.6")
    other, _ = _counter(impl, source, "02", "RUN-009.6")
    exported = call_ok(impl, "RUN-009.6", "rt-export", runtime=source, actor=actor)
    bundle = bytes.fromhex(exported["bundle"])
    impl.call("rt-close", runtime=source)
    parts = check_type(
        "RUN-009.2",
        g.decode_value(bundle),
        list,
        expected="a CBOR array",
        what="the bundle rt-export answered",
    )
    objects: list[bytes] = list(parts[3])
    step = next(o for o in objects if g.compute_id(o).hex() == head)
    extra = g.encode_object(g.Blob(data=b"not reachable"))
    with_extra = sorted([*objects, extra], key=lambda o: g.compute_id(o).digest)
    target = _runtime(impl, tmp_path / "target", "RUN-009.6")
    try:
        cases = [
            # the head absent from the bundle, and ids of another actor: not-found first
            (_bundle(other, head, [o for o in objects if o != step]), "not-found"),
            # the head a step of another actor, and objects missing: the head first
            (_bundle(other, head, [step]), "invalid-ref-target"),
            # objects missing, and one extra: the missing ones first
            (_bundle(actor, head, sorted([step, extra], key=lambda o: g.compute_id(o).digest)),
             "not-found"),
            # an extra object: invalid-object
            (_bundle(actor, head, with_extra), "invalid-object"),
        ]  # fmt: skip
        for data, expected in cases:
            reply = impl.call("rt-import", runtime=target, bundle=data)
            check_outcome("RUN-009.6", reply, expected, "rt-import of a bundle with two faults")
        check_equal(
            "RUN-009.3",
            None,
            call_ok(impl, "RUN-009.3", "rt-head", runtime=target, actor=actor).get("step"),
            "the actor's head after every refused import: unset, nothing imported",
        )
        # the checks come before the head's swap: over a head that has moved on, a good
        # bundle is ref-conflict (RUN-009.4) and a bad one is still its own class
        call_ok(impl, "RUN-009.4", "rt-import", runtime=target, bundle=bundle.hex())
        call_ok(
            impl, "RUN-009.4", "rt-send", runtime=target, to=actor, mt="inc", content={"blob": "31"}
        )
        call_ok(impl, "RUN-009.4", "rt-run", runtime=target, max_steps=10)
        moved = call_ok(impl, "RUN-009.4", "rt-head", runtime=target, actor=actor)["step"]
        check(
            "RUN-009.4",
            moved != head,
            expected="a new head once the imported counter reads an inc",
            came=moved,
            what="rt-head after the import and an inc",
        )
        reply = impl.call("rt-import", runtime=target, bundle=bundle.hex())
        error_answer(reply, "RUN-009.4", "ref-conflict", "rt-import over a head that moved on")
        check_equal(
            "RUN-009.4", moved, reply.error.get("current"), "the ref-conflict's current head"
        )
        reply = impl.call("rt-import", runtime=target, bundle=_bundle(actor, head, with_extra))
        check_outcome(
            "RUN-009.6",
            reply,
            "invalid-object",
            "rt-import of a bundle with an extra object over a head that moved on (the bundle's "
            "checks come before the head's)",
        )
    finally:
        impl.call("rt-close", runtime=target)

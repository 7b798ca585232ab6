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

from .._check import check_equal, check_outcome, error_answer

pytestmark = pytest.mark.profile("runtime")

FORMAT = "gritwit-bundle/1"


def _outcome(reply: Any) -> str:
    return "ok" if reply.ok else str(reply.error_class)


def _runtime(impl: Implementation, path: Path) -> str:
    path.mkdir(exist_ok=True)
    return str(impl.call("rt-open", path=str(path)).expect_ok()["runtime"])


def _counter(impl: Implementation, runtime: str, note: str) -> tuple[str, str]:
    reply = impl.call("rt-genesis", runtime=runtime, actor="counter", state={"note": note})
    actor = str(reply.expect_ok()["actor"])
    impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    head = impl.call("rt-head", runtime=runtime, actor=actor).expect_ok()["step"]
    return actor, str(head)


@pytest.mark.req("RUN-008.9", "RUN-008.1", "RUN-008.3", "RUN-008.6", "ADP-010.4")
def test_fork_checks_the_step_before_the_state(impl: Implementation, tmp_path: Path) -> None:
    runtime = _runtime(impl, tmp_path / "rt")
    try:
        actor, head = _counter(impl, runtime, "01")
        other, other_head = _counter(impl, runtime, "02")
        bad_state = {"fork": "00"}
        cases: list[tuple[dict[str, Any], str]] = [
            ({"step": "11" * 32, "state": bad_state}, "not-found"),
            ({"step": other_head, "state": bad_state}, "invalid-ref-target"),
            ({"step": head, "state": bad_state}, "invalid-object"),
        ]
        for args, expected in cases:
            reply = impl.call("rt-fork", runtime=runtime, actor=actor, **args)
            assert _outcome(reply) == expected, (args, reply)
        child = impl.call("rt-fork", runtime=runtime, actor=actor, step=head).expect_ok()["actor"]
        again = impl.call("rt-fork", runtime=runtime, actor=actor, step=head)
        assert _outcome(again) == "ref-conflict", again
        child_head = impl.call("rt-head", runtime=runtime, actor=child).expect_ok()["step"]
        assert child_head is not None and again.error.get("current") == child_head, again
        assert other != actor
    finally:
        impl.call("rt-close", runtime=runtime)


def _bundle(actor: str, head: str, objects: list[bytes]) -> str:
    parts: list[Any] = [FORMAT, actor, head, list(objects)]
    return g.encode_value(parts).hex()


@pytest.mark.req("RUN-009.6", "RUN-009.2", "RUN-009.3", "RUN-009.4", "ADP-010.4")
def test_import_checks_the_whole_bundle_in_order(impl: Implementation, tmp_path: Path) -> None:
    source = _runtime(impl, tmp_path / "source")
    actor, head = _counter(impl, source, "01")
    other, _ = _counter(impl, source, "02")
    bundle = bytes.fromhex(
        impl.call("rt-export", runtime=source, actor=actor).expect_ok()["bundle"]
    )
    impl.call("rt-close", runtime=source)
    parts = g.decode_value(bundle)
    assert isinstance(parts, list)
    objects: list[bytes] = list(parts[3])  # type: ignore[arg-type]
    step = next(o for o in objects if g.compute_id(o).hex() == head)
    extra = g.encode_object(g.Blob(data=b"not reachable"))
    with_extra = sorted([*objects, extra], key=lambda o: g.compute_id(o).digest)
    target = _runtime(impl, tmp_path / "target")
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
        assert impl.call("rt-head", runtime=target, actor=actor).expect_ok()["step"] is None
        # the checks come before the head's swap: over a head that has moved on, a good
        # bundle is ref-conflict (RUN-009.4) and a bad one is still its own class
        impl.call("rt-import", runtime=target, bundle=bundle.hex()).expect_ok()
        impl.call("rt-send", runtime=target, to=actor, mt="inc", content={"blob": "31"}).expect_ok()
        impl.call("rt-run", runtime=target, max_steps=10).expect_ok()
        moved = impl.call("rt-head", runtime=target, actor=actor).expect_ok()["step"]
        assert moved != head
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

"""What the bundle-import tests share (``test_bundle_bases``, ``test_bundle_kinds``;
RUN-009, OBJ-019, OBJ-020): the ``counter`` test actor whose histories they craft, a
runtime to import into, and the other side of each refusal — a history of the right
kinds imports, verifies whole and its actor's next transition builds on its head.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, fail

WIT = g.Blob(data=b"counter", headers={"runtime": "test-actor"})
CORE = g.Tree(entries={"wit": g.object_id(WIT)})
#: The actor every crafted history belongs to (its id is its core's, WIT-002).
ACTOR = g.object_id(CORE)
FIRST = g.Step(actor=ACTOR, core=ACTOR)


def open_runtime(impl: Implementation, path: Path) -> str:
    path.mkdir()
    return str(call_ok(impl, "RUN-009.2", "rt-open", path=str(path))["runtime"])


def head_of(impl: Implementation, runtime: str) -> Any:
    return call_ok(impl, "RUN-009.2", "rt-head", runtime=runtime, actor=ACTOR.hex())["step"]


def imports_verifies_and_runs(
    impl: Implementation, runtime: str, bundle: bytes, head: g.Step
) -> g.Step:
    """Import ``bundle`` (a history of two steps ending at ``head``), verify it, send the
    counter one message and run: one step, built on ``head``; returns that step."""
    got = call_ok(impl, "RUN-009.2", "rt-import", runtime=runtime, bundle=bundle.hex())
    check_equal("RUN-009.2", g.object_id(head).hex(), got["head"], "the head rt-import answers")
    checked = call_ok(impl, "RUN-009.2", "rt-verify", runtime=runtime, actor=ACTOR.hex())
    check("RUN-009.2", checked["verified"] is True, expected="true", came=checked, what="rt-verify")
    check_equal("RUN-009.2", 2, checked["steps"], "the steps rt-verify counts")
    call_ok(
        impl,
        "RUN-009.2",
        "rt-send",
        runtime=runtime,
        to=ACTOR.hex(),
        mt="inc",
        content={"blob": "35"},
    )
    ran = call_ok(impl, "RUN-009.2", "rt-run", runtime=runtime, max_steps=10)
    check(
        "RUN-009.2",
        not ran["failures"],
        expected="nothing (empty)",
        came=ran,
        what="rt-run's failures",
    )
    check(
        "RUN-009.2",
        not ran["attempts"],
        expected="nothing (empty)",
        came=ran,
        what="rt-run's attempts",
    )
    check_equal(
        "RUN-009.2",
        [ACTOR.hex()],
        [actor for actor, _ in ran["steps"]],
        "the actors of rt-run's steps",
    )
    new = call_ok(impl, "RUN-009.2", "rt-object", runtime=runtime, id=head_of(impl, runtime))
    step = g.decode_object(bytes.fromhex(new["bytes"]))
    if not isinstance(step, g.Step):
        fail("RUN-009.2", expected="a step", came=step)
    check_equal(
        "RUN-009.2",
        g.object_id(head),
        step.previous,
        "the previous of the step after the imported head",
    )
    return step

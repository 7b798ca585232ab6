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

WIT = g.Blob(data=b"counter", headers={"runtime": "test-actor"})
CORE = g.Tree(entries={"wit": g.object_id(WIT)})
#: The actor every crafted history belongs to (its id is its core's, WIT-002).
ACTOR = g.object_id(CORE)
FIRST = g.Step(actor=ACTOR, core=ACTOR)


def open_runtime(impl: Implementation, path: Path) -> str:
    path.mkdir()
    return str(impl.call("rt-open", path=str(path)).expect_ok()["runtime"])


def head_of(impl: Implementation, runtime: str) -> Any:
    return impl.call("rt-head", runtime=runtime, actor=ACTOR.hex()).expect_ok()["step"]


def imports_verifies_and_runs(
    impl: Implementation, runtime: str, bundle: bytes, head: g.Step
) -> g.Step:
    """Import ``bundle`` (a history of two steps ending at ``head``), verify it, send the
    counter one message and run: one step, built on ``head``; returns that step."""
    got = impl.call("rt-import", runtime=runtime, bundle=bundle.hex()).expect_ok()
    assert got["head"] == g.object_id(head).hex(), got
    checked = impl.call("rt-verify", runtime=runtime, actor=ACTOR.hex()).expect_ok()
    assert checked["verified"] is True and checked["steps"] == 2, checked
    impl.call(
        "rt-send", runtime=runtime, to=ACTOR.hex(), mt="inc", content={"blob": "35"}
    ).expect_ok()
    ran = impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
    assert not ran["failures"] and not ran["attempts"], ran
    assert [actor for actor, _ in ran["steps"]] == [ACTOR.hex()], ran
    new = impl.call("rt-object", runtime=runtime, id=head_of(impl, runtime)).expect_ok()
    step = g.decode_object(bytes.fromhex(new["bytes"]))
    assert isinstance(step, g.Step) and step.previous == g.object_id(head), step
    return step

"""A frozen actor's revert, one frozen entry at a time (RUN-024.7).

RUN-024.7 names three entries: a revert from a head *H* whose core has ``frozen`` to a
core whose ``wit``, ``wit_update`` or ``frozen`` differs from *H*'s fails
``frozen-core``. ``test_revert_and_clear.py`` reverts to the step before an update that
froze the actor, where ``frozen`` itself differs; a runtime that compared ``frozen``
alone passes it. Here each entry differs alone, between two steps that are both
frozen. An actor's own transitions can never build such a history (WIT-016), so the
histories are bundles (RUN-009: ``rt-import`` checks a bundle's objects and kinds, not
how its steps were made): a first step whose core is the actor's genesis core, and a
head after it. The other side: steps frozen alike whose other entries differ revert,
and so does an actor whose head is not frozen, whatever the target's entries.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, error_answer, ok_answer

pytestmark = pytest.mark.profile("runtime")

TEST_ACTOR = {"runtime": "test-actor"}
COUNTER = g.Blob(data=b"counter", headers=TEST_ACTOR)
ECHO = g.Blob(data=b"echo", headers=TEST_ACTOR)
REPLACE = g.Blob(data=b"replace", headers=TEST_ACTOR)  # WIT-014.2's update function
FROZEN = g.Blob(data=b"1")
FROZEN_OTHER = g.Blob(data=b"2")
ONE, TWO = g.Blob(data=b"1"), g.Blob(data=b"2")

Entries = dict[str, g.Blob]
#: case → (the first step's core, the head's core, the revert's expected class or None).
CASES: dict[str, tuple[Entries, Entries, str | None]] = {
    "wit-differs": (
        {"wit": COUNTER, "frozen": FROZEN},
        {"wit": ECHO, "frozen": FROZEN},
        "frozen-core",
    ),
    "wit_update-only-below": (
        {"wit": COUNTER, "frozen": FROZEN, "wit_update": REPLACE},
        {"wit": COUNTER, "frozen": FROZEN},
        "frozen-core",
    ),
    "wit_update-only-at-the-head": (
        {"wit": COUNTER, "frozen": FROZEN},
        {"wit": COUNTER, "frozen": FROZEN, "wit_update": REPLACE},
        "frozen-core",
    ),
    "frozen-differs": (
        {"wit": COUNTER, "frozen": FROZEN},
        {"wit": COUNTER, "frozen": FROZEN_OTHER},
        "frozen-core",
    ),
    "frozen-alike": (
        {"wit": COUNTER, "frozen": FROZEN, "count": ONE},
        {"wit": COUNTER, "frozen": FROZEN, "count": TWO},
        None,
    ),
    "head-not-frozen": (
        {"wit": COUNTER, "frozen": FROZEN, "count": ONE},
        {"wit": ECHO, "count": TWO},
        None,
    ),
}


def _core(entries: Entries) -> g.Tree:
    return g.Tree(entries={name: g.object_id(blob) for name, blob in entries.items()})


def _history(below: Entries, head: Entries) -> tuple[g.ObjectId, g.ObjectId, g.ObjectId, bytes]:
    """A two-step history of the actor whose genesis core holds ``below``: the actor, its
    first step, its head (core ``head``), and the bundle of it (RUN-009.1)."""
    first_core, head_core = _core(below), _core(head)
    actor = g.object_id(first_core)
    first = g.Step(actor=actor, core=actor)
    last = g.Step(actor=actor, core=g.object_id(head_core), previous=g.object_id(first))
    objects: dict[g.ObjectId, g.GritObject] = {
        g.object_id(o): o for o in (first, last, first_core, head_core)
    }
    objects.update({g.object_id(b): b for b in (*below.values(), *head.values())})
    order = sorted(objects, key=lambda oid: oid.digest)
    data = g.encode_value(
        [
            "gritwit-bundle/1",
            actor.hex(),
            g.object_id(last).hex(),
            [g.encode_object(objects[oid]) for oid in order],
        ]
    )
    return actor, g.object_id(first), g.object_id(last), data


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.req("RUN-024.7", "RUN-024.1")
@pytest.mark.req("RUN-009.4", "ADP-015")
@pytest.mark.req("CONV-004")
def test_each_frozen_entry_alone_refuses_the_revert(
    impl: Implementation, tmp_path: Path, case: str
) -> None:
    below, head, expected = CASES[case]
    actor, first, last, bundle = _history(below, head)
    path = tmp_path / "rt"
    path.mkdir()
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(path))["runtime"])
    try:
        imported = impl.call("rt-import", runtime=runtime, bundle=bundle.hex())
        check_equal(
            "RUN-009.4",
            last.hex(),
            ok_answer(imported, "RUN-009.4").get("head"),
            "the head a bundle of two steps whose objects are of their kinds imports",
        )
        reply = impl.call("rt-revert", runtime=runtime, actor=actor.hex(), step=first.hex())
        head_now = call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=actor.hex())["step"]
        if expected is not None:
            error_answer(
                reply,
                "RUN-024.7",
                expected,
                f"a revert from a frozen head to a core whose {case.split('-')[0]} entry differs",
            )
            check_equal(
                "RUN-024.7", last.hex(), head_now, f"the head after the refused revert ({case})"
            )
            return
        ok_answer(reply, "RUN-024.7", f"a revert whose frozen entries stay ({case}) is made")
        step = reply.result.get("step")
        built = g.Step(actor=actor, core=actor, previous=last)
        check(
            "RUN-024.1",
            step == head_now == g.object_id(built).hex(),
            expected=f"the revert step {g.object_id(built).hex()}, the first step's core after the "
            "head, as the head",
            came=f"step {step}, head {head_now}",
        )
        count = impl.call("rt-query", runtime=runtime, actor=actor.hex(), name="count")
        data = bytes.fromhex(ok_answer(count, "RUN-024.1", "the reverted counter's count")["data"])
        check_equal("RUN-024.1", b"1", data, "the counter reverted to count 1")
    finally:
        impl.call("rt-close", runtime=runtime)

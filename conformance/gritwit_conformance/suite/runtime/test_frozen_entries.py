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
@pytest.mark.req("RUN-009.4")
def test_each_frozen_entry_alone_refuses_the_revert(
    impl: Implementation, tmp_path: Path, case: str
) -> None:
    below, head, expected = CASES[case]
    actor, first, last, bundle = _history(below, head)
    path = tmp_path / "rt"
    path.mkdir()
    runtime = str(impl.call("rt-open", path=str(path)).expect_ok()["runtime"])
    try:
        imported = impl.call("rt-import", runtime=runtime, bundle=bundle.hex())
        assert imported.ok and imported.result.get("head") == last.hex(), (
            f"RUN-009.4: a bundle of two steps whose objects are of their kinds imports; "
            f"expected head {last.hex()}, came {imported}"
        )
        reply = impl.call("rt-revert", runtime=runtime, actor=actor.hex(), step=first.hex())
        head_now = impl.call("rt-head", runtime=runtime, actor=actor.hex()).expect_ok()["step"]
        if expected is not None:
            assert not reply.ok and reply.error_class == expected, (
                f"RUN-024.7: a revert from a frozen head to a core whose {case.split('-')[0]} "
                f"entry differs must fail {expected}; came {reply}"
            )
            assert head_now == last.hex(), (
                f"RUN-024.7: the refused revert ({case}) moved the head to {head_now}"
            )
            return
        assert reply.ok, (
            f"RUN-024.7: a revert whose frozen entries stay ({case}) is made as any other; "
            f"came {reply}"
        )
        step = reply.result.get("step")
        built = g.Step(actor=actor, core=actor, previous=last)
        assert step == head_now == g.object_id(built).hex(), (
            f"RUN-024.1: the revert step is {g.object_id(built).hex()}, the first step's "
            f"core after the head; came {step}, head {head_now}"
        )
        count = impl.call("rt-query", runtime=runtime, actor=actor.hex(), name="count")
        data = bytes.fromhex(count.expect_ok()["data"])
        assert data == b"1", f"RUN-024.1: reverted to count 1, the counter answers {data!r}"
    finally:
        impl.call("rt-close", runtime=runtime)

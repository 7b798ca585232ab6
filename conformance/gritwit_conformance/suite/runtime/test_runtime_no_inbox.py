"""A first step that reads nothing, on the runtime (WIT-012.6 through ``rt-*``, ADP-015).

A genesis queued behind an update from the same sender lets the actor start, but its
first transition sees that sender's messages only up to the update: none. It reads
nothing and its step has no inbox, so it leaves the actor's idle snapshot and the
call ends there (the Wit chapter's worked example "a genesis between two updates").
A runtime must adopt such a step like any other and route from it (RUN-001.4) — a
step without an inbox is not a malformed step. The next ``rt-run`` starts with no idle
snapshot (ADP-015.2: one kept across calls would park the actor for good) and reads the
update alone (WIT-013), then the genesis alone (WIT-012.5). Every answer is also the
in-process reference's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, fail
from ._drive import SideBySide

pytestmark = pytest.mark.profile("runtime")

COUNTER = {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}}
REPLACE = {"blob": b"replace".hex(), "headers": {"runtime": "test-actor"}}
ACTOR = g.object_id(
    g.Tree(entries={"wit": g.object_id(g.Blob(data=b"counter", headers={"runtime": "test-actor"}))})
).hex()


@pytest.mark.req("WIT-012.6", "WIT-012.5", "WIT-013", "RUN-001.4", "ADP-015", "ADP-015.2")
def test_a_first_step_that_reads_nothing_is_adopted_on_the_runtime(
    impl: Implementation, tmp_path: Path
) -> None:
    both = SideBySide(impl, tmp_path, clause="WIT-012.6")
    both.open("a")
    update = {"tree": {"wit_update": REPLACE, "wit": COUNTER, "n": {"blob": "01"}}}
    both("a", "rt-send", to=ACTOR, mt="update", content=update)
    both("a", "rt-send", to=ACTOR, mt="genesis", content={"tree": {"wit": COUNTER}})
    run = both("a", "rt-run", max_steps=10)
    check_equal("WIT-012.6", [], run["failures"], "rt-run's failures")
    check(
        "WIT-012.6",
        run["quiescent"],
        expected="a value, not empty",
        came=run,
        what="rt-run's quiescent",
    )
    steps = [step for actor, step in run["steps"] if actor == ACTOR]
    check_equal(
        "WIT-012.6",
        1,
        len(steps),
        "the genesis behind an update starts the actor with one step that reads nothing "
        f"and leaves its idle snapshot: {run}",
    )
    again = both("a", "rt-run", max_steps=10)
    check_equal("WIT-012.6", [], again["failures"], "rt-run (again)'s failures")
    check(
        "WIT-012.6",
        again["quiescent"],
        expected="a value, not empty",
        came=again,
        what="rt-run (again)'s quiescent",
    )
    steps += [step for actor, step in again["steps"] if actor == ACTOR]
    check_equal(
        "ADP-015.2",
        3,
        len(steps),
        "the next rt-run starts with no idle snapshot, so it reads the update, "
        f"then the genesis, each alone: {again}",
    )
    first = g.decode_object(bytes.fromhex(both("a", "rt-object", id=steps[0])["bytes"]))
    if not isinstance(first, g.Step):
        fail("WIT-012.6", expected="a step", came=first)
    check(
        "WIT-012.6",
        first.inbox is None,
        expected="nothing (null)",
        came=first,
        what="first's inbox",
    )
    check(
        "WIT-012.6",
        first.previous is None,
        expected="nothing (null)",
        came=first,
        what="first's previous",
    )
    last = g.decode_object(bytes.fromhex(both("a", "rt-object", id=steps[2])["bytes"]))
    if not isinstance(last, g.Step):
        fail("WIT-012.6", expected="a step", came=last)
    if last.inbox is None:
        fail("WIT-012.6", expected="a value", came=last, what="last's inbox")
    check_equal("WIT-012.6", [], both("a", "rt-run", max_steps=10)["steps"], "both's steps")

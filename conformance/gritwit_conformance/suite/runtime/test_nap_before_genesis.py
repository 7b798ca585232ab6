"""A ``nap`` sent to a ``sleepy`` actor before its genesis waits for it (WIT-009.4, WIT-012.2).

A runtime bounds a transition that reads a ``nap`` away from its other work (the thread
a nap sleeps in, RUN-005.6); one of an id without a step and with no genesis pending
must not run at all (WIT-012.2), however it would be run: the ``rt-run`` after the send
makes no attempt, fails nothing and adopts nothing. The nap stays pending (WIT-009.4)
and is read by the actor's first transition once its genesis is sent: that step keeps
the nap's content as ``slept`` (WIT-030.1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, fail

pytestmark = pytest.mark.profile("runtime")

#: The nap's content: a millisecond, so the first step is quick.
NAP = b"1"


def _sleepy_id() -> str:
    """The id of the core ``rt-genesis`` builds for ``sleepy`` with no state (ADP-014, WIT-002)."""
    wit = g.object_id(g.Blob(data=b"sleepy", headers={"runtime": "test-actor"}))
    return g.object_id(g.Tree(entries={"wit": wit})).hex()


def _slept(impl: Implementation, runtime: str, actor: str) -> bytes | None:
    """The data of ``actor``'s ``slept`` entry at its head, or ``None`` when it has none."""

    def obj(oid: str) -> g.GritObject:
        data = call_ok(impl, "ADP-015", "rt-object", runtime=runtime, id=oid)["bytes"]
        return g.decode_object(bytes.fromhex(data))

    head = call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=actor)["step"]
    if not isinstance(head, str):
        fail(
            ("WIT-012.1", "WIT-009.4"),
            expected="a step id",
            came=head,
            what=f"the sleepy actor {actor} has no head after its genesis was sent and run",
        )
    step = obj(head)
    if not isinstance(step, g.Step):
        fail("ADP-015", expected="a step", came=step, what=f"the head {head} of {actor}")
    core = obj(step.core.hex())
    if not isinstance(core, g.Tree):
        fail("ADP-015", expected="a tree", came=core, what=f"the core of {actor}'s head")
    entry = core.entries.get("slept")
    if entry is None:
        return None
    blob = obj(entry.hex())
    if not isinstance(blob, g.Blob):
        fail("WIT-030.1", expected="a blob", came=blob, what="the slept entry")
    return blob.data


@pytest.mark.req(
    "WIT-012.2",
    "WIT-012.1",
    "WIT-009.4",
    "WIT-030.1",
    "WIT-002",
    "RUN-004.3",
    "RUN-004.4",
    "ADP-015",
)
def test_a_nap_before_the_genesis_waits_and_is_read_by_the_first_step(
    impl: Implementation, tmp_path: Path
) -> None:
    # no back-off: a runtime that fails the headless actor's transition retries it at once
    opened = call_ok(impl, "WIT-012.2", "rt-open", path=str(tmp_path), first_delay=0)
    runtime = str(opened["runtime"])
    try:
        actor = _sleepy_id()
        call_ok(
            impl, "WIT-009.4", "rt-send", runtime=runtime, to=actor, mt="nap",
            content={"blob": NAP.hex()},
        )  # fmt: skip
        run = call_ok(impl, "WIT-012.2", "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            ("WIT-012.2", "RUN-004.3"),
            [],
            run["attempts"],
            f"a nap to {actor}, which has no step and no genesis pending, must not run a "
            f"transition, so no attempt of it can fail: {run}",
        )
        check_equal(("WIT-012.2", "RUN-004.4"), [], run["failures"], f"rt-run's failures: {run}")
        check_equal("WIT-012.2", [], run["steps"], f"no genesis: nothing is adopted: {run}")
        made = call_ok(impl, "WIT-012.1", "rt-genesis", runtime=runtime, actor="sleepy")
        check_equal(
            "WIT-002", actor, made["actor"], "the id of sleepy's core with no state (rt-genesis)"
        )
        run = call_ok(impl, "WIT-012.1", "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            ("WIT-012.1", "WIT-009.4"),
            [],
            run["failures"],
            f"once its genesis is sent, the actor the nap waited for starts: {run}",
        )
        check_equal(
            ("WIT-009.4", "WIT-030.1"),
            NAP,
            _slept(impl, runtime, actor),
            "the nap sent before the genesis stays pending and is read once the actor "
            "starts: its step keeps the nap's content as slept",
        )
    finally:
        impl.call("rt-close", runtime=runtime)

"""Actors that always have work, beside a counter: every ``rt-run`` returns at its
bound, the counter keeps stepping, and nothing a run reported is lost.

The busy actors are built from test actors alone, so every runtime can play them: a
``fanout`` F whose id is below an ``echo`` E fans out to E, then an update (WIT-013)
makes F an echo too.  E's reply to F's ``fanned`` then starts a ping-pong that never
ends: each of F and E always has a message from the other.  Each ``rt-run`` of the
set-up adopts one step (``max_steps`` 1) and the rounds take candidates in ascending
id order (ADP-014), so F reads its update before E has replied, whatever order a
runtime gives an update among other senders' messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal

pytestmark = pytest.mark.profile("runtime")

#: The ``wit`` of the test actor ``echo`` (WIT-014.2's runtime header, WIT-019).
ECHO_WIT = {"blob": b"echo".hex(), "headers": {"runtime": "test-actor"}}
#: Steps per ``rt-run`` beside the busy pair: a round is at most three transitions.
RUN_STEPS = 7


def _open(impl: Implementation, path: Path) -> str:
    return str(call_ok(impl, "ADP-015", "rt-open", path=str(path))["runtime"])


def _ping_pair(impl: Implementation, rt: str) -> tuple[str, str]:
    """F and E (F < E), messaging each other for ever once the next run starts."""
    for nonce in range(64):
        state = {"n": f"{nonce:02x}"}
        fan = str(
            call_ok(impl, "ADP-015", "rt-genesis", runtime=rt, actor="fanout", state=state)["actor"]
        )
        echo = str(
            call_ok(impl, "ADP-015", "rt-genesis", runtime=rt, actor="echo", state=state)["actor"]
        )
        if fan < echo:
            break
    else:  # pragma: no cover - 2**-64
        pytest.fail("no fanout below an echo in 64 tries")
    call_ok(impl, "ADP-015", "rt-run", runtime=rt, max_steps=1000)  # every genesis read: both exist
    names = {"a": {"blob": echo.encode().hex()}}
    call_ok(impl, "ADP-015", "rt-send", runtime=rt, to=fan, mt="fanout", content={"tree": names})
    call_ok(
        impl,
        "ADP-015",
        "rt-send",
        runtime=rt,
        to=fan,
        mt="update",
        content={"tree": {"wit": ECHO_WIT}},
    )
    for what in ("fans out to E", "reads its update and becomes an echo"):
        steps = call_ok(impl, "ADP-015", "rt-run", runtime=rt, max_steps=1)["steps"]
        check_equal(
            "ADP-015",
            [fan],
            [a for a, _ in steps],
            f"F {what}: expected one step of F, got {steps}",
        )
    return fan, echo


def _count(impl: Implementation, rt: str, counter: str) -> int:
    data = call_ok(impl, "ADP-015", "rt-query", runtime=rt, actor=counter, name="count")["data"]
    return int(bytes.fromhex(str(data)))


@pytest.mark.req("RUN-018.1", "RUN-018.2", "ADP-015", "ADP-014")
def test_a_pair_that_always_has_work_does_not_starve_a_counter(
    impl: Implementation, tmp_path: Path
) -> None:
    """Each ``rt-run`` stops at ``max_steps`` (not quiescent) and the counter, given one
    ``inc`` before each, steps in it before either busy actor steps a third time."""
    rt = _open(impl, tmp_path)
    counter = str(call_ok(impl, "RUN-018.1", "rt-genesis", runtime=rt, actor="counter")["actor"])
    fan, echo = _ping_pair(impl, rt)
    for turn in range(1, 6):
        call_ok(
            impl, "RUN-018.1", "rt-send", runtime=rt, to=counter, mt="inc", content={"blob": ""}
        )
        answer = call_ok(impl, "RUN-018.1", "rt-run", runtime=rt, max_steps=RUN_STEPS)
        actors = [a for a, _ in answer["steps"]]
        check_equal(
            "RUN-018.1",
            RUN_STEPS,
            len(actors),
            f"run {turn}: a pair that always has work must end the run at max_steps "
            f"{RUN_STEPS}, not quiescent: {answer}",
        )
        check(
            "RUN-018.1",
            answer["quiescent"] is False,
            expected="false",
            came=answer["quiescent"],
            what=f"run {turn}: a pair that always has work must end the run at max_steps "
            f"{RUN_STEPS}, not quiescent: {answer}",
        )
        check(
            "RUN-018.2",
            counter in actors,
            expected=f"run {turn}: the counter, an inc pending, stepped among {actors}: "
            "no busy actor starves it",
            came=counter,
            what="the counter",
        )
        before = actors[: actors.index(counter)]
        value = before.count(fan)
        check(
            "RUN-018.2",
            value <= 2,
            expected="at most 2",
            came=value,
            what=f"run {turn}: {before.count(fan)} steps of F and {before.count(echo)} of E came "
            "before the counter's, which had work from the start (RUN-018.2: at most two)",
        )
        value = before.count(echo)
        check(
            "RUN-018.2",
            value <= 2,
            expected="at most 2",
            came=value,
            what=f"run {turn}: {before.count(fan)} steps of F and {before.count(echo)} of E came "
            "before the counter's, which had work from the start (RUN-018.2: at most two)",
        )
        check(
            "RUN-018.1",
            {fan, echo} <= set(actors),
            expected=f"at most {set(actors)}",
            came={fan, echo},
            what=f"run {turn}: the pair stopped pinging: {actors}",
        )
        check_equal("RUN-018.1", turn, _count(impl, rt, counter), "the count")


@pytest.mark.req("RUN-018.1", "RUN-017.6", "RUN-007.1", "ADP-015")
def test_a_run_stopped_at_its_bound_loses_nothing_it_reported(
    impl: Implementation, tmp_path: Path
) -> None:
    """Killed right after a bounded ``rt-run`` answered, a restarted runtime has every
    reported step as its actor's head, and the pair goes on pinging from there."""
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-015)")
    rt = _open(impl, tmp_path)
    counter = str(call_ok(impl, "RUN-018.1", "rt-genesis", runtime=rt, actor="counter")["actor"])
    fan, echo = _ping_pair(impl, rt)
    call_ok(impl, "RUN-018.1", "rt-send", runtime=rt, to=counter, mt="inc", content={"blob": ""})
    answer = call_ok(impl, "RUN-018.1", "rt-run", runtime=rt, max_steps=50)
    last = {actor: step for actor, step in answer["steps"]}
    check_equal("RUN-018.1", {fan, echo, counter}, set(last))
    impl.kill()
    rt = _open(impl, tmp_path)
    for actor, step in last.items():
        head = call_ok(impl, "RUN-018.1", "rt-head", runtime=rt, actor=actor)["step"]
        check_equal(
            ("RUN-017.6", "RUN-007.1"),
            step,
            head,
            f"after a kill right after the answer, {actor}'s head is {head}, not {step}, the "
            "last step the bounded run reported",
        )
    again = call_ok(impl, "RUN-018.1", "rt-run", runtime=rt, max_steps=4)
    check_equal("RUN-018.1", 0, [a for a, _ in again["steps"]].count(counter))
    check(
        "RUN-018.1",
        not again["quiescent"],
        expected="nothing (empty)",
        came=again,
        what="rt-run (again)'s quiescent",
    )
    check_equal("RUN-018.1", 1, _count(impl, rt, counter), "the count")

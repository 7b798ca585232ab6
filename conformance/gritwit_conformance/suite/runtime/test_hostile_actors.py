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

pytestmark = pytest.mark.profile("runtime")

#: The ``wit`` of the test actor ``echo`` (WIT-014.2's runtime header, WIT-019).
ECHO_WIT = {"blob": b"echo".hex(), "headers": {"runtime": "test-actor"}}
#: Steps per ``rt-run`` beside the busy pair: a round is at most three transitions.
RUN_STEPS = 7


def _open(impl: Implementation, path: Path) -> str:
    return str(impl.call("rt-open", path=str(path)).expect_ok()["runtime"])


def _ping_pair(impl: Implementation, rt: str) -> tuple[str, str]:
    """F and E (F < E), messaging each other for ever once the next run starts."""
    for nonce in range(64):
        state = {"n": f"{nonce:02x}"}
        fan = str(
            impl.call("rt-genesis", runtime=rt, actor="fanout", state=state).expect_ok()["actor"]
        )
        echo = str(
            impl.call("rt-genesis", runtime=rt, actor="echo", state=state).expect_ok()["actor"]
        )
        if fan < echo:
            break
    else:  # pragma: no cover - 2**-64
        pytest.fail("no fanout below an echo in 64 tries")
    impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()  # every genesis read: both exist
    names = {"a": {"blob": echo.encode().hex()}}
    impl.call("rt-send", runtime=rt, to=fan, mt="fanout", content={"tree": names}).expect_ok()
    impl.call(
        "rt-send", runtime=rt, to=fan, mt="update", content={"tree": {"wit": ECHO_WIT}}
    ).expect_ok()
    for what in ("fans out to E", "reads its update and becomes an echo"):
        steps = impl.call("rt-run", runtime=rt, max_steps=1).expect_ok()["steps"]
        assert [a for a, _ in steps] == [fan], f"F {what}: expected one step of F, got {steps}"
    return fan, echo


def _count(impl: Implementation, rt: str, counter: str) -> int:
    data = impl.call("rt-query", runtime=rt, actor=counter, name="count").expect_ok()["data"]
    return int(bytes.fromhex(str(data)))


@pytest.mark.req("RUN-018.1", "RUN-018.2", "ADP-015", "ADP-014")
def test_a_pair_that_always_has_work_does_not_starve_a_counter(
    impl: Implementation, tmp_path: Path
) -> None:
    """Each ``rt-run`` stops at ``max_steps`` (not quiescent) and the counter, given one
    ``inc`` before each, steps in it before either busy actor steps a third time."""
    rt = _open(impl, tmp_path)
    counter = str(impl.call("rt-genesis", runtime=rt, actor="counter").expect_ok()["actor"])
    fan, echo = _ping_pair(impl, rt)
    for turn in range(1, 6):
        impl.call("rt-send", runtime=rt, to=counter, mt="inc", content={"blob": ""}).expect_ok()
        answer = impl.call("rt-run", runtime=rt, max_steps=RUN_STEPS).expect_ok()
        actors = [a for a, _ in answer["steps"]]
        assert len(actors) == RUN_STEPS and answer["quiescent"] is False, (
            f"run {turn}: a pair that always has work must end the run at max_steps "
            f"{RUN_STEPS}, not quiescent (RUN-018.1): {answer}"
        )
        assert counter in actors, (
            f"run {turn}: the counter had an inc pending and never stepped among {actors}: "
            "a busy actor starved it (RUN-018.2)"
        )
        before = actors[: actors.index(counter)]
        assert before.count(fan) <= 2 and before.count(echo) <= 2, (
            f"run {turn}: {before.count(fan)} steps of F and {before.count(echo)} of E came "
            "before the counter's, which had work from the start (RUN-018.2: at most two)"
        )
        assert {fan, echo} <= set(actors), f"run {turn}: the pair stopped pinging: {actors}"
        assert _count(impl, rt, counter) == turn


@pytest.mark.req("RUN-018.1", "RUN-017.6", "RUN-007.1", "ADP-015")
def test_a_run_stopped_at_its_bound_loses_nothing_it_reported(
    impl: Implementation, tmp_path: Path
) -> None:
    """Killed right after a bounded ``rt-run`` answered, a restarted runtime has every
    reported step as its actor's head, and the pair goes on pinging from there."""
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-015)")
    rt = _open(impl, tmp_path)
    counter = str(impl.call("rt-genesis", runtime=rt, actor="counter").expect_ok()["actor"])
    fan, echo = _ping_pair(impl, rt)
    impl.call("rt-send", runtime=rt, to=counter, mt="inc", content={"blob": ""}).expect_ok()
    answer = impl.call("rt-run", runtime=rt, max_steps=50).expect_ok()
    last = {actor: step for actor, step in answer["steps"]}
    assert set(last) == {fan, echo, counter}, answer
    impl.kill()
    rt = _open(impl, tmp_path)
    for actor, step in last.items():
        head = impl.call("rt-head", runtime=rt, actor=actor).expect_ok()["step"]
        assert head == step, (
            f"after a kill right after the answer, {actor}'s head is {head}, not {step}, the "
            "last step the bounded run reported (RUN-017.6, RUN-007.1)"
        )
    again = impl.call("rt-run", runtime=rt, max_steps=4).expect_ok()
    assert [a for a, _ in again["steps"]].count(counter) == 0 and not again["quiescent"], again
    assert _count(impl, rt, counter) == 1

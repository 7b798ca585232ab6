"""Group commit through the protocol (RUN-017): every step an ``rt-run`` reports is durable
when it answers, whatever the commit mode, and both modes adopt the same steps.

The harness SIGKILLs the adapter right after each ``rt-run`` answer and reopens the
directory in a new process: every reported step must be its actor's head, with every
object of its history present (``rt-verify``).  A runtime that acknowledges a group
before it is durable, or moves heads before the objects they name are stored, fails on
every run.  ``rt-open``'s ``commit`` option (ADP-015) selects the mode; an
implementation without it answers ``bad-request`` and that mode is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

pytestmark = pytest.mark.profile("runtime")


def _open(impl: Implementation, path: Path, commit: str | None) -> str:
    options: dict[str, Any] = {} if commit is None else {"commit": commit}
    reply = impl.call("rt-open", path=str(path), **options)
    if not reply.ok and commit is not None and reply.error_class == "bad-request":
        pytest.skip(f"{impl.label} has no commit mode {commit!r} (ADP-015)")
    assert reply.ok, f"rt-open: {reply.error}"
    return str(reply.result["runtime"])


def _heads_after_kill(
    impl: Implementation, path: Path, commit: str | None, actors: Iterable[str]
) -> tuple[str, dict[str, str]]:
    """SIGKILL the adapter right after an answer (no close, no flush), reopen ``path`` in a
    new process, and read each actor's head there: the runtime and the heads."""
    impl.kill()
    rt = _open(impl, path, commit)
    return rt, {a: impl.call("rt-head", runtime=rt, actor=a).expect_ok()["step"] for a in actors}


def _workload(impl: Implementation, rt: str) -> list[str]:
    actors = [
        impl.call("rt-genesis", runtime=rt, actor=role, state={"t": f"{i:02x}"}).expect_ok()[
            "actor"
        ]
        for i, role in enumerate(["counter", "echo"] * 4)
    ]
    for actor in actors:
        impl.call("rt-send", runtime=rt, to=actor, mt="inc", content={"blob": "31"}).expect_ok()
    return [str(a) for a in actors]


@pytest.mark.req("RUN-017.2", "RUN-017.5", "RUN-017.6", "RUN-017.9", "RUN-007.1", "ADP-015")
@pytest.mark.parametrize("commit", [None, "group", "step"], ids=["default", "group", "step"])
def test_every_reported_step_survives_a_kill_right_after_the_answer(
    impl: Implementation, tmp_path: Path, commit: str | None
) -> None:
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-015)")
    rt = _open(impl, tmp_path, commit)
    _workload(impl, rt)
    heads: dict[str, str] = {}
    for max_steps in (3, 5, 1000):
        ran = impl.call("rt-run", runtime=rt, max_steps=max_steps).expect_ok()
        for actor, step in ran["steps"]:
            heads[actor] = step
        rt, found = _heads_after_kill(impl, tmp_path, commit, heads)
        for actor, step in heads.items():
            head = found[actor]
            assert head == step, (
                f"rt-run reported step {step} of {actor} last, then a kill right after the "
                f"answer left the head at {head}: the step was acknowledged before it was "
                "durable (RUN-017.6, RUN-007.1), or the head was left at an earlier step of "
                "the same group (RUN-017.9)"
            )
            verified = impl.call("rt-verify", runtime=rt, actor=actor).expect_ok()
            assert verified["verified"], (
                f"{actor}'s history after a kill right after rt-run answered: {verified}; a "
                "head names a step whose objects were not stored (RUN-017.2, RUN-017.5)"
            )
    assert len(heads) == 8


@pytest.mark.req("RUN-017.1", "ADP-015")
def test_group_and_step_commits_adopt_the_same_steps(impl: Implementation, tmp_path: Path) -> None:
    runs = []
    for commit in ("group", "step"):
        path = tmp_path / commit
        path.mkdir()
        rt = _open(impl, path, commit)
        actors = _workload(impl, rt)
        fan = impl.call("rt-genesis", runtime=rt, actor="fanout").expect_ok()["actor"]
        steps = [
            impl.call("rt-run", runtime=rt, max_steps=n).expect_ok()["steps"] for n in (3, 1000)
        ]
        names = {f"a{i}": {"blob": a.encode().hex()} for i, a in enumerate(actors)}
        # one run of several rounds: the fanout's step, then every actor reading "fanned"
        # (actors on both sides of the fanout's id), then the fanout reading the echoes
        impl.call("rt-send", runtime=rt, to=fan, mt="fanout", content={"tree": names}).expect_ok()
        steps.append(impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()["steps"])
        runs.append(steps)
        impl.call("rt-close", runtime=rt).expect_ok()
    assert runs[0] == runs[1], (
        "the same operations adopt other steps under commit='group' than under 'step': "
        "grouping may change when a step is durable, never which step it is (RUN-017.1)"
    )


@pytest.mark.req("RUN-017.9", "RUN-017.2", "RUN-017.6", "ADP-015")
@pytest.mark.parametrize("commit", [None, "step"], ids=["default", "step"])
def test_an_actor_with_several_steps_in_one_run_ends_at_its_last(
    impl: Implementation, tmp_path: Path, commit: str | None
) -> None:
    """A fanout's two steps in one ``rt-run`` (it fans out, then reads the echoes' replies):
    whatever a runtime folds inside one commit (RUN-017.9), the durable head after a kill
    right after the answer is the last step the run reported for each actor."""
    if not impl.can_kill:
        pytest.skip(f"{impl.label} is not a process: it cannot be killed (ADP-015)")
    rt = _open(impl, tmp_path, commit)
    echoes = [
        impl.call("rt-genesis", runtime=rt, actor="echo", state={"t": f"{i:02x}"}).expect_ok()[
            "actor"
        ]
        for i in range(3)
    ]
    fan = impl.call("rt-genesis", runtime=rt, actor="fanout").expect_ok()["actor"]
    impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()
    names = {f"a{i}": {"blob": str(a).encode().hex()} for i, a in enumerate(echoes)}
    impl.call("rt-send", runtime=rt, to=fan, mt="fanout", content={"tree": names}).expect_ok()
    steps = impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()["steps"]
    last: dict[str, str] = {}
    for actor, step in steps:
        last[actor] = step
    assert [a for a, _ in steps].count(fan) >= 2, f"the fanout stepped once only: {steps}"
    _, found = _heads_after_kill(impl, tmp_path, commit, last)
    for actor, step in last.items():
        head = found[actor]
        assert head == step, (
            f"{actor} stepped {[s for a, s in steps if a == actor]} in one rt-run, and after "
            f"a kill right after the answer its head is {head}, not its last step: a folded "
            "swap was never made (RUN-017.9) or the run was acknowledged early (RUN-017.6)"
        )


@pytest.mark.req("RUN-018.1", "RUN-018.3", "RUN-017.2", "ADP-015")
@pytest.mark.parametrize("commit", [None, "group", "step"], ids=["default", "group", "step"])
def test_a_run_adopts_at_most_its_bound_whatever_the_commit_mode(
    impl: Implementation, tmp_path: Path, commit: str | None
) -> None:
    """Eight actors with a message each: runs bounded at 1, 2 and 3 steps adopt exactly that
    many, the transitions of an open group counted (a runtime that counts only committed
    steps starts all eight in one group), and each answers not quiescent until the last."""
    rt = _open(impl, tmp_path, commit)
    actors = _workload(impl, rt)
    adopted: list[str] = []
    for bound in (1, 2, 3):
        ran = impl.call("rt-run", runtime=rt, max_steps=bound).expect_ok()
        assert len(ran["steps"]) == bound, (
            f"rt-run with max_steps {bound}, eight actors pending, adopted "
            f"{len(ran['steps'])} steps: a run adopts at most its bound (RUN-018.1), the "
            "transitions of an open group counted, and here has work for more"
        )
        assert ran["quiescent"] is False, (
            f"a run stopped by its bound of {bound} with actors still pending answered "
            "quiescent (RUN-018.1, RUN-018.3)"
        )
        adopted += [actor for actor, _ in ran["steps"]]
    rest = impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()
    adopted += [actor for actor, _ in rest["steps"]]
    assert sorted(adopted) == sorted(actors), (
        "over the bounded runs and one to quiescence each of the eight actors adopted "
        f"exactly one step (RUN-018.1): {len(adopted)} steps for {len(set(adopted))} actors"
    )

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

from .._check import call_ok, check, check_equal, ok_answer

pytestmark = pytest.mark.profile("runtime")


def _open(impl: Implementation, path: Path, commit: str | None) -> str:
    options: dict[str, Any] = {} if commit is None else {"commit": commit}
    reply = impl.call("rt-open", path=str(path), **options)
    if not reply.ok and commit is not None and reply.error_class == "bad-request":
        pytest.skip(f"{impl.label} has no commit mode {commit!r} (ADP-015)")
    return str(ok_answer(reply, "ADP-015", "rt-open")["runtime"])


def _heads_after_kill(
    impl: Implementation, path: Path, commit: str | None, actors: Iterable[str]
) -> tuple[str, dict[str, str]]:
    """SIGKILL the adapter right after an answer (no close, no flush), reopen ``path`` in a
    new process, and read each actor's head there: the runtime and the heads."""
    impl.kill()
    rt = _open(impl, path, commit)
    return rt, {a: call_ok(impl, "ADP-015", "rt-head", runtime=rt, actor=a)["step"] for a in actors}


def _workload(impl: Implementation, rt: str) -> list[str]:
    actors = [
        call_ok(impl, "ADP-015", "rt-genesis", runtime=rt, actor=role, state={"t": f"{i:02x}"})[
            "actor"
        ]
        for i, role in enumerate(["counter", "echo"] * 4)
    ]
    for actor in actors:
        call_ok(impl, "ADP-015", "rt-send", runtime=rt, to=actor, mt="inc", content={"blob": "31"})
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
        ran = call_ok(impl, "RUN-017.2", "rt-run", runtime=rt, max_steps=max_steps)
        for actor, step in ran["steps"]:
            heads[actor] = step
        rt, found = _heads_after_kill(impl, tmp_path, commit, heads)
        for actor, step in heads.items():
            head = found[actor]
            check_equal(
                ("RUN-017.6", "RUN-007.1", "RUN-017.9"),
                step,
                head,
                f"rt-run reported step {step} of {actor} last, then a kill right after the "
                f"answer left the head at {head}: the step was acknowledged before it was "
                "durable, or the head was left at an earlier step of "
                "the same group",
            )
            verified = call_ok(impl, "RUN-017.2", "rt-verify", runtime=rt, actor=actor)
            check(
                ("RUN-017.2", "RUN-017.5"),
                verified["verified"],
                expected="a value, not empty",
                came=verified["verified"],
                what=f"{actor}'s history after a kill right after rt-run answered: {verified}; a "
                "head names a step whose objects were not stored",
            )
    check_equal("RUN-017.2", 8, len(heads), "the number of heads")


@pytest.mark.req("RUN-017.1", "ADP-015")
def test_group_and_step_commits_adopt_the_same_steps(impl: Implementation, tmp_path: Path) -> None:
    runs = []
    for commit in ("group", "step"):
        path = tmp_path / commit
        path.mkdir()
        rt = _open(impl, path, commit)
        actors = _workload(impl, rt)
        fan = call_ok(impl, "RUN-017.1", "rt-genesis", runtime=rt, actor="fanout")["actor"]
        steps = [
            call_ok(impl, "RUN-017.1", "rt-run", runtime=rt, max_steps=n)["steps"]
            for n in (3, 1000)
        ]
        names = {f"a{i}": {"blob": a.encode().hex()} for i, a in enumerate(actors)}
        # one run of several rounds: the fanout's step, then every actor reading "fanned"
        # (actors on both sides of the fanout's id), then the fanout reading the echoes
        call_ok(
            impl, "RUN-017.1", "rt-send", runtime=rt, to=fan, mt="fanout", content={"tree": names}
        )
        steps.append(call_ok(impl, "RUN-017.1", "rt-run", runtime=rt, max_steps=1000)["steps"])
        runs.append(steps)
        call_ok(impl, "RUN-017.1", "rt-close", runtime=rt)
    check_equal(
        "RUN-017.1",
        runs[1],
        runs[0],
        "the same operations adopt other steps under commit='group' than under 'step': "
        "grouping may change when a step is durable, never which step it is",
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
        call_ok(impl, "RUN-017.9", "rt-genesis", runtime=rt, actor="echo", state={"t": f"{i:02x}"})[
            "actor"
        ]
        for i in range(3)
    ]
    fan = call_ok(impl, "RUN-017.9", "rt-genesis", runtime=rt, actor="fanout")["actor"]
    call_ok(impl, "RUN-017.9", "rt-run", runtime=rt, max_steps=1000)
    names = {f"a{i}": {"blob": str(a).encode().hex()} for i, a in enumerate(echoes)}
    call_ok(impl, "RUN-017.9", "rt-send", runtime=rt, to=fan, mt="fanout", content={"tree": names})
    steps = call_ok(impl, "RUN-017.9", "rt-run", runtime=rt, max_steps=1000)["steps"]
    last: dict[str, str] = {}
    for actor, step in steps:
        last[actor] = step
    value = [a for a, _ in steps].count(fan)
    check(
        "RUN-017.9",
        value >= 2,
        expected="at least 2",
        came=value,
        what=f"the fanout stepped once only: {steps}",
    )
    _, found = _heads_after_kill(impl, tmp_path, commit, last)
    for actor, step in last.items():
        head = found[actor]
        check_equal(
            ("RUN-017.9", "RUN-017.6"),
            step,
            head,
            f"{actor} stepped {[s for a, s in steps if a == actor]} in one rt-run, and after "
            f"a kill right after the answer its head is {head}, not its last step: a folded "
            "swap was never made or the run was acknowledged early",
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
        ran = call_ok(impl, "RUN-018.1", "rt-run", runtime=rt, max_steps=bound)
        check_equal(
            "RUN-018.1",
            bound,
            len(ran["steps"]),
            f"rt-run with max_steps {bound}, eight actors pending, adopted "
            f"{len(ran['steps'])} steps: a run adopts at most its bound, the "
            "transitions of an open group counted, and here has work for more",
        )
        check(
            ("RUN-018.1", "RUN-018.3"),
            ran["quiescent"] is False,
            expected="false",
            came=ran["quiescent"],
            what=f"a run stopped by its bound of {bound} with actors still pending answered "
            "quiescent",
        )
        adopted += [actor for actor, _ in ran["steps"]]
    rest = call_ok(impl, "RUN-018.1", "rt-run", runtime=rt, max_steps=1000)
    adopted += [actor for actor, _ in rest["steps"]]
    check_equal(
        "RUN-018.1",
        sorted(actors),
        sorted(adopted),
        "over the bounded runs and one to quiescence each of the eight actors adopted "
        f"exactly one step: {len(adopted)} steps for {len(set(adopted))} actors",
    )

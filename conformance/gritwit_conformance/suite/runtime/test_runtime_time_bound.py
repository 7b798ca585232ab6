"""The time bound of a transition on both sides, with real wall time (RUN-005.5, RUN-005.6).

``slow`` (WIT-027) shows only that an overrun fails, and a runtime may simulate it, so
it cannot tell whether the bound is the configured one or measured at all. ``sleepy``
(WIT-030) really sleeps for each ``nap``: with ``time_limit`` = 1 s a nap of 100 ms
must be adopted (0.9 s of margin), one of 3000 ms must fail every attempt (2 s of
margin) while another actor keeps running; with ``time_limit`` = 0.5 s a nap of 1500 ms
must fail although it is far inside the default of 5 s — a runtime that ignores the
configured bound adopts it. Expected outcomes come from RUN-004 and RUN-005, never
from an implementation; each failing attempt takes one bound, so the module runs in
about 8 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import call_ok, check, check_equal, fail, ok_answer

pytestmark = pytest.mark.profile("runtime")

#: RUN-004.3: attempts of a failing transition before its actor is marked failed.
ATTEMPTS = 5


def _open(impl: Implementation, tmp_path: Path, time_limit: float) -> str:
    (tmp_path / "rt").mkdir()
    # no back-off: the overruns' retries would wait 15 s (RUN-004.10), which is not measured
    opened = call_ok(
        impl, "RUN-005", "rt-open", path=str(tmp_path / "rt"), time_limit=time_limit, first_delay=0
    )
    check_equal("RUN-005", time_limit, opened["settings"]["time_limit"])
    return str(opened["runtime"])


def _sleepy(impl: Implementation, runtime: str, millis: int) -> str:
    """A ``sleepy`` actor, created, with one ``nap`` of ``millis`` pending (WIT-030.1)."""
    actor = str(call_ok(impl, "RUN-005", "rt-genesis", runtime=runtime, actor="sleepy")["actor"])
    call_ok(
        impl, "RUN-005", "rt-run", runtime=runtime, max_steps=10
    )  # its genesis step: no nap yet
    nap = str(millis).encode().hex()
    call_ok(impl, "RUN-005", "rt-send", runtime=runtime, to=actor, mt="nap", content={"blob": nap})
    return actor


def _slept(impl: Implementation, runtime: str, actor: str) -> bytes | None:
    """The data of ``actor``'s ``slept`` entry at its head, or ``None`` when it has none."""

    def obj(oid: str) -> g.GritObject:
        data = call_ok(impl, "ADP-015", "rt-object", runtime=runtime, id=oid)["bytes"]
        return g.decode_object(bytes.fromhex(data))

    head = call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=actor)["step"]
    if not isinstance(head, str):
        fail(
            "ADP-015",
            expected="a string",
            came=head,
            what=f"the implementation has no head for the sleepy actor {actor} (rt-head answered "
            f"{head!r}): its genesis step was refused",
        )
    step = obj(head)
    if not isinstance(step, g.Step):
        fail("ADP-015", expected="a step", came=step, what="the step")
    core = obj(step.core.hex())
    if not isinstance(core, g.Tree):
        fail("ADP-015", expected="a tree", came=core, what="the core")
    entry = core.entries.get("slept")
    if entry is None:
        return None
    blob = obj(entry.hex())
    if not isinstance(blob, g.Blob):
        fail("ADP-015", expected="a blob", came=blob, what="the blob")
    return blob.data


@pytest.mark.smoke
@pytest.mark.req("RUN-005.5", "WIT-030.1")
@pytest.mark.req("ADP-015")
def test_a_transition_well_within_the_bound_is_adopted(
    impl: Implementation, tmp_path: Path
) -> None:
    """``time_limit`` = 1 s, a nap of 100 ms: the allowed side; the step is adopted."""
    runtime = _open(impl, tmp_path, scaled(1.0))  # the margin a correct runtime needs
    actor = _sleepy(impl, runtime, 100)
    run = call_ok(impl, "RUN-005.5", "rt-run", runtime=runtime, max_steps=10)
    check_equal(
        "RUN-005.5",
        [],
        run["attempts"],
        f"a transition of 100 ms is well within a bound of 1 s: {run}",
    )
    check_equal(
        "RUN-005.5",
        [],
        run["failures"],
        f"a transition of 100 ms is well within a bound of 1 s: {run}",
    )
    check_equal("RUN-005.5", [actor], [a for a, _ in run["steps"]], "the actors of rt-run's steps")
    check_equal("WIT-030.1", b"100", _slept(impl, runtime, actor), "the nap was read and slept")


@pytest.mark.req("RUN-005.6", "RUN-005.3", "RUN-005.4", "RUN-004.3", "WIT-030.1")
def test_a_transition_over_the_bound_fails_every_attempt(
    impl: Implementation, tmp_path: Path
) -> None:
    """``time_limit`` = 1 s, a nap of 3000 ms: the refused side; a counter runs meanwhile.

    Every one of the 5 attempts overruns (each measured from its own start), so the
    actor is marked failed and gets no step; the counter sent one ``inc`` counts 1 in
    the same ``rt-run``.
    """
    runtime = _open(impl, tmp_path, 1.0)
    actor = _sleepy(impl, runtime, 3000)
    counter = str(
        call_ok(impl, "RUN-005.6", "rt-genesis", runtime=runtime, actor="counter")["actor"]
    )
    call_ok(
        impl, "RUN-005.6", "rt-send", runtime=runtime, to=counter, mt="inc", content={"blob": ""}
    )
    run = call_ok(impl, "RUN-005.6", "rt-run", runtime=runtime, max_steps=20)
    check_equal(
        ("RUN-005.6", "RUN-004.3"),
        [[actor, "failed"]],
        run["failures"],
        f"a transition of 3 s overruns a bound of 1 s on every attempt and the actor is "
        f"marked failed: {run}",
    )
    mine = [a for a in run["attempts"] if a[0] == actor]
    check_equal(
        "RUN-005.6", [[actor, "failed"]] * ATTEMPTS, mine, f"{ATTEMPTS} failed attempts: {run}"
    )
    check(
        "RUN-005.6",
        actor not in [a for a, _ in run["steps"]],
        expected=f"no step adopted for it: {run}",
        came=actor,
        what="the actor",
    )
    query = call_ok(impl, "RUN-005.6", "rt-query", runtime=runtime, actor=counter, name="count")
    count = bytes.fromhex(query["data"])
    check_equal("RUN-005.4", b"1", count, "the counter runs while sleepy overruns")


@pytest.mark.smoke
@pytest.mark.req("RUN-005.6", "RUN-005.2", "RUN-005.5")
def test_the_configured_bound_not_the_default_decides(impl: Implementation, tmp_path: Path) -> None:
    """``time_limit`` = 0.5 s, a nap of 1500 ms: it fails, far inside the default 5 s."""
    runtime = _open(impl, tmp_path, 0.5)
    actor = _sleepy(impl, runtime, 1500)
    run = call_ok(impl, "RUN-005.6", "rt-run", runtime=runtime, max_steps=10)
    check_equal(
        "RUN-005.6",
        [[actor, "failed"]],
        run["failures"],
        f"a transition of 1.5 s overruns the configured bound of 0.5 s, whatever the "
        f"default: {run}",
    )
    check_equal("RUN-005.6", [[actor, "failed"]] * ATTEMPTS, run["attempts"], "rt-run's attempts")
    check_equal("RUN-005.6", [], run["steps"], "rt-run's steps")


@pytest.mark.slow
@pytest.mark.req("RUN-005.6", "RUN-005.5", "RUN-004.3", "WIT-030.1")
def test_a_bound_of_a_fraction_of_a_second_is_not_rounded_up(
    impl: Implementation, tmp_path: Path
) -> None:
    """``time_limit`` = 1.25 s, a nap of 1800 ms: every attempt overruns. The other bounds
    tested are 0.1, 0.5 and 1 s, where a runtime whose timer takes whole seconds (1.25
    rounded up to 2) fails the same naps; here it would adopt the step. The nap is a real
    sleep, so no load can bring it within the bound."""
    runtime = _open(impl, tmp_path, 1.25)
    actor = _sleepy(impl, runtime, 1800)
    run = ok_answer(
        impl.call_taking(ATTEMPTS * 1.25, "rt-run", runtime=runtime, max_steps=10), "RUN-005.6"
    )
    check_equal(
        ("RUN-005.6", "RUN-005.5"),
        [[actor, "failed"]],
        run["failures"],
        "a transition of 1.8 s overruns the configured bound of 1.25 s on every attempt, "
        f"the fraction of a second included: {run}",
    )
    check_equal("RUN-005.6", [[actor, "failed"]] * ATTEMPTS, run["attempts"], "rt-run's attempts")

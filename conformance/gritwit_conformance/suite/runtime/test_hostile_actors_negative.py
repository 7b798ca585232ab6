"""Hostile actors where the schedule or the clock, not chance, decides (RUN-018.2, RUN-005.7).

``test_hostile_actors.py`` lets ids fall where they may; these pin down the cases a
wrong runtime could slip through:

* fairness (RUN-018.2) with the counter's id *above* both busy actors', so a scheduler
  that always starts over at the lowest id with work — where the rounds of ADP-014 go
  on to the next id — starves it every time, not in a third of the runs;
* an overrun fails its attempt when the bound passes, not when the transition returns
  (RUN-005.7): ``sleepy`` (WIT-030) naps far longer than ``time_limit``, so the five
  attempts of RUN-004.3 take about five bounds in all, where a runtime that waits for
  each transition to return and only then compares its duration takes five naps.
  The run asks for no back-off (``first_delay`` 0); a runtime that ignores that waits
  RUN-004.10's 15 s between the attempts, still short of five naps.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, ok_answer
from .test_hostile_actors import _count, _open, _ping_pair

pytestmark = pytest.mark.profile("runtime")

#: RUN-004.3: attempts of a failing transition before its actor is marked failed.
ATTEMPTS = 5
#: The bound of the overrun test and sleepy's nap (its longest, WIT-030.1): a factor of 50.
BOUND, NAP_MS = 0.1, 5000
#: An ``rt-run`` of the five overrunning attempts answers within this many seconds: they
#: take 5 bounds (0.5 s), plus at most 15 s of back-off for a runtime that ignores
#: ``first_delay`` 0 (RUN-004.10: 1, 2, 4, 8 s after an overrun), while a runtime that
#: waits for each nap to return cannot answer before five naps have been slept, 25 s, on
#: any machine (a sleep lasts at least its length). So the line sits at that physical
#: bound of the wrong behaviour, not at a guess of how fast a correct runtime is: load
#: cannot cross it.
ANSWER_WITHIN = ATTEMPTS * NAP_MS / 1000


@pytest.mark.req("RUN-018.2", "ADP-015", "ADP-014")
def test_a_counter_above_a_busy_pair_is_not_starved(impl: Implementation, tmp_path: Path) -> None:
    """The busy pair F < E and a counter C > E, sent one ``inc`` before each bounded
    ``rt-run``: C steps in every run, before either of F and E steps a third time."""
    rt = _open(impl, tmp_path)
    fan, echo = _ping_pair(impl, rt)
    for nonce in range(64):
        state = {"c": f"{nonce:02x}"}
        counter = str(
            call_ok(impl, "RUN-018.2", "rt-genesis", runtime=rt, actor="counter", state=state)[
                "actor"
            ]
        )
        if counter > echo:
            break
    else:  # pragma: no cover - 2**-64
        pytest.fail("no counter above the echo in 64 tries")
    call_ok(impl, "RUN-018.2", "rt-send", runtime=rt, to=counter, mt="inc", content={"blob": ""})
    for turn in range(1, 5):
        answer = call_ok(impl, "RUN-018.2", "rt-run", runtime=rt, max_steps=7)
        actors = [a for a, _ in answer["steps"]]
        check(
            "RUN-018.2",
            counter in actors,
            expected=f"run {turn}: the counter (id above both busy actors), which had work, "
            f"stepped among {actors}: the busy pair does not starve it",
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
        check_equal("RUN-018.2", turn, _count(impl, rt, counter), "the count")
        call_ok(
            impl, "RUN-018.2", "rt-send", runtime=rt, to=counter, mt="inc", content={"blob": ""}
        )


@pytest.mark.req("RUN-005.7", "RUN-005.6", "RUN-004.3", "WIT-030.1")
def test_an_overrun_fails_when_the_bound_passes(impl: Implementation, tmp_path: Path) -> None:
    """``time_limit`` = 0.1 s, a nap of 5000 ms: each of the five attempts fails at its
    bound, so the ``rt-run`` that marks the actor failed answers well before five naps."""
    opened = call_ok(
        impl, "RUN-005.7", "rt-open", path=str(tmp_path), time_limit=BOUND, first_delay=0
    )
    rt = str(opened["runtime"])
    actor = str(call_ok(impl, "RUN-005.7", "rt-genesis", runtime=rt, actor="sleepy")["actor"])
    call_ok(impl, "RUN-005.7", "rt-run", runtime=rt, max_steps=10)  # its genesis step: no nap yet
    nap = str(NAP_MS).encode().hex()
    call_ok(impl, "RUN-005.7", "rt-send", runtime=rt, to=actor, mt="nap", content={"blob": nap})
    started = time.monotonic()
    # the wrong behaviour takes five naps in this rt-run: waited for (ADP-012.1), so that
    # it shows as the overrun it is, not as a hung adapter
    run = ok_answer(
        impl.call_taking(ANSWER_WITHIN + 5, "rt-run", runtime=rt, max_steps=10), "RUN-005.7"
    )
    took = time.monotonic() - started
    check_equal(
        "RUN-005.6",
        [[actor, "failed"]],
        run["failures"],
        f"a nap of {NAP_MS} ms overruns a bound of {BOUND} s on every attempt: {run}",
    )
    check_equal("RUN-005.7", [[actor, "failed"]] * ATTEMPTS, run["attempts"], "rt-run's attempts")
    check(
        "RUN-005.7",
        took < ANSWER_WITHIN,
        expected=f"less than {ANSWER_WITHIN}",
        came=took,
        what=f"the {ATTEMPTS} overrunning attempts took {took:.2f} s: each must fail when its "
        f"bound of {BOUND} s passes, not when its nap of {NAP_MS} ms returns",
    )


#: RUN-004.10: the least back-off before the four retries of an overrunning transition
#: under the default first delay (10 ms, doubling): 100 times 10 + 20 + 40 + 80 ms.
OVERRUN_BACKOFF = 15.0


@pytest.mark.req("RUN-004.10", "RUN-004.3")
def test_retries_after_an_overrun_wait_seconds(impl: Implementation, tmp_path: Path) -> None:
    """``time_limit`` = 0.1 s under the default first delay, a nap of 1200 ms: the
    ``rt-run`` that fails the five attempts cannot answer before the 15 s that RUN-004.10
    puts between them, while a runtime that retries after 10, 20, 40, 80 ms answers within
    about a second. The line is the least a correct runtime can take (it sleeps through
    the back-off), so no load can make a correct runtime cross it."""
    opened = call_ok(impl, "RUN-004.10", "rt-open", path=str(tmp_path), time_limit=BOUND)
    rt = str(opened["runtime"])
    actor = str(call_ok(impl, "RUN-004.10", "rt-genesis", runtime=rt, actor="sleepy")["actor"])
    call_ok(impl, "RUN-004.10", "rt-run", runtime=rt, max_steps=10)  # its genesis step: no nap yet
    nap = str(1200).encode().hex()
    call_ok(impl, "RUN-004.10", "rt-send", runtime=rt, to=actor, mt="nap", content={"blob": nap})
    started = time.monotonic()
    # a correct runtime sleeps through 15 s of back-off in this rt-run (ADP-012.1: the
    # answer limit is raised by that much for it)
    run = ok_answer(
        impl.call_taking(OVERRUN_BACKOFF + 5, "rt-run", runtime=rt, max_steps=10), "RUN-004.10"
    )
    took = time.monotonic() - started
    check_equal("RUN-004.10", [[actor, "failed"]] * ATTEMPTS, run["attempts"], "rt-run's attempts")
    check(
        ("RUN-004.3", "RUN-004.10"),
        took >= OVERRUN_BACKOFF,
        expected=f"at least {OVERRUN_BACKOFF}",
        came=took,
        what=f"the {ATTEMPTS} overrunning attempts were retried within {took:.2f} s: after an "
        f"overrun a retry waits 100 times RUN-004.3's delay, {OVERRUN_BACKOFF} s in all "
        "under the default first delay",
    )


@pytest.mark.slow
@pytest.mark.req("WIT-027.1", "RUN-004.10")
@pytest.mark.req("RUN-004.3")
def test_slows_overrun_backs_off_as_a_real_one(impl: Implementation, tmp_path: Path) -> None:
    """``slow`` (WIT-027) overruns every attempt, its genesis transition's included; a
    runtime may simulate the overrun, but the retries after it wait RUN-004.10's seconds
    all the same (WIT-027.1): under the default first delay the ``rt-run`` that fails its
    five attempts cannot answer before 15 s, where retries after RUN-004.3's delay alone
    (10, 20, 40, 80 ms) answer within a fraction of a second.  The line is the least a
    correct runtime takes, so no load makes one cross it."""
    rt = str(call_ok(impl, "WIT-027.1", "rt-open", path=str(tmp_path), time_limit=BOUND)["runtime"])
    actor = str(call_ok(impl, "WIT-027.1", "rt-genesis", runtime=rt, actor="slow")["actor"])
    started = time.monotonic()
    run = ok_answer(
        impl.call_taking(OVERRUN_BACKOFF + 5, "rt-run", runtime=rt, max_steps=10), "WIT-027.1"
    )
    took = time.monotonic() - started
    check_equal("WIT-027.1", [[actor, "failed"]] * ATTEMPTS, run["attempts"], "rt-run's attempts")
    check(
        ("RUN-004.3", "WIT-027.1", "RUN-004.10"),
        took >= OVERRUN_BACKOFF,
        expected=f"at least {OVERRUN_BACKOFF}",
        came=took,
        what=f"slow's {ATTEMPTS} overrunning attempts were retried within {took:.2f} s: a "
        "simulated "
        f"overrun is retried as a real one, after 100 times RUN-004.3's delay, "
        f"{OVERRUN_BACKOFF} s in all under the default first delay",
    )

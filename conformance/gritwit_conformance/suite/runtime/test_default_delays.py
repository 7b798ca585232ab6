"""Timing rules under their default delays (RUN-004.3, RUN-005.1).

Most runtime tests ask for no back-off (``rt-open``'s ``first_delay`` 0, ADP-015) so that
their failing runs are short; the overrun's back-off (RUN-004.10, WIT-027.1) was the only
delay tested at its default. Here ``rt-open`` gives neither ``first_delay`` nor
``time_limit``:

* a ``failing`` transition (WIT-024) is retried after 10, 20, 40 and 80 ms (RUN-004.3),
  so the ``rt-run`` that makes its five attempts cannot answer before 150 ms — a sleep
  lasts at least its length, so that line is physical and never scaled; and it is no
  overrun, so its retries do not wait RUN-004.10's seconds: it answers within a margin a
  correct runtime needs, scaled like every answer limit (``scaled``), where one that
  backs off every failure as an overrun takes 15 s at least;
* a transition well inside the default bound of 5 s (a ``sleepy`` nap of 2000 ms,
  WIT-030) is adopted (RUN-005.1, RUN-005.5); the configured bound's both sides are
  ``test_runtime_time_bound.py``'s.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import call_ok, check, check_equal, ok_answer

pytestmark = pytest.mark.profile("runtime")

#: RUN-004.3: attempts of a failing transition before its actor is marked failed.
ATTEMPTS = 5
#: RUN-004.3: the least back-off before the four retries under the default first delay,
#: 10 + 20 + 40 + 80 ms (a runtime may wait longer, never shorter).
BACKOFF = 0.150
#: The margin a correct runtime needs for five failing attempts and their 150 ms of
#: back-off, before scaling; RUN-004.10's 15 s after overruns lie far beyond it.
ANSWER_WITHIN = 3.0


@pytest.mark.req("RUN-004.3", "RUN-004.8", "RUN-004.10", "WIT-024", "ADP-015")
def test_a_failing_transition_backs_off_by_the_default_delays(
    impl: Implementation, tmp_path: Path
) -> None:
    runtime = str(call_ok(impl, "RUN-004.3", "rt-open", path=str(tmp_path))["runtime"])
    try:
        actor = str(
            call_ok(impl, "RUN-004.3", "rt-genesis", runtime=runtime, actor="failing")["actor"]
        )
        started = time.monotonic()
        # a runtime that backs off every failure as an overrun takes 15 s (RUN-004.10): its
        # answer is waited for, so that it shows as the wrong back-off it is (ADP-012.1)
        run = ok_answer(
            impl.call_taking(20.0, "rt-run", runtime=runtime, max_steps=10), "RUN-004.3"
        )
        took = time.monotonic() - started
        check_equal(
            "RUN-004.3", [[actor, "failed"]] * ATTEMPTS, run["attempts"], "rt-run's attempts"
        )
        check_equal("RUN-004.3", [[actor, "failed"]], run["failures"], "rt-run's failures")
        check(
            ("RUN-004.3", "RUN-004.8"),
            took >= BACKOFF,
            expected=f"at least {BACKOFF}",
            came=took,
            what=f"the {ATTEMPTS} attempts of a failing transition took {took:.3f} s: under the "
            "default first delay its retries wait 10, 20, 40 and 80 ms, 150 ms in all at "
            "least",
        )
        bound = scaled(ANSWER_WITHIN)
        check(
            ("RUN-004.3", "RUN-004.10"),
            took < bound,
            expected=f"less than {bound}",
            came=took,
            what=f"the {ATTEMPTS} attempts of a failing transition took {took:.2f} s, over "
            f"{bound:.1f} s: an ordinary failure is retried after RUN-004.3's delays "
            "(150 ms in all), not after an overrun's hundredfold wait",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


@pytest.mark.req("RUN-005.1", "RUN-005.5", "WIT-030.1", "ADP-015")
def test_a_transition_within_the_default_bound_is_adopted(
    impl: Implementation, tmp_path: Path
) -> None:
    opened = call_ok(impl, "RUN-005.1", "rt-open", path=str(tmp_path))
    runtime = str(opened["runtime"])
    try:
        actor = str(
            call_ok(impl, "RUN-005.1", "rt-genesis", runtime=runtime, actor="sleepy")["actor"]
        )
        call_ok(impl, "RUN-005.1", "rt-run", runtime=runtime, max_steps=10)  # its genesis: no nap
        nap = b"2000".hex()
        call_ok(
            impl, "RUN-005.1", "rt-send", runtime=runtime, to=actor, mt="nap", content={"blob": nap}
        )
        run = ok_answer(impl.call_taking(2.0, "rt-run", runtime=runtime, max_steps=10), "RUN-005.1")
        check_equal(
            ("RUN-005.1", "RUN-005.5"),
            [],
            run["failures"],
            "a nap of 2000 ms is well within the default bound of 5 s, so its attempt must "
            f"not fail for its time: {run}",
        )
        check_equal(
            ("RUN-005.1", "RUN-005.5"),
            [],
            run["attempts"],
            "a nap of 2000 ms is well within the default bound of 5 s, so its attempt must "
            f"not fail for its time: {run}",
        )
        check_equal(
            "RUN-005.1", [actor], [a for a, _ in run["steps"]], "the actors of rt-run's steps"
        )
    finally:
        impl.call("rt-close", runtime=runtime)

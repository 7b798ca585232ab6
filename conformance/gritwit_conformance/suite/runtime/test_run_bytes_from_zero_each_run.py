"""A run that reached ``max_run_bytes`` leaves the next run nothing to wait for (RUN-023.1,
RUN-023.2, RUN-005.5).

``max_run_bytes`` 1: every ``rt-run`` stops once its first step is adopted (RUN-023.3),
and the next counts from zero again (RUN-023.1), so it starts its transition (RUN-023.2).
The transitions here read a ``nap`` of a millisecond, which a runtime may run away from
its other work (RUN-005.6); a runtime that keeps anything of the earlier runs' steps as
uncounted holds the next run's transition back, and a transition held within its
attempt overruns its bound of 2 s. A transition of a millisecond is well inside it, so
no attempt may fail (RUN-005.5), run after run.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal

pytestmark = pytest.mark.profile("runtime")

#: The bound of a transition: far above a nap of 1 ms, far below a wait of seconds.
BOUND = 2.0
#: Runs of one nap each after the genesis run.
RUNS = 4


@pytest.mark.req("RUN-023.1", "RUN-023.2", "RUN-023.3", "RUN-005.5", "WIT-030.1", "ADP-015")
def test_each_run_under_a_one_byte_bound_adopts_its_nap_without_a_failed_attempt(
    impl: Implementation, tmp_path: Path
) -> None:
    # no back-off: an attempt that failed is retried at once, so a failing runtime is quick
    opened = call_ok(
        impl,
        "RUN-023.2",
        "rt-open",
        path=str(tmp_path),
        time_limit=BOUND,
        max_run_bytes=1,
        first_delay=0,
    )
    runtime = str(opened["runtime"])
    try:
        actor = str(
            call_ok(impl, "RUN-023.2", "rt-genesis", runtime=runtime, actor="sleepy")["actor"]
        )
        call_ok(impl, "RUN-023.2", "rt-run", runtime=runtime, max_steps=10)  # its genesis step
        for run_no in range(1, RUNS + 1):
            nap = b"1".hex()
            call_ok(
                impl, "RUN-023.2", "rt-send", runtime=runtime, to=actor, mt="nap",
                content={"blob": nap},
            )  # fmt: skip
            run = call_ok(impl, "RUN-023.2", "rt-run", runtime=runtime, max_steps=10)
            check_equal(
                ("RUN-005.5", "RUN-023.1", "RUN-023.2"),
                [],
                run["attempts"],
                f"run {run_no}: a nap of 1 ms is well within the bound of {BOUND} s, and a run "
                "counts its bytes from zero, so its one transition starts at once and no "
                f"attempt fails: {run}",
            )
            check_equal(
                ("RUN-023.1", "RUN-023.2"),
                [actor],
                [a for a, _ in run["steps"]],
                f"run {run_no}: the actors of rt-run's steps (each run adopts the nap's step)",
            )
    finally:
        impl.call("rt-close", runtime=runtime)


#: The nap of the attempts that overrun: longer than the bound, so each is given up.
LONG_NAP_MS = 1500


@pytest.mark.req("RUN-005.3", "RUN-004.9", "RUN-023.1", "RUN-023.2", "RUN-005.5", "ADP-015")
def test_overrun_attempts_given_up_count_nothing_toward_a_later_run(
    impl: Implementation, tmp_path: Path
) -> None:
    """``max_run_bytes`` 1. One ``sleepy`` naps 1500 ms under a bound of 1 s: its five
    attempts are given up as they overrun (RUN-005.3) and their naps end later, adopting
    nothing. Whatever those attempts would have built counts toward no run (RUN-004.9),
    so a second ``sleepy``'s nap of 1 ms, in a run after they ended, starts at once and
    is adopted without a failed attempt (RUN-023.1, RUN-005.5)."""
    opened = call_ok(
        impl,
        "RUN-023.2",
        "rt-open",
        path=str(tmp_path),
        time_limit=BOUND / 2,
        max_run_bytes=1,
        first_delay=0,
    )
    runtime = str(opened["runtime"])
    try:
        slow = str(
            call_ok(impl, "RUN-005.3", "rt-genesis", runtime=runtime, actor="sleepy")["actor"]
        )
        call_ok(impl, "RUN-005.3", "rt-run", runtime=runtime, max_steps=10)  # its genesis step
        quick = str(
            call_ok(
                impl, "RUN-023.2", "rt-genesis", runtime=runtime, actor="sleepy",
                state={"tag": b"quick".hex()},
            )["actor"]
        )  # fmt: skip
        call_ok(impl, "RUN-023.2", "rt-run", runtime=runtime, max_steps=10)  # its genesis step
        long_nap = str(LONG_NAP_MS).encode().hex()
        call_ok(
            impl, "RUN-005.3", "rt-send", runtime=runtime, to=slow, mt="nap",
            content={"blob": long_nap},
        )  # fmt: skip
        run = call_ok(impl, "RUN-005.3", "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            "RUN-005.3",
            [[slow, "failed"]],
            run["failures"],
            f"a nap of {LONG_NAP_MS} ms overruns a bound of {BOUND / 2} s at every attempt: {run}",
        )
        time.sleep(LONG_NAP_MS / 1000 + 1.0)  # the given-up naps have ended by now
        call_ok(
            impl, "RUN-023.2", "rt-send", runtime=runtime, to=quick, mt="nap",
            content={"blob": b"1".hex()},
        )  # fmt: skip
        run = call_ok(impl, "RUN-023.2", "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            ("RUN-005.5", "RUN-005.3", "RUN-023.1"),
            [],
            run["attempts"],
            f"a nap of 1 ms is well within the bound of {BOUND / 2} s, and the attempts given "
            "up before count toward nothing, so it starts at once and no attempt fails: "
            f"{run}",
        )
        check_equal(
            "RUN-023.2", [quick], [a for a, _ in run["steps"]], "the actors of rt-run's steps"
        )
    finally:
        impl.call("rt-close", runtime=runtime)

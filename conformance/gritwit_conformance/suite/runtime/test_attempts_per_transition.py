"""The attempts of RUN-004.3 are counted per transition, with several failing in one run.

RUN-004.3 retries a failing transition up to 5 attempts in total, and RUN-004.4 marks
its actor failed after the 5th. Every earlier test of the policy had one failing actor
in its run, so a runtime that counts failed attempts for the whole run (the 5th failure
of any actor marks the actor that made it) passed them. Here three ``failing`` actors
(three cores, three ids) fail in one ``rt-run``: each gets its own 5 attempts in its
turn (ADP-015), in ascending id order, and each is marked failed (a
rule counted "per" something is tested with more than one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal

pytestmark = pytest.mark.profile("runtime")

#: RUN-004.3: the attempts of a failing transition, in total.
ATTEMPTS = 5


@pytest.mark.req("RUN-004.3", "RUN-004.4", "ADP-015")
@pytest.mark.parametrize("count", [2, 3])
def test_each_failing_transition_gets_its_own_attempts(
    impl: Implementation, tmp_path: Path, count: int
) -> None:
    runtime = str(
        call_ok(impl, "RUN-004.3", "rt-open", path=str(tmp_path), first_delay=0)["runtime"]
    )
    try:
        actors = sorted(
            str(
                call_ok(
                    impl,
                    "RUN-004.3",
                    "rt-genesis",
                    runtime=runtime,
                    actor="failing",
                    state={"t": f"{i:02x}"},
                )["actor"]
            )
            for i in range(count)
        )
        check_equal("RUN-004.3", count, len(set(actors)), "distinct cores, distinct actors")
        run = call_ok(impl, "RUN-004.3", "rt-run", runtime=runtime, max_steps=10)
        want = [[a, "failed"] for a in actors for _ in range(ATTEMPTS)]
        check_equal(
            ("RUN-004.3", "ADP-015"),
            want,
            run["attempts"],
            f"{count} failing transitions in one run: each is retried up to {ATTEMPTS} "
            f"attempts of its own, in its turn, not {ATTEMPTS} for the "
            f"run: {run['attempts']}",
        )
        check_equal(
            "RUN-004.4",
            [[a, "failed"] for a in actors],
            run["failures"],
            f"each actor is marked failed after its own 5th attempt: {run}",
        )
    finally:
        impl.call("rt-close", runtime=runtime)

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

pytestmark = pytest.mark.profile("runtime")

#: RUN-004.3: the attempts of a failing transition, in total.
ATTEMPTS = 5


@pytest.mark.req("RUN-004.3", "RUN-004.4", "ADP-015")
@pytest.mark.parametrize("count", [2, 3])
def test_each_failing_transition_gets_its_own_attempts(
    impl: Implementation, tmp_path: Path, count: int
) -> None:
    runtime = str(impl.call("rt-open", path=str(tmp_path), first_delay=0).expect_ok()["runtime"])
    try:
        actors = sorted(
            str(
                impl.call(
                    "rt-genesis", runtime=runtime, actor="failing", state={"t": f"{i:02x}"}
                ).expect_ok()["actor"]
            )
            for i in range(count)
        )
        assert len(set(actors)) == count, "distinct cores, distinct actors"
        run = impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()
        want = [[a, "failed"] for a in actors for _ in range(ATTEMPTS)]
        assert run["attempts"] == want, (
            f"{count} failing transitions in one run: each is retried up to {ATTEMPTS} "
            f"attempts of its own, in its turn (RUN-004.3, ADP-015), not {ATTEMPTS} for the "
            f"run: {run['attempts']}"
        )
        assert run["failures"] == [[a, "failed"] for a in actors], (
            f"each actor is marked failed after its own 5th attempt (RUN-004.4): {run}"
        )
    finally:
        impl.call("rt-close", runtime=runtime)

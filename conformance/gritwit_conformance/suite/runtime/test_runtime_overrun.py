"""An overrunning transition fails alone: the other actors keep running (RUN-005.3, RUN-005.4).

``slow`` never returns (WIT-027); with a short ``time_limit`` each attempt of its
transition overruns and fails, and after the last attempt it is marked failed
(RUN-004). Meanwhile every other actor with pending messages must run in the same
``rt-run`` — whether its id sorts before or after ``slow``'s in the rounds of
ADP-014 — so eight counters, each sent one ``inc``, all count 1 after one call.
Every answer is also compared with the in-process reference fed the same commands.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import check, check_equal
from ._drive import SideBySide

pytestmark = pytest.mark.profile("runtime")

#: ``slow``'s runtime's bound: every counter's transition must end within it (at most),
#: so it is scaled like the answer limits (``_state.scaled``); ``slow`` overruns any bound.
BOUND = 0.2


@pytest.mark.smoke
@pytest.mark.req("RUN-005.4", "RUN-005.3", "WIT-027.2")
def test_other_actors_run_while_one_overruns(impl: Implementation, tmp_path: Path) -> None:
    both = SideBySide(impl, tmp_path, clause="RUN-005.4")
    try:
        # no back-off: slow's overruns would be retried after seconds (RUN-004.10)
        both.open_with("a", time_limit=scaled(BOUND), first_delay=0)
        slow = both("a", "rt-genesis", actor="slow")["actor"]
        counters = [
            both("a", "rt-genesis", actor="counter", state={"n": f"{n:02x}"})["actor"]
            for n in range(8)
        ]
        value = any(c > slow for c in counters)
        check(
            "RUN-005.4",
            value,
            expected="a value, not empty",
            came=value,
            what="the counters' ids fall on both sides of slow's (a fixed property of these cores)",
        )
        value = any(c < slow for c in counters)
        check(
            "RUN-005.4",
            value,
            expected="a value, not empty",
            came=value,
            what="the counters' ids fall on both sides of slow's (a fixed property of these cores)",
        )
        for counter in counters:
            both("a", "rt-send", to=counter, mt="inc", content={"blob": ""})
        run = both("a", "rt-run", max_steps=100)
        check_equal(
            "RUN-005.4", [slow], [a for a, _ in run["failures"]], "the actors of rt-run's failures"
        )
        for counter in counters:
            count = bytes.fromhex(both("a", "rt-query", actor=counter, name="count")["data"])
            check_equal(
                "RUN-005.4",
                b"1",
                count,
                f"counter {counter} (after slow in the rounds: {counter > slow}) did not run "
                f"while slow overran: count",
            )
    finally:
        both.kill()

"""Timers survive a kill of the adapter and fire once after it (TIM-003.2, TIM-003.5, TIM-006.2).

The harness kills the adapter (SIGKILL for a process; the in-process reference is
dropped without closing) and opens the same directory again on a later clock: a restart
(ADP-015) must recover the timers pending from the store alone, fire each exactly once,
and fire one that fell due while it was down with the time it fired.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._clocked import Clocked

pytestmark = pytest.mark.profile("services")

START = 1_000_000


@pytest.mark.req("TIM-006.2", "TIM-003.5", "TIM-003.2")
def test_timers_pending_at_a_kill_fire_once_after_the_restart(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    requests = [rt.set(alarm, after=str(1000 * (i + 1)), content=bytes([i])) for i in range(4)]
    rt.clock(advance=1000)
    rt.run()  # the first fires before the kill
    before = rt.timers(alarm)
    check_equal("TIM-006.2", requests[1:], [t["id"] for t in before], "pending before the kill")
    impl.kill()
    rt.open(START + 2500)  # down past the second timer
    check_equal("TIM-006.2", before, rt.timers(alarm), "pending after the restart, before a run")
    rt.run()
    rt.clock(advance=10_000)
    rt.run()
    impl.kill()
    rt.open(START + 100_000)
    rt.run()
    fired = rt.fired(alarm)
    check_equal("TIM-003.2", requests, [m.headers["timer-id"] for m in fired], "fires, each once")
    times = [(m.headers["timer-set-for"], m.headers["timer-fired-at"]) for m in fired]
    want = [
        (str(START + 1000), str(START + 1000)),
        (str(START + 2000), str(START + 2500)),
        (str(START + 3000), str(START + 12_500)),
        (str(START + 4000), str(START + 12_500)),
    ]
    check_equal("TIM-003.5", want, times, "each timer's set-for and fired-at")
    check_equal("TIM-006.2", [], rt.timers(alarm), "pending at the end")


@pytest.mark.req("TIM-002.3", "TIM-006.2", "TIM-003.2")
def test_a_request_sent_before_a_kill_is_set_after_it(impl: Implementation, tmp_path: Path) -> None:
    """The request is adopted with the alarm's step; the timer service may not have read
    it before the kill: after the restart it reads it, once. The run that adopts the
    alarm's step is bounded to that one step, so it may end (ADP-015) before a timer pass
    reads the request: then only the restarted runtime can set it."""
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    request = rt.set(alarm, after="500", max_steps=1)
    check(
        "TIM-002.3",
        request,
        expected="the alarm's adopted step to hold a request for the timer party",
        came="no outbox entry for the timer party",
    )
    impl.kill()
    rt.open(START + 400)
    rt.run()
    pending = rt.timers(alarm)
    check_equal(
        "TIM-002.3",
        [request],
        [t["id"] for t in pending],
        "timers after the restart: the request adopted before the kill is set",
    )
    # Set for its time of acceptance plus 500 ms: before the kill or after it (TIM-002.4).
    rt.clock(set=int(pending[0]["set_for"]))
    rt.run()
    rt.clock(advance=100)
    rt.run()
    check_equal("TIM-003.2", [request], [m.headers["timer-id"] for m in rt.fired(alarm)], "fires")

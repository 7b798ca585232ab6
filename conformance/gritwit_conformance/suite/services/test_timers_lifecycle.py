"""Cancel, list, fork, revert and bundle with timers pending (TIM-005, TIM-007).

The expected answers follow from the clauses: a cancel by the setter removes the timer
and one by anyone else changes nothing (TIM-005.1); a fork's first step has no outbox
(RUN-008.5), so the child has no timer and the parent's still fire to the parent
(TIM-007.1); a revert keeps what the reverted steps sent (RUN-024.4), so a timer they
set stays set (TIM-007.2); an import takes the actor's requests as read (TIM-007.3), so
the importing store sets none of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._clocked import TIMER, Clocked

pytestmark = pytest.mark.profile("services")

START = 1_000_000


@pytest.mark.req("TIM-005.1", "TIM-005.2")
def test_the_setter_cancels_a_timer_and_no_one_else_can(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm, other = rt.alarm("a"), rt.alarm("b")
    first, second = rt.set(alarm, after="100"), rt.set(alarm, after="200")
    rt.ask(other, {"mt": "timer-cancel", "timer-id": first})  # not its own: no change
    rt.ask(alarm, {"mt": "timer-cancel", "timer-id": second})
    rt.ask(alarm, {"mt": "timer-cancel", "timer-id": second})  # again: no change, no answer
    check_equal("TIM-005.2", [first], [t["id"] for t in rt.timers(alarm)], "pending after")
    rt.clock(advance=1000)
    rt.run()
    check_equal("TIM-005.1", [first], [m.headers["timer-id"] for m in rt.fired(alarm)], "fires")
    check_equal("TIM-005.1", [], rt.sent_to(other), "what the other alarm got")


@pytest.mark.req("TIM-007.1")
def test_a_fork_copies_no_timer_and_the_parents_fire_to_the_parent(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    request = rt.set(alarm, after="100")
    step = rt.head(alarm)
    child = str(rt.ok("RUN-008", "rt-fork", actor=alarm, step=step)["actor"])
    rt.run()
    check_equal("TIM-007.1", [], rt.timers(child), "the child's timers")
    check_equal("TIM-007.1", [request], [t["id"] for t in rt.timers(alarm)], "the parent's")
    rt.clock(advance=100)
    rt.run()
    check_equal("TIM-007.1", [], rt.sent_to(child), "what the timer party sent the child")
    check_equal("TIM-007.1", None, rt.inbox_entry(TIMER, child), "the party's cursor for the child")
    check_equal("TIM-007.1", [request], [m.headers["timer-id"] for m in rt.fired(alarm)], "fires")


@pytest.mark.req("TIM-007.2")
def test_a_revert_keeps_the_timers_its_reverted_steps_set(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    first_step = rt.head(alarm)
    request = rt.set(alarm, after="100")
    rt.ok("RUN-024", "rt-revert", actor=alarm, step=first_step)
    rt.run()
    check_equal("TIM-007.2", [request], [t["id"] for t in rt.timers(alarm)], "pending")
    rt.clock(advance=100)
    rt.run()
    check_equal("TIM-007.2", [request], [m.headers["timer-id"] for m in rt.fired(alarm)], "fires")


@pytest.mark.req("TIM-007.3", "ADP-023.5")
def test_an_import_sets_none_of_the_actors_timers_and_the_exporter_fires_them(
    impl: Implementation, tmp_path: Path
) -> None:
    here = Clocked(impl, tmp_path / "here", START)
    alarm = here.alarm()
    fired_before = here.set(alarm, after="10")
    here.clock(advance=10)
    here.run()
    pending = here.set(alarm, after="100")
    bundle = here.ok("RUN-009", "rt-export", actor=alarm)["bundle"]
    there = Clocked(impl, tmp_path / "there", START)
    there.ok("RUN-009", "rt-import", bundle=bundle)
    there.run()
    check_equal("TIM-007.3", [], there.timers(alarm), "timers in the importing store")
    there.clock(advance=100_000)
    there.run()
    check_equal("TIM-007.3", [], there.fired(alarm), "fires in the importing store")
    entry = there.outbox_entry(alarm, TIMER)
    check_equal("TIM-007.3", entry, there.inbox_entry(TIMER, alarm), "the party's cursor there")
    here.clock(advance=100)
    here.run()
    check_equal(
        "TIM-007.3",
        [fired_before, pending],
        [m.headers["timer-id"] for m in here.fired(alarm)],
        "fires in the exporting store",
    )

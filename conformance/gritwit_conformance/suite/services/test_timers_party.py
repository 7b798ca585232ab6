"""The timer party's steps: under the id of TIM-001.1's core, chained, reading and sending as
any party's (TIM-001.1, TIM-001.4).

Every expected value comes from the clauses: the party's id is computed from its core
(:data:`._clocked.TIMER`), a request's id is read from the alarm's outbox (TIM-002.2), a
fire's id from the party's outbox; the party's steps are read from the store by its head.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, fail
from ._clocked import TIMER, Clocked

pytestmark = pytest.mark.profile("services")

START = 1_000_000


def _step(rt: Clocked, head: str) -> g.Step:
    """The step ``head`` of the timer party, failing TIM-001.4 if it is not a step."""
    found = rt.obj(head)
    if not isinstance(found, g.Step):
        fail("TIM-001.4", expected=f"the timer party's head {head} to be a step", came=found)
    return found


def _hex(oid: g.ObjectId | None) -> str | None:
    return None if oid is None else oid.hex()


@pytest.mark.req("TIM-001.1", "TIM-001.4", "TIM-001.2")
def test_the_timer_party_steps_chain_under_the_id_of_its_core(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    request = rt.set(alarm, after="100")
    first = rt.head(TIMER)
    if first is None:
        fail(
            "TIM-001.1",
            expected=f"a head for the timer party {TIMER.hex()} (TIM-001.1's core) once it "
            "read a request",
            came="no head for that id",
        )
    step = _step(rt, first)
    check_equal("TIM-001.4", TIMER.hex(), step.actor.hex(), "the actor of the party's first step")
    check_equal("TIM-001.4", None, _hex(step.previous), "the previous of the party's first step")
    check_equal(
        "TIM-001.4", request, rt.inbox_entry(TIMER, alarm), "the party's inbox entry for the alarm"
    )
    check_equal(
        "TIM-001.2",
        request,
        rt.outbox_entry(alarm, TIMER),
        "the alarm's outbox entry for the timer party once the party read it",
    )
    rt.clock(advance=100)
    rt.run()
    second = rt.head(TIMER)
    if second is None or second == first:
        fail(
            "TIM-001.4",
            expected="a second step of the timer party: the one that fired the timer",
            came=f"the head {second}",
        )
    fire = _step(rt, second)
    check_equal("TIM-001.4", TIMER.hex(), fire.actor.hex(), "the actor of the party's second step")
    check_equal("TIM-001.4", first, _hex(fire.previous), "the previous of the party's second step")
    fired = rt.fired(alarm)
    check_equal("TIM-001.4", 1, len(fired), "fires the party sent for the one timer")
    check_equal(
        "TIM-001.4",
        fired[0].id,
        rt.outbox_entry(TIMER, alarm),
        "the party's outbox entry for the alarm after the fire",
    )

"""The bounds of TIM-004 a runtime applies when ``rt-open`` names none are the clauses'
defaults (ADP-023.1): ``max_past`` 86 400 000 ms and ``max_delay`` 31 622 400 000 ms, each
judged at both edges, one millisecond apart (TIM-004.3, TIM-004.4).

Every expected refusal is TIM-004's: ``mt: timer-refused``, the request's id, the class
and the clause; a timer within ``max_past`` fires at once (TIM-004.3), one at ``max_delay``
is pending, set for its acceptance plus ``timer-after`` (TIM-002.4).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._clocked import TIMER, Clocked

pytestmark = pytest.mark.profile("services")

#: Late enough that a day before it is a time of its own.
START = 200_000_000
MAX_PAST = 86_400_000
MAX_DELAY = 31_622_400_000


def _refusal(request: str, error: str, clause: str) -> dict[str, str]:
    return {"mt": "timer-refused", "timer-id": request, "error": error, "clause": clause}


@pytest.mark.req("TIM-004.3", "ADP-023.1", "TIM-003.1")
def test_the_default_max_past_is_a_day(impl: Implementation, tmp_path: Path) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    early = rt.set(alarm, at=str(START - MAX_PAST - 1), mt="early")
    edge = rt.set(alarm, at=str(START - MAX_PAST), mt="edge")
    check_equal(
        "TIM-004.3",
        [_refusal(early, "timer-too-early", "TIM-004.3")],
        [m.headers for m in rt.refused(alarm)],
        "refusals of times a day and 1 ms, and a day, before now (max_past by default)",
    )
    check_equal(
        "TIM-004.3",
        [edge],
        [m.headers["timer-id"] for m in rt.fired(alarm)],
        "fires: the timer a day before now fires at once",
    )


@pytest.mark.req("TIM-004.4", "ADP-023.1", "TIM-002.4")
def test_the_default_max_delay_is_366_days(impl: Implementation, tmp_path: Path) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    late = rt.set(alarm, after=str(MAX_DELAY + 1), mt="late")
    edge = rt.set(alarm, after=str(MAX_DELAY), mt="edge")
    check_equal(
        "TIM-004.4",
        [_refusal(late, "timer-too-late", "TIM-004.4")],
        [m.headers for m in rt.refused(alarm)],
        "refusals of 366 days and 1 ms, and 366 days, after now (max_delay by default)",
    )
    check_equal(
        "TIM-004.4",
        [{"id": edge, "to": alarm, "mt": "edge", "set_for": START + MAX_DELAY}],
        rt.timers(alarm),
        "the timers pending: the one 366 days ahead",
    )


def _ask_many(rt: Clocked, alarm: str, count: int, after: str) -> None:
    """``count`` requests of ``alarm`` put in its queue, then one run reads them all."""
    description = {
        "tree": {
            "request": {
                "blob": "",
                "headers": {"mt": "timer-set", "timer-mt": "ring", "timer-after": after},
            },
            "content": {"blob": "00"},
        }
    }
    for _ in range(count):
        rt.ok("ADP-015", "rt-send", to=alarm, mt="timer", content=description)
    rt.run(max_steps=count + 10)


@pytest.mark.slow
@pytest.mark.req("TIM-004.2", "TIM-004.5", "ADP-023.1", "TIM-003.2")
def test_the_default_max_timers_and_max_fires_are_a_thousand(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    one, two = rt.alarm("one"), rt.alarm("two")
    _ask_many(rt, one, 1001, "10")
    last = rt.outbox_entry(one, TIMER)  # the 1001st request: the one past the bound
    check_equal(
        "TIM-004.2",
        [_refusal(last or "", "timer-limit", "TIM-004.2")],
        [m.headers for m in rt.refused(one)],
        "refusals of 1001 requests of one actor (max_timers 1000 by default)",
    )
    check_equal("TIM-004.2", 1000, len(rt.timers(one)), "the timers pending of the first alarm")
    _ask_many(rt, two, 1, "10")
    rt.clock(advance=10)  # 1001 timers due together, of two setters
    rt.run()
    fired = len(rt.fired(one)) + len(rt.fired(two))
    check_equal("TIM-004.5", 1000, fired, "fires in the second 1001 fell due in (max_fires 1000)")
    rt.clock(advance=1000)
    rt.run()
    fired = len(rt.fired(one)) + len(rt.fired(two))
    check_equal("TIM-004.5", 1001, fired, "fires once the next second came: every timer, once")

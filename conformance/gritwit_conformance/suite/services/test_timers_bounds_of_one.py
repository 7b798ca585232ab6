"""TIM-004's bounds at their least, one (ADP-023.1): ``max_timers`` 1 sets an actor's
first timer and refuses its second while the first is pending (TIM-004.2), and
``max_fires`` 1 fires one timer in each second of the clock, the first of a second
included, never none (TIM-004.5, TIM-003.1).

The expected answers follow from the clauses: a request is refused for ``timer-limit``
only if it would make more than ``max_timers`` timers of its actor pending, so an actor
with none pending is never refused for it; a timer due fires once the clock reads its
time (TIM-003.1), and the rate delays a fire only past ``max_fires`` fires in a second,
so with a bound of one, each second that finds a timer due fires one, in the order of
TIM-003.3.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._clocked import Clocked

pytestmark = pytest.mark.profile("services")

START = 1_000_000


@pytest.mark.req("TIM-004.2", "ADP-023.1", "TIM-002.5")
def test_max_timers_one_sets_a_first_timer_and_refuses_a_second(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START, max_timers=1)
    alarm = rt.alarm()
    first = rt.set(alarm, after="100")
    check_equal(
        "TIM-004.2",
        ([], [first]),
        (rt.refused(alarm), [t["id"] for t in rt.timers(alarm)]),
        "refusals and timers pending after an actor with none pending asked for one (max_timers 1)",
    )
    second = rt.set(alarm, after="200")
    check_equal(
        "TIM-004.2",
        [(second, "timer-limit", "TIM-004.2")],
        [
            (m.headers["timer-id"], m.headers["error"], m.headers["clause"])
            for m in rt.refused(alarm)
        ],
        "refusals after a second request while the first timer is pending (max_timers 1)",
    )
    rt.clock(advance=100)
    rt.run()
    third = rt.set(alarm, after="300")  # the first fired: none pending, room for one
    check_equal(
        "TIM-004.2",
        ([second], [third]),
        ([m.headers["timer-id"] for m in rt.refused(alarm)], [t["id"] for t in rt.timers(alarm)]),
        "refused requests and timers pending after a third request, once the first fired",
    )


@pytest.mark.req("TIM-004.5", "TIM-003.1", "ADP-023.1", "TIM-003.3")
def test_max_fires_one_fires_one_timer_in_each_second(impl: Implementation, tmp_path: Path) -> None:
    rt = Clocked(impl, tmp_path / "rt", START, max_fires=1)
    alarm = rt.alarm()
    made = [rt.set(alarm, after="1500", content=bytes([i])) for i in range(2)]
    order = sorted(made, key=bytes.fromhex)  # due together: by id (TIM-003.3)
    rt.clock(advance=2000)  # a second no pass has looked at yet, both timers due
    rt.run()
    check_equal(
        "TIM-004.5",
        order[:1],
        [m.headers["timer-id"] for m in rt.fired(alarm)],
        "fires in the first second that found two timers due (max_fires 1)",
    )
    rt.clock(advance=1000)
    rt.run()
    fired = rt.fired(alarm)
    check_equal(
        "TIM-004.5",
        (order, [START // 1000 + 2, START // 1000 + 3]),
        (
            [m.headers["timer-id"] for m in fired],
            [int(m.headers["timer-fired-at"]) // 1000 for m in fired],
        ),
        "every fire, once, and the seconds they fired in (max_fires 1)",
    )

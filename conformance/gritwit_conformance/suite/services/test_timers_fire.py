"""A timer fires at or after its time, once, with both times in the message (TIM-002, TIM-003).

Every expected value comes from the clauses: the fire's headers are TIM-003.1's, its
content the request's, its recipient the setter unless ``timer-to`` names another; the
clock is the harness's (ADP-023.1), so "at its time" is exact and "before its time" is one
millisecond short of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._clocked import TIMER, Clocked, blob_id

pytestmark = pytest.mark.profile("services")

START = 1_000_000


@pytest.mark.req(
    "TIM-001.2", "TIM-002.1", "TIM-002.2", "TIM-002.4", "TIM-003.1", "TIM-008.1", "ADP-023.3",
    "ADP-023.4", "TIM-002.3", "TIM-005.2",
)  # fmt: skip
def test_a_timer_fires_at_its_time_and_not_a_millisecond_before(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    request = rt.set(alarm, after="1500", content=b"tea")
    check(
        "TIM-002.3",
        request,
        expected="the alarm's step to hold a request in its outbox for the timer party",
        came="no outbox entry for the timer party",
    )
    check_equal("TIM-005.2", [{"id": request, "to": alarm, "mt": "ring", "set_for": START + 1500}],
                rt.timers(alarm), "rt-timers after the request was read")  # fmt: skip
    rt.clock(advance=1499)
    rt.run()
    check_equal("TIM-003.1", [], rt.fired(alarm), "fires at 1 ms before the timer's time")
    rt.clock(advance=1)
    rt.run()
    fired = rt.fired(alarm)
    want = {
        "mt": "ring",
        "timer-id": request,
        "timer-from": alarm,
        "timer-set-for": str(START + 1500),
        "timer-fired-at": str(START + 1500),
    }
    check_equal("TIM-003.1", [want], [m.headers for m in fired], "the fire's headers")
    check_equal("TIM-003.1", blob_id(b"tea"), fired[0].content, "the fire's content")
    check_equal(
        "TIM-003.1",
        fired[0].id,
        rt.inbox_entry(alarm, TIMER),
        "the alarm's inbox entry for the timer party after the run (delivered)",
    )
    check_equal("TIM-005.2", [], rt.timers(alarm), "rt-timers after the fire")


@pytest.mark.req("TIM-002.1", "TIM-003.1", "TIM-003.5")
def test_a_timer_at_a_time_fires_late_with_the_time_it_fired(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm, other = rt.alarm("a"), rt.alarm("b")
    request = rt.set(alarm, at=str(START + 10_000), to=other, mt="later")
    rt.clock(set=START + 25_000)
    rt.run()
    check_equal("TIM-003.1", [], rt.fired(alarm), "fires to the setter of a timer-to timer")
    got = [m.headers for m in rt.fired(other)]
    want = {
        "mt": "later",
        "timer-id": request,
        "timer-from": alarm,
        "timer-set-for": str(START + 10_000),
        "timer-fired-at": str(START + 25_000),
    }
    check_equal("TIM-003.5", [want], got, "a timer fired 15 s late to the actor timer-to names")


@pytest.mark.req("TIM-003.3", "TIM-003.2")
def test_timers_due_together_fire_once_each_by_time_then_id(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    made = [
        (START + after, rt.set(alarm, after=str(after), content=bytes([i])))
        for i, after in enumerate((300, 100, 300, 200, 100))
    ]
    rt.clock(advance=5000)
    rt.run()
    rt.clock(advance=5000)
    rt.run()
    want = [request for _, request in sorted(made, key=lambda m: (m[0], bytes.fromhex(m[1])))]
    check_equal(
        "TIM-003.3", want, [m.headers["timer-id"] for m in rt.fired(alarm)], "the fires in order"
    )


@pytest.mark.req("TIM-003.4", "TIM-003.1", "TIM-006.1")
def test_two_runtimes_fed_the_same_operations_adopt_the_same_steps(
    impl: Implementation, tmp_path: Path
) -> None:
    """The fire carries the harness's clock, never another: the alarm's step after it is a
    function of the operations alone (TIM-003.4, WIT-011)."""
    heads = []
    for name in ("one", "two"):
        rt = Clocked(impl, tmp_path / name, START)
        alarm = rt.alarm()
        rt.set(alarm, after="10")
        rt.clock(advance=10)
        rt.run()
        heads.append((alarm, rt.head(alarm), rt.fired(alarm)[0].headers["timer-fired-at"]))
        rt.close()
    check_equal("TIM-003.4", str(START + 10), heads[0][2], "timer-fired-at on the harness's clock")
    check_equal("TIM-003.4", heads[0], heads[1], "the alarm and its head in two runtimes")


@pytest.mark.req("TIM-001.3", "ADP-023.3", "TIM-003.1")
def test_the_timer_party_is_no_candidate_and_a_store_without_requests_has_no_head_for_it(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    echo = str(rt.ok("ADP-015", "rt-genesis", actor="echo")["actor"])
    rt.run()
    rt.ok("ADP-015", "rt-send", to=echo, mt="hi", content={"blob": "00"})
    rt.run()
    check_equal("ADP-023.3", None, rt.head(TIMER), "the timer party's head, no request sent")
    alarm = rt.alarm()
    rt.set(alarm, after="1")
    # The party has a head from its first step on: a second request is pending for a party
    # a runtime could now take for an actor, and must not (TIM-001.3).
    rt.set(alarm, after="1")
    rt.clock(advance=1)
    answer = rt.run()
    actors = {actor for actor, _ in answer["steps"]}
    check(
        "ADP-023.3",
        TIMER.hex() not in actors,
        expected="no timer step among rt-run's steps",
        came=answer["steps"],
    )
    failed = rt.ok("ADP-015", "rt-ref", name=f"names/failed/{TIMER.hex()}")["target"]
    check_equal("TIM-001.3", None, failed, "the timer party's failed mark")
    check_equal("TIM-003.1", 2, len(rt.fired(alarm)), "fires of two timers")


@pytest.mark.req("TIM-002.2", "TIM-005.1")
def test_two_actors_equal_first_requests_are_two_timers(
    impl: Implementation, tmp_path: Path
) -> None:
    """The first message of a queue has no ``previous``: two alarms' equal first requests
    are one message id, and still two timers, each its setter's (TIM-002.2)."""
    rt = Clocked(impl, tmp_path / "rt", START)
    one, two = rt.alarm("a"), rt.alarm("b")
    first, second = rt.set(one, after="100"), rt.set(two, after="100")
    check_equal("TIM-002.2", first, second, "the two requests' ids (equal messages)")
    check_equal("TIM-002.2", [first], [t["id"] for t in rt.timers(two)], "the second's timers")
    check_equal("TIM-002.2", [], rt.refused(two), "refusals of the second")
    rt.ask(one, {"mt": "timer-cancel", "timer-id": first})  # its own only (TIM-005.1)
    rt.clock(advance=100)
    rt.run()
    check_equal("TIM-005.1", [], rt.fired(one), "fires to the actor that cancelled")
    check_equal("TIM-002.2", [first], [m.headers["timer-id"] for m in rt.fired(two)], "fires")

"""The timer party's state is the store's: the step an import adopts in a new store has its
core there (TIM-001.4, TIM-007.3), a restarted runtime lists the timers pending from the
party's head whatever else ran meanwhile (TIM-006.2, TIM-005.2), and a runtime opened
without the harness's clock reads the time of day (TIM-006.1, ADP-023.1).

Every expected value comes from the clauses: the party's first core is TIM-001.1's (its
id the party's id, since no timer is pending, TIM-006.2), a timer's *set for* is its
acceptance plus ``timer-after`` (TIM-002.4), and the time of day is read here, around the
request, with a few seconds of slack for a loaded machine.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, fail, ok_answer
from ._clocked import TIMER, Clocked

pytestmark = pytest.mark.profile("services")

START = 1_000_000
#: Milliseconds the time of day may move between reading it here and the service reading it.
SLACK = 5_000


class _DayClock(Clocked):
    """A runtime opened without ``clock``: its timer service reads the time of day (ADP-023.1)."""

    def open(self, clock: int, **options: Any) -> None:
        reply = self.impl.call("rt-open", path=str(self.path), **options)
        self.handle = str(ok_answer(reply, "ADP-023.1")["runtime"])


@pytest.mark.req("TIM-007.3", "TIM-001.4", "TIM-006.2", "ADP-023.5", "TIM-001.1")
def test_an_import_into_a_new_store_adopts_a_party_step_whose_core_is_stored(
    impl: Implementation, tmp_path: Path
) -> None:
    here = Clocked(impl, tmp_path / "here", START)
    alarm = here.alarm()
    here.set(alarm, after="100")
    bundle = here.ok("RUN-009", "rt-export", actor=alarm)["bundle"]
    there = Clocked(impl, tmp_path / "there", START)
    check_equal("TIM-007.3", None, there.head(TIMER), "the timer party's head in a new store")
    there.ok("RUN-009", "rt-import", bundle=bundle)
    head = there.head(TIMER)
    if head is None:
        fail(
            "TIM-007.3",
            expected="a timer step adopted by the import (the actor has an outbox entry for "
            "the party)",
            came="no head for the timer party",
        )
    step = there.obj(head)
    if not isinstance(step, g.Step):
        fail("TIM-001.4", expected=f"the timer party's head {head} to be a step", came=step)
    check_equal("TIM-001.4", None, step.previous, "the previous of the party's first step")
    check_equal(
        "TIM-006.2", TIMER.hex(), step.core.hex(), "its core: TIM-001.1's, no timer pending"
    )
    core = there.obj(step.core.hex())  # objects first (TIM-001.4): the core is in the store
    check(
        "TIM-001.4",
        isinstance(core, g.Tree) and set(core.entries) == {"wit"},
        expected="the party's core in the importing store: a tree whose one entry is wit",
        came=core,
    )
    if not isinstance(core, g.Tree):  # checked above; narrows the type
        return
    wit = there.obj(core.entries["wit"].hex())
    check_equal(
        "TIM-001.1",
        (b"timer", {"runtime": "service"}),
        (wit.data, dict(wit.headers)) if isinstance(wit, g.Blob) else wit,
        "the core's wit blob in the importing store",
    )
    check_equal(
        "TIM-007.3",
        there.outbox_entry(alarm, TIMER),
        there.inbox_entry(TIMER, alarm),
        "the party's inbox entry for the actor",
    )


@pytest.mark.req("TIM-006.2", "TIM-005.2", "ADP-023.4", "ADP-023.1")
def test_a_restarted_runtime_lists_its_timers_after_other_runtimes_moved_on(
    impl: Implementation, tmp_path: Path
) -> None:
    """The listing is the head's table (TIM-005.2), read from the store alone (TIM-006.2),
    not from whatever the process last held: another runtime sets timers step after step
    before this one is opened again."""
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    first = rt.set(alarm, after="90000", mt="first")
    second = rt.set(alarm, after="80000", mt="second")
    rt.close()
    other = Clocked(impl, tmp_path / "other", START)
    busy = other.alarm()
    for i in range(6):  # six timer steps, each with a core of its own
        other.set(busy, after=str(1000 + i))
    check_equal("TIM-005.2", 6, len(other.timers(busy)), "the other runtime's timers pending")
    rt.open(START)
    want = [
        {"id": second, "to": alarm, "mt": "second", "set_for": START + 80_000},
        {"id": first, "to": alarm, "mt": "first", "set_for": START + 90_000},
    ]
    check_equal("TIM-005.2", want, rt.timers(alarm), "rt-timers after the restart")
    rt.clock(advance=80_000)
    rt.run()
    check_equal("TIM-006.2", [second], [m.headers["timer-id"] for m in rt.fired(alarm)], "fires")
    check_equal("TIM-005.2", want[1:], rt.timers(alarm), "rt-timers after the first fire")


@pytest.mark.req("TIM-006.1", "ADP-023.1", "TIM-002.4", "TIM-005.2")
def test_a_runtime_opened_without_a_clock_reads_the_time_of_day(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = _DayClock(impl, tmp_path / "rt", 0)
    alarm = rt.alarm()
    before = time.time_ns() // 1_000_000
    request = rt.set(alarm, after="600000", mt="later")
    after = time.time_ns() // 1_000_000
    timers = rt.timers(alarm)
    check_equal("TIM-005.2", [request], [t["id"] for t in timers], "the timers pending")
    set_for = timers[0]["set_for"]
    low, high = before + 600_000 - SLACK, after + 600_000 + SLACK
    check(
        "TIM-006.1",
        isinstance(set_for, int) and low <= set_for <= high,
        expected=f"set for 600000 ms after the time of day in ms since 1970 ({low} to {high})",
        came=set_for,
    )


@pytest.mark.req("TIM-004.2", "TIM-006.2", "ADP-023.1")
def test_a_restarted_runtime_counts_the_timers_pending_toward_max_timers(
    impl: Implementation, tmp_path: Path
) -> None:
    """The count of TIM-004.2 is of the timers pending in the party's head, whichever runtime
    set them: opened again, the runtime refuses a third timer of an actor with two and sets a
    second of an actor with one."""
    rt = Clocked(impl, tmp_path / "rt", START, max_timers=2)
    alarm, other = rt.alarm("a"), rt.alarm("b")
    kept = [rt.set(alarm, after="100"), rt.set(alarm, after="200")]
    mine = [rt.set(other, after="100")]  # another setter's one: room for one more
    rt.close()
    rt.open(START, max_timers=2)
    third = rt.set(alarm, after="300", content=b"third")
    refused = [m.headers for m in rt.refused(alarm)]
    want = {"mt": "timer-refused", "timer-id": third, "error": "timer-limit", "clause": "TIM-004.2"}
    check_equal("TIM-004.2", [want], refused, "answers to a third timer after the restart")
    check_equal("TIM-004.2", kept, [t["id"] for t in rt.timers(alarm)], "the timers pending")
    mine.append(rt.set(other, after="200"))
    check_equal(
        "TIM-004.2", [], rt.refused(other), "refusals of a second timer of an actor with one"
    )
    check_equal("TIM-004.2", mine, [t["id"] for t in rt.timers(other)], "its timers pending")


@pytest.mark.req("TIM-003.3", "TIM-006.2", "TIM-003.1", "ADP-023.1")
def test_timers_read_from_the_store_fire_in_the_order_of_their_times(
    impl: Implementation, tmp_path: Path
) -> None:
    """Eight timers whose times are in no relation to their ids, pending across a restart,
    fire one by one as the clock reaches each, in the order of TIM-003.3."""
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    afters = [7000, 2000, 5000, 1000, 8000, 3000, 6000, 4000]
    made = {rt.set(alarm, after=str(a), content=bytes([i])): a for i, a in enumerate(afters)}
    rt.close()
    rt.open(START)
    want: list[str] = []
    for request, after in sorted(made.items(), key=lambda m: m[1]):
        rt.clock(set=START + after)
        rt.run()
        want.append(request)
        fired = [m.headers["timer-id"] for m in rt.fired(alarm)]
        check_equal("TIM-003.3", want, fired, f"the fires once the clock read {START + after}")

"""``alarm`` queues a request only for a ``timer`` message whose tree has both a
``request`` blob and a ``content`` entry; one without either is read without effect:
nothing queued to the timer party, the actor not failed (TIM-008.1, WIT-028.4).

Every expected value comes from the clauses: the timer party's id from TIM-001.1's core,
and "read without effect" as WIT-028.4 says it, no send and no failed attempt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._clocked import TIMER, Clocked

pytestmark = pytest.mark.profile("services")

START = 1_000_000

#: A ``timer-set`` request's headers (TIM-002.1): what a whole description would queue.
SET = {"mt": "timer-set", "timer-mt": "ring", "timer-after": "10"}


@pytest.mark.req("TIM-008.1", "WIT-028.4", "TIM-008")
@pytest.mark.parametrize(
    "tree",
    [
        pytest.param({"request": {"blob": "", "headers": SET}}, id="no-content"),
        pytest.param({"content": {"blob": "77616b65"}}, id="no-request"),
    ],
)
def test_a_timer_message_without_request_or_content_is_read_without_effect(
    impl: Implementation, tmp_path: Path, tree: dict[str, object]
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    rt.ok("ADP-015", "rt-send", to=alarm, mt="timer", content={"tree": tree})
    ran = rt.run()
    check_equal(
        "WIT-028.4",
        ([], []),
        (ran["failures"], ran["attempts"]),
        "the run's failures and failed attempts (the alarm reads the message without effect)",
    )
    check_equal(
        "TIM-008.1",
        None,
        rt.outbox_entry(alarm, TIMER),
        "the alarm's outbox entry for the timer party (nothing queued)",
    )
    check_equal("TIM-008.1", [], rt.timers(alarm), "rt-timers of the alarm (no timer set)")

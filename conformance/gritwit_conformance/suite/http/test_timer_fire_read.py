"""A timer that fires at a service is read by its recipient before a settle answers
(TIM-003.1, HTTP-011.1).

The test actor ``alarm`` (TIM-008.1) asks for a timer 300 ms ahead. The service's timer
service fires it (TIM-003.1): the step of the timer party that removes it from the
timers pending (TIM-003.2, so ``GET /v1/actors/{actor}/timers`` lists it no more,
HTTP-007.10) queues the fire to ``alarm``. A settle after that must wait until the fire
was read (HTTP-011.1: messages routed from steps included): ``alarm`` reads every
message, the fire too, without effect but with a step (WIT-028.4), so its history then
holds one step more. A service whose timer steps left their recipients unmarked would
answer quiescent with the fire unread.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check, check_equal
from ._api import body_of, create, send, settle
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http")]

#: How far ahead the timer is set (ms).
AFTER_MS = 300
#: How long the fire may take to be adopted, at most (scaled).
FIRE_SECONDS = 10.0


def _steps(client: httpx.Client, actor: str) -> int:
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")
    steps = answer.get("steps") if isinstance(answer, dict) else None
    check(
        "HTTP-007.4",
        isinstance(steps, list),
        expected="an object with a list of steps",
        came=answer,
        what=f"the history of {actor}",
    )
    return len(steps) if isinstance(steps, list) else 0


def _timers(client: httpx.Client, actor: str) -> Any:
    answer = body_of(client.get(f"/v1/actors/{actor}/timers"), 200, "HTTP-007.10")
    return answer.get("timers") if isinstance(answer, dict) else answer


@pytest.mark.req("TIM-003.1", "HTTP-011.1", "TIM-008.1", "HTTP-007.10", "HTTP-007.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_fired_timer_is_read_by_its_recipient_before_settle_answers(
    services: Services,
) -> None:
    client = services.start().client
    alarm = create(client, test="alarm")["actor"]
    ask = {"mt": "timer-set", "timer-mt": "ring", "timer-after": str(AFTER_MS)}
    tree = {"request": {"blob": "", "headers": ask}, "content": {"blob": "03"}}
    send(client, alarm, {"tree": tree}, mt="timer")
    settle(client)
    before = _steps(client, alarm)
    began = time.monotonic()
    listed = _timers(client, alarm)
    while listed != [] and time.monotonic() - began < scaled(FIRE_SECONDS):
        time.sleep(0.1)
        listed = _timers(client, alarm)
    check(
        "TIM-003.1",
        listed == [],
        expected=f"no timer pending within {FIRE_SECONDS:.0f} s (scaled) of one set "
        f"{AFTER_MS} ms ahead: it fired",
        came=listed,
        what=f"GET /v1/actors/{alarm}/timers",
    )
    settle(client)
    check_equal(
        "HTTP-011.1",
        before + 1,
        _steps(client, alarm),
        "the steps of alarm's history once settle answered after its timer fired: one more, "
        "the step that read the fire",
    )

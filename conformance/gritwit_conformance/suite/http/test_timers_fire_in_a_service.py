"""A running service fires the timers its actors set, and the recipients read them
(HTTP-007.10, TIM-003.1, TIM-008.1).

The test actor ``alarm`` (TIM-008.1) asks the timer party for a timer; a service runs
the timer service (HTTP-007.10), so once the timer is due it fires: the timer party
queues its message to the actor (TIM-003.1), which the service's runtime then runs,
as it runs any message (RUN-006). Here ``alarm`` sets two timers a fraction of a second
ahead, each in its own request; within a few seconds of their due time each has fired
and been read: ``alarm``'s listing of pending timers is empty again, and its head moved
past the step that read the last request. A service that never looked at the timers
between its runs, or never ran what they sent, keeps the timers listed or the head
where it was.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check
from ._api import body_of, create, head_of, send, settle
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http")]

#: Milliseconds ahead the two timers are set: both due well within a second.
AFTER_MS = (200, 400)
#: Seconds within which, past their due time, both must have fired and been read (scaled).
FIRED_WITHIN = 10.0


def _set(client: Any, alarm: str, mt: str, after: int) -> None:
    """Have ``alarm`` ask for a timer (TIM-008.1)."""
    ask = {"mt": "timer-set", "timer-mt": mt, "timer-after": str(after)}
    tree = {"request": {"blob": "", "headers": ask}, "content": {"blob": mt.encode().hex()}}
    send(client, alarm, {"tree": tree}, mt="timer")


def _timers(client: Any, actor: str) -> Any:
    answer = body_of(client.get(f"/v1/actors/{actor}/timers"), 200, "HTTP-007.10")
    return answer.get("timers") if isinstance(answer, dict) else answer


@pytest.mark.req("HTTP-007.10", "TIM-003.1", "TIM-008.1", "RUN-006")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "CONV-004")  # its helpers' checks name them
def test_timers_an_actor_set_fire_and_are_read(services: Services) -> None:
    client = services.start().client
    alarm = str(create(client, test="alarm")["actor"])
    settle(client)
    for n, after in enumerate(AFTER_MS):
        _set(client, alarm, f"ring-{n}", after)
    settle(client)
    asked = head_of(client, alarm)
    deadline = time.monotonic() + max(AFTER_MS) / 1000 + scaled(FIRED_WITHIN)
    listed, head = _timers(client, alarm), asked
    while (listed != [] or head == asked) and time.monotonic() < deadline:
        time.sleep(0.1)
        listed, head = _timers(client, alarm), head_of(client, alarm)
    check(
        ("HTTP-007.10", "TIM-003.1"),
        listed == [],
        expected=f"no pending timer: both, set {list(AFTER_MS)} ms ahead, fired",
        came=listed,
        what=f"GET /v1/actors/{alarm}/timers within {FIRED_WITHIN:.0f} s (scaled) past due",
    )
    check(
        ("TIM-003.1", "RUN-006"),
        head is not None and head != asked,
        expected=f"alarm's head past {asked}, the step that read the requests: the fired "
        "timers' messages read",
        came=head,
        what=f"GET /v1/refs/heads/{alarm} once the timers fired",
    )

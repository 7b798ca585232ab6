"""``GET /v1/actors/{actor}/timers`` lists an actor's pending timers (HTTP-007.10).

The test actor ``alarm`` (TIM-008) sets two timers, an hour ahead and then half an hour
ahead; the listing must hold both, soonest first (TIM-003.3), each with its id (the id
of the request message, TIM-002.2, computed here from the request: the first of its
queue to the timer party has no ``previous``, the second names the first), the actor as
recipient, its ``timer-mt`` and a *set for* its ``timer-after`` past the time it was
sent; ``[]`` for an actor that set none.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check
from ._api import blob_id, body_of, create, message_id, send, settle
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http")]

#: How long the timer service may take to read a request, at most (scaled).
LISTED_SECONDS = 10.0
HOUR_MS = 3_600_000


def _set(client: Any, alarm: str, mt: str, after: int, data: bytes) -> dict[str, str]:
    """Have ``alarm`` ask for a timer (TIM-008.1); the request's headers."""
    ask = {"mt": "timer-set", "timer-mt": mt, "timer-after": str(after)}
    tree = {"request": {"blob": "", "headers": ask}, "content": {"blob": data.hex()}}
    send(client, alarm, {"tree": tree}, mt="timer")
    return ask


def _timers(client: Any, actor: str) -> Any:
    answer = body_of(client.get(f"/v1/actors/{actor}/timers"), 200, "HTTP-007.10")
    return answer.get("timers") if isinstance(answer, dict) else answer


@pytest.mark.req("HTTP-007.10", "TIM-005.2", "TIM-002.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "TIM-008.1")
def test_an_actors_pending_timers_are_listed_soonest_first(services: Services) -> None:
    client = services.start().client
    alarm = create(client, test="alarm")["actor"]
    none = _timers(client, alarm)
    check("HTTP-007.10", none == [], expected="[] for an actor that set no timer", came=none)
    sent_at = time.time() * 1000
    late = _set(client, alarm, "late", HOUR_MS, b"\x01")
    settle(client)
    soon = _set(client, alarm, "soon", HOUR_MS // 2, b"\x02")
    settle(client)
    late_id = message_id(blob_id(b"\x01"), late, None)
    soon_id = message_id(blob_id(b"\x02"), soon, late_id)
    began = time.monotonic()
    listed = _timers(client, alarm)
    while not (isinstance(listed, list) and len(listed) >= 2) and time.monotonic() - began < scaled(
        LISTED_SECONDS
    ):
        time.sleep(0.2)
        listed = _timers(client, alarm)
    read_at = time.time() * 1000
    rows = listed if isinstance(listed, list) else []
    came = [(t.get("id"), t.get("to"), t.get("mt")) if isinstance(t, dict) else t for t in rows]
    check(
        "HTTP-007.10",
        came == [(soon_id, alarm, "soon"), (late_id, alarm, "late")],
        expected="two timers, soonest first: (id, to, mt) "
        f"{[(soon_id, alarm, 'soon'), (late_id, alarm, 'late')]}",
        came=listed,
    )
    for row, after in zip(rows, (HOUR_MS // 2, HOUR_MS), strict=True):
        set_for = row.get("set_for")
        check(
            "HTTP-007.10",
            isinstance(set_for, int)
            and not isinstance(set_for, bool)
            and sent_at + after - 1000 <= set_for <= read_at + after + 1000,
            expected=f"set_for: ms since 1970, {after} ms past its sending "
            f"(from {sent_at + after:.0f} to {read_at + after:.0f})",
            came=set_for,
            what=f"the timer {row.get('mt')}",
        )

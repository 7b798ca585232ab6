"""A key's window at both edges, judged by the service that sent the messages (HTTP-005.3,
HTTP-005.4).

``test_key_window.py`` judges the window at a service started again, whose first look-up
walks the recipient's chain afresh. This one judges a service that keeps looking keys up
while the messages come: the keyed send, then messages in two batches with another keyed
send between them (a look-up half-way), then the same request again. Followed by 999
messages the key is among the latest 1,000 and found (200, the first message, nothing
sent); followed by 1,000 it has just left the window, and the same request is a new send
(202): found *exactly* when among the latest 1,000, so a service that keeps a key it has
seen once the window has passed it is caught, as one that forgets it too early is.
"""

from __future__ import annotations

import httpx
import pytest

from .._check import check, check_equal, describe
from ._api import body_of, counter, inc, object_of
from ._service import http as http
from ._service import services as services
from .test_key_window import WINDOW, _fill

pytestmark = pytest.mark.profile("http")


@pytest.mark.parametrize("after", [WINDOW - 1, WINDOW])
@pytest.mark.req("HTTP-005.3", "HTTP-005.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-005.7", "HTTP-009.1")
def test_a_key_leaves_the_window_at_the_service_that_saw_it(http: httpx.Client, after: int) -> None:
    actor = counter(http)
    first = inc(http, actor, 5, key="window-edge")
    half = after // 2
    _fill(http, actor, half - 1)
    inc(http, actor, 0, key="half-way")  # a look-up of the recipient's keys half-way
    last = _fill(http, actor, after - half)
    response = http.post(
        f"/v1/actors/{actor}/messages",
        json={"content": {"blob": b"5".hex()}, "mt": "inc"},
        headers={"Idempotency-Key": "window-edge"},
    )
    answer = body_of(response, response.status_code, "HTTP-005.3")
    if after < WINDOW:
        check(
            ("HTTP-005.3", "HTTP-005.4"),
            response.status_code == 200 and answer == {"message": first, "replayed": True},
            expected=f"200 {{message: {first}, replayed: true}}: a key followed by {after} "
            f"messages is among the latest {WINDOW} to the recipient",
            came=f"{response.status_code} {describe(answer)}",
        )
        probe = inc(http, actor, 0)
        check_equal(
            "HTTP-005.3",
            last,
            object_of(http, probe).get("previous"),
            "after the retry the outside's last message to the recipient (the retry sent none)",
        )
        return
    check(
        "HTTP-005.4",
        response.status_code == 202
        and isinstance(answer, dict)
        and answer.get("replayed") is False
        and answer.get("message") != first,
        expected=f"a new send, 202 with a new message: a key followed by {after} messages "
        f"is out of the latest {WINDOW}, though this service looked it up while it was in",
        came=f"{response.status_code} {describe(answer)}",
    )
    previous = object_of(http, str(answer.get("message"))).get("previous")
    check_equal("HTTP-005.4", last, previous, "the message the new send follows")

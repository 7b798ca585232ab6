"""Idempotency keys at both edges of each bound (HTTP-005.3, HTTP-005.4, HTTP-005.7).

``test_idempotency.py`` finds a key 999 messages back, inside the window. The window is
"the latest 1,000 messages sent from the outside to that recipient", and a key is found
*exactly* when a message among them carries it (HTTP-005.4): so a key 1,000 messages
back is found and one 1,001 back is not, and its request is sent again. Both are
checked in one history, warm and after a restart (a service that settles keys by the
store walks the chain again). The chain, and the window, end at the latest signal: a
key on that signal, and one after it, are found. A batch entry's ``key`` is "an
idempotency key as the header's": 1 and 255 characters are taken, 0 and 256 refused.

The 999 messages that push a key back are one batch (HTTP-005.7: chained as if sent one
by one), so the test costs a handful of requests, not a thousand.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .._check import check, check_equal, fail
from ._api import (
    body_of,
    count_of,
    counter,
    expect_error,
    inc,
    next_previous,
    object_of,
    send,
    settle,
)
from ._service import Services
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: How many of the latest messages to a recipient a key is found among (HTTP-005.3).
WINDOW = 1000


def _noops(client: httpx.Client, actor: str, count: int) -> str:
    """Send ``count`` ``noop`` messages to ``actor`` in one batch; the last one's id."""
    entries = [{"to": actor, "content": {"blob": ""}, "mt": "noop"}] * count
    answer = body_of(client.post("/v1/messages", json={"messages": entries}), 202, "HTTP-005.7")
    listed = answer.get("messages") if isinstance(answer, dict) else None
    if not (isinstance(listed, list) and len(listed) == count):
        fail(
            "HTTP-005.7",
            expected=f"a batch of {count} entries to answer {count} entries",
            came=answer,
        )
    return str(listed[-1]["message"])


@pytest.mark.parametrize("restart", [False, True], ids=["warm", "restarted"])
@pytest.mark.req("HTTP-005.4", "HTTP-005.3", "ADP-021.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-005.7", "HTTP-006.1")
@pytest.mark.req("HTTP-009.1", "HTTP-011.1")
def test_a_key_1000_back_is_found_and_one_1001_back_is_sent_again(
    services: Services, restart: bool
) -> None:
    """``outer`` then ``inner``, each keyed, then 999 more messages: ``inner`` is the
    1,000th latest message to the counter (found: 200, the first message, nothing sent)
    and ``outer`` the 1,001st (not found: 202, a new message after the last one)."""
    service = services.start()
    client = service.client
    actor = counter(client)
    outer = inc(client, actor, 1, key="outer")
    inner = inc(client, actor, 2, key="inner")
    last = _noops(client, actor, WINDOW - 1)
    if restart:
        service = services.restart(service)
        client = service.client
    again = inc(client, actor, 2, key="inner", status=200, rule="HTTP-005.4")
    check_equal(
        "HTTP-005.4",
        inner,
        again,
        "a key on the 1,000th latest message to the recipient is within the window; its "
        "retry answers that message",
    )
    sent = inc(client, actor, 1, key="outer", status=202, rule="HTTP-005.4")
    check(
        "HTTP-005.4",
        sent != outer,
        expected="a key on the 1,001st latest message to the recipient out of the window, "
        "its retry sent again",
        came=f"the old message {outer} (replayed)",
    )
    described = object_of(client, sent)
    check_equal(
        "HTTP-005.4",
        last,
        described.get("previous"),
        "the key's second message follows the last message sent",
    )
    check_equal(
        "HTTP-005.3",
        {"mt": "inc", "idempotency-key": "outer"},
        described.get("headers"),
        "the headers of the message sent again",
    )
    settle(client)
    check_equal(
        "HTTP-005.4",
        4,
        count_of(client, actor),
        "1 + 2 and the outer key's second send of 1",
    )


@pytest.mark.req("HTTP-005.4", "HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_key_on_the_latest_signal_and_after_it_is_found(http: httpx.Client) -> None:
    """The window ends *at* the latest signal (HTTP-005.4): the signal is in it, a key
    before it is not. Retried, the signal's key and the next message's key answer their
    messages; the key before the signal is sent again."""
    actor = counter(http)
    before = inc(http, actor, 1, key="before")
    # Read before the signal is sent: a signal supersedes every unread message before it
    # (WIT-005), so an inc still unread when the signal came would never count.
    settle(http)
    signal = send(http, actor, {"blob": ""}, mt="noop", signal=True, key="the-signal")
    after = inc(http, actor, 2, key="after")
    again = send(
        http,
        actor,
        {"blob": ""},
        mt="noop",
        signal=True,
        key="the-signal",
        status=200,
        rule="HTTP-005.4",
    )
    check_equal(
        "HTTP-005.4",
        signal,
        again,
        "the key of the latest signal is in the window; its retry answers the signal",
    )
    again = inc(http, actor, 2, key="after", status=200, rule="HTTP-005.4")
    check_equal("HTTP-005.4", after, again, "a key sent after the latest signal is found")
    again = inc(http, actor, 1, key="before", status=202, rule="HTTP-005.4")
    check(
        "HTTP-005.4",
        again != before,
        expected="a key sent before the latest signal not found",
        came=f"the old message {before} (found)",
    )
    settle(http)
    check_equal("HTTP-005.4", 4, count_of(http, actor), "1, 2, and 1 sent again")


def _entry(to: str, key: str) -> dict[str, Any]:
    return {"to": to, "content": {"blob": b"1".hex()}, "mt": "inc", "key": key}


@pytest.mark.parametrize("size", [1, 255])
@pytest.mark.req("HTTP-005.7", "HTTP-005.3")
@pytest.mark.inputs("largest")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-009.1")
def test_a_batch_key_of_1_or_255_characters_is_taken(http: httpx.Client, size: int) -> None:
    actor = counter(http)
    key = "k" * size
    answer = body_of(
        http.post("/v1/messages", json={"messages": [_entry(actor, key)]}), 202, "HTTP-005.7"
    )
    (listed,) = answer["messages"]
    headers = object_of(http, listed["message"]).get("headers")
    check_equal(
        ("HTTP-005.7", "HTTP-005.3"),
        {"mt": "inc", "idempotency-key": key},
        headers,
        f"the headers of a message sent by a batch entry keyed with {size} characters",
    )
    again = body_of(
        http.post("/v1/messages", json={"messages": [_entry(actor, key)]}), 202, "HTTP-005.7"
    )
    check_equal(
        "HTTP-005.7",
        [{"message": listed["message"], "replayed": True}],
        again["messages"],
        f"the batch made again with its {size}-character key replays",
    )


@pytest.mark.parametrize("size", [0, 256])
@pytest.mark.req("HTTP-005.7", "HTTP-005.3", "HTTP-003.3")
@pytest.mark.inputs("empty", "past-largest")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_a_batch_key_of_0_or_256_characters_is_400(http: httpx.Client, size: int) -> None:
    actor = counter(http)
    last = inc(http, actor)
    good = {"to": actor, "content": {"blob": ""}, "mt": "inc"}
    response = http.post("/v1/messages", json={"messages": [good, _entry(actor, "k" * size)]})
    expect_error(response, 400, "bad-request", f"HTTP-005.7, HTTP-005.3 (a {size}-character key)")
    check(
        "HTTP-005.7",
        next_previous(http, actor) == last,
        expected=f"the batch refused for its {size}-character key to send nothing",
        came="a message sent",
    )

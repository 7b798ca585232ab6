"""A batch of sends in one request: ``POST /v1/messages`` (HTTP-005.7).

The entries are sent in their order as one send from the outside, chained as if sent
one by one (WIT-004), so the suite computes every id; keyed entries follow HTTP-005.3 …
HTTP-005.5 as requests of their own would (a retried batch is replayed entry by entry);
one refused entry fails the whole request and sends nothing, which the next send's
``previous`` to each recipient shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .._check import check, check_equal, check_type
from ._api import (
    blob_id,
    body_of,
    count_of,
    counter,
    expect_error,
    genesis_id,
    inc,
    message_id,
    next_previous,
    object_of,
    settle,
)
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


def entry(to: str, amount: int, key: str | None = None, **more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"to": to, "content": {"blob": str(amount).encode().hex()}, "mt": "inc"}
    if key is not None:
        body["key"] = key
    return body | more


def batch(client: httpx.Client, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = client.post("/v1/messages", json={"messages": entries})
    answer = body_of(response, 202, "HTTP-005.7")
    check(
        "HTTP-005.7",
        isinstance(answer, dict) and set(answer) == {"messages"},
        expected="an object of messages alone",
        came=answer,
        what="a batch's answer",
    )
    listed = check_type("HTTP-005.7", answer["messages"], list, expected="a list of messages")
    check_equal(
        "HTTP-005.7",
        len(entries),
        len(listed),
        f"the number of messages a batch of {len(entries)} entries answers",
    )
    for item in listed:
        check(
            "HTTP-005.7",
            isinstance(item, dict) and set(item) == {"message", "replayed"},
            expected="an entry's answer of message and replayed",
            came=item,
            what="an entry of a batch's answer",
        )
    return list(listed)


def _two(http: httpx.Client) -> tuple[httpx.Client, str, str]:
    return http, counter(http, "a"), counter(http, "b")


@pytest.fixture
def two(http: httpx.Client) -> Callable[[], tuple[httpx.Client, str, str]]:
    """:func:`_two`, made inside the test that calls it: a service's wrong answer
    there fails the test instead of erroring its set-up."""
    return functools.partial(_two, http)


@pytest.mark.smoke
@pytest.mark.req("HTTP-005.7")
@pytest.mark.req("HTTP-002.1", "HTTP-006.1", "HTTP-011.1")
def test_a_batch_is_chained_in_order_and_delivered(
    two: Callable[[], tuple[httpx.Client, str, str]],
) -> None:
    client, a, b = two()
    listed = batch(client, [entry(a, 1), entry(b, 10), entry(a, 2), entry(a, 3)])
    first = message_id(blob_id(b"1"), {"mt": "inc"}, genesis_id(a))
    second = message_id(blob_id(b"2"), {"mt": "inc"}, first)
    expected = [
        first,
        message_id(blob_id(b"10"), {"mt": "inc"}, genesis_id(b)),
        second,
        message_id(blob_id(b"3"), {"mt": "inc"}, second),
    ]
    check_equal(
        "HTTP-005.7",
        expected,
        [m["message"] for m in listed],
        "the batch's messages: chained in entry order as if sent one by one",
    )
    check_equal(
        "HTTP-005.7",
        [False] * 4,
        [m["replayed"] for m in listed],
        "the replayed flags of a batch of new entries",
    )
    settle(client)
    check_equal(
        "HTTP-005.7",
        [6, 10],
        [count_of(client, a), count_of(client, b)],
        "the counts of a and b after the batch is delivered",
    )


@pytest.mark.req("HTTP-005.7", "HTTP-005.1")
@pytest.mark.req("HTTP-002.1")
def test_entries_take_signal_no_mt_and_trees(
    two: Callable[[], tuple[httpx.Client, str, str]],
) -> None:
    client, a, _ = two()
    entries: list[dict[str, Any]] = [
        {"to": a, "content": {"blob": ""}, "mt": "inc", "signal": True},
        {"to": a, "content": {"tree": {"x": {"blob": "00"}}}},
    ]
    signal, plain = (m["message"] for m in batch(client, entries))
    check_equal(
        "HTTP-005.7",
        None,
        object_of(client, signal).get("previous"),
        "the previous of a signal entry (a signal is not chained)",
    )
    described = object_of(client, plain)
    check_equal(
        "HTTP-005.7",
        {"previous": signal, "headers": {}},
        {"previous": described.get("previous"), "headers": described.get("headers")},
        "the entry after a signal (no mt): chained to the signal, no headers",
    )


@pytest.mark.req("HTTP-005.7", "HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-006.1", "HTTP-011.1")
def test_a_retried_batch_is_replayed_entry_by_entry(
    two: Callable[[], tuple[httpx.Client, str, str]],
) -> None:
    client, a, b = two()
    entries = [entry(a, 1, "k1"), entry(b, 2, "k2"), entry(a, 4)]
    first = batch(client, entries)
    again = batch(client, entries)
    check_equal(
        ("HTTP-005.7", "HTTP-005.3"),
        [m["message"] for m in first[:2]],
        [m["message"] for m in again[:2]],
        "the messages of the keyed entries of a retried batch (their first messages)",
    )
    check_equal(
        ("HTTP-005.7", "HTTP-005.3"),
        [True, True, False],
        [m["replayed"] for m in again],
        "the replayed flags of the retry (two keyed entries, one without a key)",
    )
    settle(client)
    check_equal(
        ("HTTP-005.7", "HTTP-005.3"),
        [9, 2],
        [count_of(client, a), count_of(client, b)],
        "the counts of a and b after a batch and its retry (a key delivered once)",
    )


@pytest.mark.req("HTTP-005.7", "HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-005.2")
def test_an_entry_finds_the_key_of_a_single_send(
    two: Callable[[], tuple[httpx.Client, str, str]],
) -> None:
    client, a, _ = two()
    single = inc(client, a, 5, key="once")
    listed = batch(client, [entry(a, 5, "once")])
    check_equal(
        ("HTTP-005.7", "HTTP-005.3"),
        [{"message": single, "replayed": True}],
        listed,
        "a batch's entry keyed as a single send before: the single send's message, replayed",
    )


def _nothing_sent(client: httpx.Client, lasts: dict[str, str], what: str) -> None:
    for actor, last in lasts.items():
        check_equal(
            "HTTP-005.7",
            last,
            next_previous(client, actor),
            f"the previous of the next send to {actor[:12]}… after a refused batch ({what}): "
            "the last message before it (the batch sent nothing)",
        )


Maker = Callable[[str, str], list[dict[str, Any]]]
#: Batches refused whole, each with a good entry first: (status, class, entries maker).
REFUSED: dict[str, tuple[int, str, Maker]] = {
    "bad-content": (400, "bad-request", lambda a, b: [entry(a, 1), {"to": b, "content": "x"}]),
    # neither an id nor a name (HTTP-015.1: a `to` is read as a path's {actor})
    "bad-to": (400, "invalid-ref-name", lambda a, b: [entry(a, 1), entry("AB" * 32, 1)]),
    "unknown-field": (400, "bad-request", lambda a, b: [entry(a, 1), entry(b, 1, color="red")]),
    "bad-key": (400, "bad-request", lambda a, b: [entry(a, 1), entry(b, 1, "a b")]),
    "long-key": (400, "bad-request", lambda a, b: [entry(a, 1), entry(b, 1, "k" * 256)]),
    "same-to-and-key": (400, "bad-request", lambda a, b: [entry(a, 1, "d"), entry(a, 2, "d")]),
    "missing-to": (400, "bad-request", lambda a, b: [entry(a, 1), {"content": {"blob": ""}}]),
}


@pytest.mark.parametrize("name", list(REFUSED))
@pytest.mark.req("HTTP-005.7", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_one_refused_entry_fails_the_whole_batch(
    two: Callable[[], tuple[httpx.Client, str, str]], name: str
) -> None:
    client, a, b = two()
    lasts = {a: inc(client, a), b: inc(client, b)}
    status, cls, make = REFUSED[name]
    response = client.post("/v1/messages", json={"messages": make(a, b)})
    expect_error(response, status, cls, f"HTTP-005.7 ({name})")
    _nothing_sent(client, lasts, name)


@pytest.mark.req("HTTP-005.7", "HTTP-005.5")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_a_conflicting_entry_is_409_and_sends_nothing(
    two: Callable[[], tuple[httpx.Client, str, str]],
) -> None:
    client, a, b = two()
    inc(client, a, 1, key="taken")
    lasts = {a: inc(client, a), b: inc(client, b)}
    response = client.post("/v1/messages", json={"messages": [entry(b, 1), entry(a, 2, "taken")]})
    expect_error(response, 409, "key-conflict", "HTTP-005.7 (an entry's key on other content)")
    _nothing_sent(client, lasts, "key-conflict")


@pytest.mark.parametrize("size", [0, 1001])
@pytest.mark.req("HTTP-005.7")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_a_batch_out_of_range_is_400(
    two: Callable[[], tuple[httpx.Client, str, str]], size: int
) -> None:
    client, a, _ = two()
    last = inc(client, a)
    response = client.post("/v1/messages", json={"messages": [entry(a, 1)] * size})
    expect_error(response, 400, "bad-request", f"HTTP-005.7 ({size} entries)")
    _nothing_sent(client, {a: last}, f"{size} entries")


@pytest.mark.req("HTTP-005.7")
@pytest.mark.req("HTTP-002.1", "HTTP-006.1", "HTTP-011.1")
def test_a_batch_of_1000_is_taken(two: Callable[[], tuple[httpx.Client, str, str]]) -> None:
    client, a, b = two()
    listed = batch(client, [entry(a if n % 2 else b, 1) for n in range(1000)])
    check_equal(
        "HTTP-005.7",
        1000,
        len({m["message"] for m in listed}),
        "the number of distinct messages a batch of 1000 entries answers",
    )
    settle(client)
    check_equal(
        "HTTP-005.7",
        [500, 500],
        [count_of(client, a), count_of(client, b)],
        "the counts of a and b after a batch of 1000 entries, 500 to each",
    )


@pytest.mark.parametrize(
    "body",
    [{}, {"messages": {}}, {"messages": "x"}, [], {"messages": [], "more": 1}],
    ids=["empty", "object", "text", "array", "unknown-field"],
)
@pytest.mark.req("HTTP-005.7", "HTTP-002.3")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_malformed_batch_body_is_400(http: httpx.Client, body: object) -> None:
    expect_error(http.post("/v1/messages", json=body), 400, "bad-request", "HTTP-005.7")

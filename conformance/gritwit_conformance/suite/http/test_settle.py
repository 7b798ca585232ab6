"""Waiting for the service: ``POST /v1/settle`` (HTTP-011).

``{"quiescent": true}`` only after a run that started after the request answered
quiescent: everything acknowledged before it has been read, messages routed from the
steps that read it included. Queries read heads and run nothing (WIT-017), so a count
read right after the answer shows whether the service had run every send. With a
transition that overruns (``slow``, WIT-027; retried for tens of seconds, RUN-004.10)
nothing can be quiescent soon, and a short ``timeout`` must answer ``false`` once it
has passed.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from ._api import body_of, count_of, counter, create, expect_error, inc, send, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


@pytest.mark.smoke
@pytest.mark.req("HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1")
def test_settle_waits_for_every_acknowledged_send(http: httpx.Client) -> None:
    actors = [counter(http, str(n)) for n in range(12)]
    for round_ in range(1, 4):
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda actor: inc(http, actor, 1), actors))
        settle(http)
        counts = [count_of(http, actor) for actor in actors]
        assert counts == [round_] * len(actors), (
            f"HTTP-011.1: settle answered quiescent after round {round_} of sends, yet the "
            f"counters count {counts}: it did not wait for a run that read them"
        )


@pytest.mark.req("HTTP-011.1", "HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_settle_waits_for_routed_messages(http: httpx.Client) -> None:
    """requester asks echo; echo replies; requester keeps the reply: three steps, two of
    them reading messages the steps sent (WIT-026, WIT-019)."""
    echo = create(http, test="echo")["actor"]
    requester = create(http, test="requester")["actor"]
    question = b"are you there"
    content = {"tree": {"to": {"blob": echo.encode().hex()}, "question": {"blob": question.hex()}}}
    send(http, requester, content, mt="ask")
    settle(http)
    answer = body_of(http.get(f"/v1/actors/{requester}/queries/answer"), 200, "HTTP-006.1")
    assert answer.get("data") == question.hex(), (
        f"HTTP-011.1: after settle the requester's answer is {answer}, not the question echo "
        "sent back: settle did not wait for routed messages"
    )


@pytest.mark.req("HTTP-011.1")
@pytest.mark.req("HTTP-004.2")
@pytest.mark.req("HTTP-002.1")
def test_settle_of_an_idle_service_is_quiescent(http: httpx.Client) -> None:
    settle(http)
    counter(http)
    settle(http)
    settle(http)


@pytest.mark.req("HTTP-011.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2")
def test_settle_answers_false_when_its_time_passes(http: httpx.Client) -> None:
    create(http, test="slow")
    wait = 0.5
    started = time.monotonic()
    response = http.post("/v1/settle", json={"timeout": wait}, timeout=scaled(30))
    elapsed = time.monotonic() - started
    answer = body_of(response, 200, "HTTP-011.2")
    assert answer == {"quiescent": False}, (
        f"HTTP-011.2: with a transition overrunning its bound, settle of {wait} s answers {answer}"
    )
    assert elapsed >= wait, f"HTTP-011.2: settle of {wait} s answered after {elapsed:.2f} s"
    assert elapsed < wait + scaled(10), f"HTTP-011.2: settle of {wait} s took {elapsed:.1f} s"


@pytest.mark.req("HTTP-011.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2")
def test_settle_of_zero_answers_at_once(http: httpx.Client) -> None:
    """``t`` = 0 is in range: the answer comes at once, whichever it is."""
    create(http, test="slow")
    started = time.monotonic()
    answer = body_of(http.post("/v1/settle", json={"timeout": 0}), 200, "HTTP-011.2")
    assert answer == {"quiescent": False}, f"HTTP-011.2: settle of 0 s with slow pending: {answer}"
    assert time.monotonic() - started < scaled(10)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"timeout": -1},
        {"timeout": 600.5},
        {"timeout": "5"},
        {"timeout": None},
        {"timeout": True},
        {"timeout": 1, "wait": 1},
        [1],
    ],
    ids=["missing", "negative", "over-600", "text", "null", "boolean", "unknown-field", "array"],
)
@pytest.mark.req("HTTP-011.1", "HTTP-002.3", "HTTP-003.1")
@pytest.mark.req("HTTP-003.2")
def test_a_malformed_settle_is_400(http: httpx.Client, body: object) -> None:
    expect_error(http.post("/v1/settle", json=body), 400, "bad-request", f"HTTP-011 ({body})")


@pytest.mark.parametrize("timeout", [0.001, 600, 1e-9])
@pytest.mark.req("HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
def test_settle_timeouts_in_range_are_taken(http: httpx.Client, timeout: float) -> None:
    response = http.post("/v1/settle", json={"timeout": timeout}, timeout=scaled(60))
    answer = body_of(response, 200, "HTTP-011.1")
    assert answer in ({"quiescent": True}, {"quiescent": False}), f"HTTP-011: {answer}"

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

from .._check import check, check_equal, check_in
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
        check_equal(
            "HTTP-011.1",
            [round_] * len(actors),
            counts,
            f"the counters' counts once settle answered quiescent after round {round_} of "
            "sends: it waits for a run that read them",
        )


@pytest.mark.req("HTTP-011.1", "HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("HTTP-006.1")  # its checks name them too
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
    check_equal(
        "HTTP-011.1",
        question.hex(),
        answer.get("data"),
        "the requester's answer after settle: the question echo sent back, settle waits for "
        "routed messages",
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
    check_equal(
        "HTTP-011.2",
        {"quiescent": False},
        answer,
        f"settle of {wait} s with a transition overrunning its bound",
    )
    check(
        "HTTP-011.2",
        wait <= elapsed < wait + scaled(10),
        expected=f"an answer after {wait} s, the time asked for, not long after",
        came=f"an answer after {elapsed:.2f} s",
        what=f"settle of {wait} s",
    )


@pytest.mark.req("HTTP-011.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2")
def test_settle_of_zero_answers_at_once(http: httpx.Client) -> None:
    """``t`` = 0 is in range: the answer comes at once, whichever it is."""
    create(http, test="slow")
    started = time.monotonic()
    answer = body_of(http.post("/v1/settle", json={"timeout": 0}), 200, "HTTP-011.2")
    check_equal("HTTP-011.2", {"quiescent": False}, answer, "settle of 0 s with slow pending")
    took = time.monotonic() - started
    check(
        "HTTP-011.2",
        took < scaled(10),
        expected="an answer at once",
        came=f"an answer after {took:.2f} s",
        what="settle of 0 s",
    )


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
@pytest.mark.req("CONV-004")
def test_a_malformed_settle_is_400(http: httpx.Client, body: object) -> None:
    expect_error(http.post("/v1/settle", json=body), 400, "bad-request", f"HTTP-011 ({body})")


@pytest.mark.parametrize("timeout", [0.001, 600, 1e-9])
@pytest.mark.req("HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
def test_settle_timeouts_in_range_are_taken(http: httpx.Client, timeout: float) -> None:
    response = http.post("/v1/settle", json={"timeout": timeout}, timeout=scaled(60))
    answer = body_of(response, 200, "HTTP-011.1")
    check_in("HTTP-011.1", answer, ({"quiescent": True}, {"quiescent": False}), "settle's answer")

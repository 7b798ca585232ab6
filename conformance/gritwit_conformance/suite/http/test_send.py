"""Sending: ``POST /v1/actors/{actor}/messages`` (HTTP-005.1, HTTP-005.2), and running it
with no further request (HTTP-001.1).

The message a send builds is fixed (HTTP-005.1, as ``wit-send``: ADP-014): its content is
the described object, its headers ``{"mt": mt}``, and its ``previous`` the outside's last
message to the recipient for a queued send, none for a signal (WIT-004). So the suite
computes every message id and reads every object back. Concurrent sends to one actor
must each be acknowledged with a message of one chain, and each delivered once.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

import gritwit as g
from gritwit_conformance.harness._state import scaled

from .._check import check, check_equal, describe, fail
from ._api import (
    blob_id,
    body_of,
    core_of,
    count_of,
    counter,
    create,
    genesis_id,
    head_of,
    inc,
    message_id,
    object_of,
    send,
    settle,
)
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


@pytest.mark.smoke
@pytest.mark.req("HTTP-005.1", "HTTP-005.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "WIT-004")
def test_a_send_answers_202_and_the_message_id(http: httpx.Client) -> None:
    actor = counter(http)
    first = inc(http, actor, 5)
    expected = message_id(blob_id(b"5"), {"mt": "inc"}, genesis_id(actor))
    check_equal(
        "HTTP-005.1", expected, first, "the message an inc of 5 answers, chained onto the genesis"
    )
    second = send(http, actor, {"blob": b"7".hex()}, mt="inc")
    check_equal(
        ("HTTP-005.1", "WIT-004"),
        message_id(blob_id(b"7"), {"mt": "inc"}, first),
        second,
        "the message of a second queued send, chained onto the first",
    )
    described = object_of(http, second)
    check_equal(
        "HTTP-005.1",
        {"type": "message", "content": blob_id(b"7"), "headers": {"mt": "inc"}, "previous": first},
        described,
        "the stored message of the second send",
    )


@pytest.mark.req("HTTP-005.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "WIT-004")
def test_a_signal_has_no_previous_and_the_next_send_chains_onto_it(http: httpx.Client) -> None:
    actor = counter(http)
    signal = send(http, actor, {"blob": ""}, mt="inc", signal=True)
    check_equal(
        ("HTTP-005.1", "WIT-004"),
        message_id(blob_id(b""), {"mt": "inc"}, None),
        signal,
        "a signal's message: no previous",
    )
    queued = send(http, actor, {"blob": ""}, mt="inc", signal=False)
    check_equal(
        ("HTTP-005.1", "WIT-004"),
        signal,
        object_of(http, queued).get("previous"),
        "the previous of the queued send after a signal: the signal",
    )


@pytest.mark.req("HTTP-005.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_send_without_mt_has_no_headers(http: httpx.Client) -> None:
    actor = create(http, test="echo")["actor"]
    message = send(http, actor, {"blob": b"plain".hex()})
    described = object_of(http, message)
    check_equal(
        "HTTP-005.1", {}, described.get("headers"), "the headers of a message sent without mt"
    )
    check_equal(
        "HTTP-005.1",
        message_id(blob_id(b"plain"), {}, genesis_id(actor)),
        message,
        "the message of a send without mt",
    )


@pytest.mark.req("HTTP-005.1", "HTTP-002.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_tree_content_stores_every_object(http: httpx.Client) -> None:
    actor = create(http, test="echo")["actor"]
    content = {
        "tree": {
            "a": {"blob": b"alpha".hex()},
            "b": {"blob": b"beta".hex(), "headers": {"content-type": "text/plain"}},
            "sub": {"tree": {"c": {"blob": ""}}},
        }
    }
    sub = g.Tree(entries={"c": g.object_id(g.Blob(data=b""))})
    beta = g.Blob(data=b"beta", headers={"content-type": "text/plain"})
    tree = g.Tree(
        entries={
            "a": g.object_id(g.Blob(data=b"alpha")),
            "b": g.object_id(beta),
            "sub": g.object_id(sub),
        }
    )
    message = send(http, actor, content, mt="tree")
    check_equal(
        "HTTP-005.1",
        g.object_id(tree).hex(),
        object_of(http, message).get("content"),
        "the message's content: the described tree",
    )
    for obj in (tree, sub, beta, g.Blob(data=b"alpha"), g.Blob(data=b"")):
        stored = object_of(http, g.object_id(obj).hex(), "HTTP-005.1: a described object")
        check_equal(
            ("HTTP-005.1", "HTTP-002.2"),
            g.object_to_json(obj),
            stored,
            "a stored object of the described tree",
        )


@pytest.mark.smoke
@pytest.mark.req("HTTP-005.1", "HTTP-011.1", "HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1")
def test_sends_are_delivered_once_each(http: httpx.Client) -> None:
    actor = counter(http)
    for amount in (1, 2, 3, 4):
        inc(http, actor, amount)
    settle(http)
    check_equal(
        ("HTTP-005.1", "HTTP-001.1"),
        10,
        count_of(http, actor),
        "the count after four incs of 1 … 4, each delivered once",
    )


@pytest.mark.req("HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_send_runs_without_another_request(http: httpx.Client) -> None:
    """Nothing but the send itself: the suite only polls the query until it changes."""
    actor = counter(http)
    inc(http, actor, 9)
    deadline = time.monotonic() + scaled(30)
    count = 0
    while time.monotonic() < deadline:
        response = http.get(f"/v1/actors/{actor}/queries/count")
        if response.status_code == 200 and response.json() == 9:
            return
        if response.status_code == 200:
            count = response.json()
        time.sleep(0.05)
    fail(
        "HTTP-001.1",
        expected="the count 9 (the service runs what arrives)",
        came=f"the count {describe(count)} after {scaled(30):.0f} s",
        what="the count query after an acknowledged inc of 9 and no further request",
    )


@pytest.mark.req("HTTP-005.1", "HTTP-001.1")
@pytest.mark.req(
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-004.2",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-009.3",
    "HTTP-011.1",
    "WIT-004",
    "WIT-012.2",
)
@pytest.mark.req("CONV-004")
def test_messages_sent_before_the_genesis_wait_for_it(http: httpx.Client) -> None:
    actor = g.object_id(core_of("counter", {"n": b"early".hex()})).hex()
    early = inc(http, actor, 6)
    check_equal(
        ("HTTP-005.1", "WIT-004"),
        None,
        object_of(http, early).get("previous"),
        "the previous of the first send to an actor not yet created",
    )
    check_equal("WIT-012.2", None, head_of(http, actor), "the head of an actor without its genesis")
    answer = create(http, test="counter", state={"n": b"early".hex()})
    check_equal("HTTP-004.2", actor, answer["actor"], "the actor the creation answers")
    check_equal(
        ("HTTP-004.2", "WIT-004"),
        early,
        object_of(http, answer["message"]).get("previous"),
        "the previous of the genesis: the earlier send",
    )
    settle(http)
    check_equal(
        "HTTP-001.1", 6, count_of(http, actor), "the count of the inc of 6 sent before the genesis"
    )


@pytest.mark.req("HTTP-005.2", "HTTP-005.1", "HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-011.1", "WIT-004")
def test_concurrent_sends_make_one_chain_each_delivered(http: httpx.Client) -> None:
    """Sixteen sends at once: sixteen acknowledged messages, one chain (each one's
    ``previous`` another of them or the genesis, none shared), counted once each. A
    service may commit them together (RUN-003.4); it must not fork the chain."""
    actor = counter(http)
    genesis = genesis_id(actor)

    def one(amount: int) -> str:
        return inc(http, actor, amount)

    with ThreadPoolExecutor(max_workers=8) as pool:
        messages = list(pool.map(one, range(1, 17)))
    check_equal(
        "HTTP-005.2", 16, len(set(messages)), "the distinct messages 16 concurrent sends answer"
    )
    previous: dict[str, Any] = {m: object_of(http, m).get("previous") for m in messages}
    links = [str(p) for p in previous.values()]
    check(
        ("HTTP-005.1", "WIT-004"),
        len(set(links)) == 16 and set(links) <= {genesis, *messages},
        expected="one chain: each previous the genesis or another of the 16, none shared",
        came=previous,
        what="the previous of each of 16 concurrent sends",
    )
    settle(http)
    check_equal(
        ("HTTP-005.1", "HTTP-001.1"),
        sum(range(1, 17)),
        count_of(http, actor),
        "the count after 16 concurrent incs of 1 … 16, each delivered once",
    )


@pytest.mark.req("HTTP-005.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2")
def test_a_send_answer_names_a_stored_message(http: httpx.Client) -> None:
    """Durable when answered (RUN-019.1): the message is readable right away."""
    actor = counter(http)
    for _ in range(5):
        message = inc(http, actor)
        response = http.get(f"/v1/objects/{message}")
        body_of(response, 200, "HTTP-005.2: an acknowledged message is not in the store")

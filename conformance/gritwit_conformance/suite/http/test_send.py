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
    assert first == expected, f"HTTP-005.1: the send answers {first}, its message is {expected}"
    second = send(http, actor, {"blob": b"7".hex()}, mt="inc")
    assert second == message_id(blob_id(b"7"), {"mt": "inc"}, first), (
        "HTTP-005.1, WIT-004: a second queued send does not chain onto the first"
    )
    described = object_of(http, second)
    assert described == {
        "type": "message",
        "content": blob_id(b"7"),
        "headers": {"mt": "inc"},
        "previous": first,
    }, f"HTTP-005.1: the stored message is {described}"


@pytest.mark.req("HTTP-005.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "WIT-004")
def test_a_signal_has_no_previous_and_the_next_send_chains_onto_it(http: httpx.Client) -> None:
    actor = counter(http)
    signal = send(http, actor, {"blob": ""}, mt="inc", signal=True)
    assert signal == message_id(blob_id(b""), {"mt": "inc"}, None), (
        f"HTTP-005.1: a signal's message {signal} has a previous (WIT-004: it has none)"
    )
    queued = send(http, actor, {"blob": ""}, mt="inc", signal=False)
    assert object_of(http, queued)["previous"] == signal, (
        "HTTP-005.1, WIT-004: the outside's outbox entry did not become the signal"
    )


@pytest.mark.req("HTTP-005.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_send_without_mt_has_no_headers(http: httpx.Client) -> None:
    actor = create(http, test="echo")["actor"]
    message = send(http, actor, {"blob": b"plain".hex()})
    described = object_of(http, message)
    assert described["headers"] == {}, (
        f"HTTP-005.1: a send without mt builds a message with the headers {described['headers']}"
    )
    assert message == message_id(blob_id(b"plain"), {}, genesis_id(actor))


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
    assert object_of(http, message)["content"] == g.object_id(tree).hex(), (
        "HTTP-005.1: the message's content is not the described tree"
    )
    for obj in (tree, sub, beta, g.Blob(data=b"alpha"), g.Blob(data=b"")):
        stored = object_of(http, g.object_id(obj).hex(), "HTTP-005.1: a described object")
        assert stored == g.object_to_json(obj), f"HTTP-005.1: stored as {stored}"


@pytest.mark.smoke
@pytest.mark.req("HTTP-005.1", "HTTP-011.1", "HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1")
def test_sends_are_delivered_once_each(http: httpx.Client) -> None:
    actor = counter(http)
    for amount in (1, 2, 3, 4):
        inc(http, actor, amount)
    settle(http)
    assert count_of(http, actor) == 10, "HTTP-005.1: four incs of 1 … 4 do not count 10"


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
    raise AssertionError(
        f"HTTP-001.1: 30 s after an acknowledged inc of 9, with no further request, the "
        f"counter still counts {count}: the service does not run what arrives"
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
def test_messages_sent_before_the_genesis_wait_for_it(http: httpx.Client) -> None:
    actor = g.object_id(core_of("counter", {"n": b"early".hex()})).hex()
    early = inc(http, actor, 6)
    assert object_of(http, early)["previous"] is None
    assert head_of(http, actor) is None, "WIT-012.2: an actor without genesis got a step"
    answer = create(http, test="counter", state={"n": b"early".hex()})
    assert answer["actor"] == actor
    assert object_of(http, answer["message"])["previous"] == early, (
        "HTTP-004.2, WIT-004: the genesis does not chain onto the earlier send"
    )
    settle(http)
    assert count_of(http, actor) == 6, "HTTP-001.1: the send before the genesis was lost"


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
    assert len(set(messages)) == 16, f"HTTP-005.2: 16 sends answered {len(set(messages))} ids"
    previous: dict[str, Any] = {m: object_of(http, m)["previous"] for m in messages}
    links = [str(p) for p in previous.values()]
    assert len(set(links)) == 16 and set(links) <= {genesis, *messages}, (
        f"HTTP-005.1, WIT-004: concurrent sends do not form one chain: previous = {previous}"
    )
    settle(http)
    assert count_of(http, actor) == sum(range(1, 17)), (
        f"HTTP-005.1: 16 concurrent incs of 1 … 16 count {count_of(http, actor)}, not 136"
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

"""An actor's life over HTTP, continued: forks (HTTP-017), and what a history says of
each step, a revert's among them (HTTP-007.4, HTTP-007.6)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gritwit as g

from .._check import check, check_equal
from ._api import (
    blob_id,
    body_of,
    count_of,
    create,
    expect_error,
    genesis_id,
    inc,
    message_id,
    send,
    settle,
)
from ._service import http as http
from ._service import services as services
from .test_life import counted, named_counter, steps_of

pytestmark = pytest.mark.profile("http")

#: Every endpoint with an ``{actor}`` segment: (method, path, body).
ACTOR_PATHS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/actors/{a}", None),
    ("GET", "/v1/actors/{a}/history", None),
    ("GET", "/v1/actors/{a}/queries/count", None),
    ("POST", "/v1/actors/{a}/messages", {"content": {"blob": ""}, "mt": "noop"}),
    ("GET", "/v1/actors/{a}/bundle", None),
    ("DELETE", "/v1/actors/{a}/failed", None),
    ("GET", "/v1/actors/{a}/openapi.json", None),
    ("POST", "/v1/actors/{a}/revert", {"step": "ab" * 32}),
    ("POST", "/v1/actors/{a}/fork", {"step": "ab" * 32}),
]
PATH_IDS = [f"{method} {path.split('{a}')[1] or '/'}" for method, path, _ in ACTOR_PATHS]


# --- fork -------------------------------------------------------------------------------


@pytest.mark.req("HTTP-017.1", "HTTP-015.1")
@pytest.mark.req(
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-004.5",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-011.1",
    "RUN-008.5",
    "RUN-008.7",
)
@pytest.mark.req("HTTP-007.4", "HTTP-009.1", "HTTP-017.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_fork_continues_from_its_step_and_runs_on_its_own(http: httpx.Client) -> None:
    parent = named_counter(http, "parent")["actor"]
    settle(http)
    steps = counted(http, parent, 1, 2)  # newest first: counts [3, 1, 0]
    state = {"seed": b"child".hex()}
    response = http.post("/v1/actors/parent/fork", json={"step": steps[1], "state": state})
    answer = body_of(response, 201, "HTTP-017.1")
    check(
        "HTTP-017.1",
        set(answer) == {"actor"} and answer["actor"] != parent,
        expected=f"a fork's answer: the child actor alone, not the parent {parent}",
        came=answer,
    )
    child = answer["actor"]
    check_equal("HTTP-017.1", 1, count_of(http, child), "the child's state is the parent's at S")
    child_steps = steps_of(http, child)
    check_equal("RUN-008.5", steps[1:], child_steps[1:], "the child's history continues at S")
    core = body_of(http.get(f"/v1/objects/{child}"), 200, "HTTP-009.1")
    check_equal(
        "HTTP-017.1",
        blob_id(b"child"),
        core["entries"].get("seed"),
        "the child's seed entry (the state the fork set)",
    )
    inc(http, child, 5)
    settle(http)
    check_equal(
        ("HTTP-017.1", "RUN-008.7"),
        (6, 3),
        (count_of(http, child), count_of(http, parent)),
        "the counts of child and parent after each ran its own message",
    )
    again = http.post(f"/v1/actors/{parent}/fork", json={"step": steps[1], "state": state})
    expect_error(again, 409, "ref-conflict", "HTTP-017.2 (the child exists)")


@pytest.mark.req("HTTP-017.2", "HTTP-003.2", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
@pytest.mark.req("HTTP-007.1", "HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_fork_refused_creates_nothing(http: httpx.Client) -> None:
    actor = create(http, test="counter")["actor"]
    other = create(http, test="echo")["actor"]
    settle(http)
    step = counted(http, actor, 1)[0]
    before = body_of(http.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    cases = [
        ({"step": blob_id(b"absent")}, 404, "not-found", "absent"),
        ({"step": steps_of(http, other)[0]}, 400, "invalid-ref-target", "another's step"),
        ({"step": step, "state": {"fork": "00"}}, 400, "invalid-object", "state names fork"),
        ({"step": step, "state": {"wit": "00"}}, 400, "bad-request", "state names wit"),
        ({"step": step, "state": {"x": "XY"}}, 400, "bad-request", "state not hex"),
        ({"step": "ab"}, 400, "invalid-id", "a malformed id"),
    ]
    for body, status, error, what in cases:
        response = http.post(f"/v1/actors/{actor}/fork", json=body)
        expect_error(response, status, error, f"HTTP-017.2 ({what})")
    after = body_of(http.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    check_equal("HTTP-017.2", before, after, "the actors after a refused fork")


# --- history with messages ---------------------------------------------------------------


def history_steps(client: httpx.Client, actor: str) -> list[dict[str, Any]]:
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.6")
    return list(answer["steps"])


@pytest.mark.req("HTTP-007.6")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
@pytest.mark.req("HTTP-005.7")  # its checks name them too
def test_a_history_step_names_what_it_read_and_sent(http: httpx.Client) -> None:
    actor = create(http, test="counter")["actor"]
    fan = create(http, test="fanout")["actor"]
    settle(http)
    batch = [
        {"to": actor, "content": {"blob": str(n).encode().hex()}, "mt": "inc"} for n in (1, 2)
    ]  # one send (HTTP-005.7): both pending at once, one transition reads them both
    sent = body_of(http.post("/v1/messages", json={"messages": batch}), 202, "HTTP-005.7")
    first, second = (entry["message"] for entry in sent["messages"])
    settle(http)
    newest, genesis = history_steps(http, actor)
    outside = [
        {"sender": "outside", "message": first, "mt": "inc"},
        {"sender": "outside", "message": second, "mt": "inc"},
    ]
    check_equal(
        "HTTP-007.6",
        (outside, []),
        (newest["read"], newest["sent"]),
        "what the step that counted two sends read and sent",
    )
    check_equal(
        "HTTP-007.6",
        [{"sender": "outside", "message": genesis_id(actor), "mt": "genesis"}],
        genesis["read"],
        "what the genesis step read: the outside's genesis",
    )
    tree = {"tree": {"to": {"blob": actor.encode().hex()}}}
    send(http, fan, tree, mt="fanout")
    settle(http)
    tree_id = g.object_id(
        g.Tree(entries={"to": g.ObjectId(bytes.fromhex(blob_id(actor.encode())))})
    )
    fanned = message_id(tree_id.hex(), {"mt": "fanned"}, None)
    check_equal(
        "HTTP-007.6",
        [{"recipient": actor, "message": fanned, "mt": "fanned"}],
        history_steps(http, fan)[0]["sent"],
        "what the fanout's step sent",
    )
    check_equal(
        "HTTP-007.6",
        [{"sender": fan, "message": fanned, "mt": "fanned"}],
        history_steps(http, actor)[0]["read"],
        "what the counter's step read from the fanout",
    )


@pytest.mark.req("HTTP-007.6", "HTTP-016.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "RUN-024.3")
@pytest.mark.req("HTTP-007.4")  # its checks name them too
def test_a_revert_step_reads_and_sends_nothing(http: httpx.Client) -> None:
    actor = create(http, test="counter")["actor"]
    settle(http)
    steps = counted(http, actor, 1, 2)
    body_of(http.post(f"/v1/actors/{actor}/revert", json={"step": steps[1]}), 200, "HTTP-016.1")
    later = inc(http, actor, 5)
    settle(http)
    after, revert, *_ = history_steps(http, actor)
    check_equal(
        "HTTP-007.6",
        ([], []),
        (revert["read"], revert["sent"]),
        "what a revert step read and sent",
    )
    check_equal(
        ("HTTP-007.6", "RUN-024.3"),
        [{"sender": "outside", "message": later, "mt": "inc"}],
        after["read"],
        "what the next step after a revert read: only the new send",
    )

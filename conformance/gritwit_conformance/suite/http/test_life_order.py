"""An actor's life over HTTP, where several rules meet: the order of a creation's and a
fork's refusals (HTTP-004.6, HTTP-017.3), a fork made twice (HTTP-017.4), where the
outside sorts among a step's parties (HTTP-007.6), and what a client that lost an answer
reads back to settle it (HTTP-004.7, HTTP-007.8, HTTP-016.4).

Each request below breaks two rules at once, so only the order the clause fixes tells
which class comes back; every expected value is computed from the clauses (ids by hand,
through :mod:`gritwit`'s object encoding).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gritwit as g

from .._check import check, check_equal, suite_premise
from ._api import (
    blob_id,
    body_of,
    core_of,
    count_of,
    create,
    expect_error,
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

ABSENT = "ab" * 32  # a well-formed id no object of a fresh service has


def _names(client: httpx.Client) -> dict[str, str]:
    names: dict[str, str] = body_of(client.get("/v1/names"), 200, "HTTP-015.2")["names"]
    return names


def _named(client: httpx.Client, test: str, name: str) -> str:
    """A test actor created under ``name`` (HTTP-004.5): its id."""
    body = {"test": test, "name": name}
    answer = body_of(client.post("/v1/actors", json=body), 201, "HTTP-004.5")
    return str(answer["actor"])


def _history(client: httpx.Client, actor: str) -> list[dict[str, Any]]:
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")
    return list(answer["steps"])


# --- HTTP-004.6: a creation's refusals, in order ----------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"core": ABSENT, "state": {}, "name": "Bad"}, 400, "bad-request"),
        ({"test": "counter", "state": {"x": "XY"}, "name": "Bad"}, 400, "bad-request"),
        ({"test": "counter", "state": {"wit": "00"}, "name": "Bad"}, 400, "bad-request"),
        ({"test": "counter", "state": {"name": "00"}, "name": "Bad"}, 400, "bad-request"),
        ({"core": "AB" * 32, "name": "Bad"}, 400, "invalid-id"),
        ({"test": "no-such-test-actor", "name": "Bad"}, 400, "invalid-ref-name"),
        ({"core": ABSENT, "name": "Bad"}, 400, "invalid-ref-name"),
        ({"test": "no-such-test-actor", "name": "taken"}, 422, "unknown-wit"),
        ({"core": ABSENT, "name": "taken"}, 404, "not-found"),
    ],
    ids=[
        "core-with-state-before-name",
        "hex-before-name",
        "wit-before-name",
        "state-name-before-name",
        "core-id-before-name",
        "name-before-code",
        "name-before-core",
        "code-before-taken",
        "core-before-taken",
    ],
)
@pytest.mark.req("HTTP-004.6", "HTTP-004.3", "HTTP-004.4", "HTTP-004.5", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-011.1")
@pytest.mark.req("HTTP-015.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_creation_that_breaks_two_rules_fails_with_the_first(
    http: httpx.Client, body: dict[str, Any], status: int, error: str
) -> None:
    taken = _named(http, "counter", "taken")
    settle(http)
    response = http.post("/v1/actors", json=body)
    expect_error(response, status, error, f"HTTP-004.6 ({body})")
    check_equal(
        "HTTP-003.3",
        {"taken": taken},
        _names(http),
        "the names after a refused creation (it bound none)",
    )


@pytest.mark.req("HTTP-004.6", "HTTP-004.5")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-015.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_stored_core_without_the_name_is_400_before_the_name_is_409(
    http: httpx.Client,
) -> None:
    """A stored core that lacks the entry ``name``, under a name another actor holds:
    the core's fault (400) comes before the name's (409); and an actor that exists
    already, asked for under another actor's name, is 409, not 201 existed."""
    taken = _named(http, "counter", "taken")
    unnamed = create(http, test="echo")["actor"]
    settle(http)
    response = http.post("/v1/actors", json={"core": unnamed, "name": "taken"})
    expect_error(response, 400, "bad-request", "HTTP-004.6 (the core's entry first)")
    named = _named(http, "echo", "mine")
    settle(http)
    response = http.post("/v1/actors", json={"test": "echo", "name": "mine"})
    check_equal(
        "HTTP-004.5",
        True,
        body_of(response, 201, "HTTP-004.2").get("existed"),
        "existed of creating the named echo mine a second time",
    )
    core = g.object_id(core_of("echo", {"name": b"taken".hex()})).hex()
    suite_premise(core != named, "the echo named taken is another actor than the one named mine")
    response = http.post("/v1/actors", json={"test": "echo", "name": "taken"})
    expect_error(response, 409, "ref-conflict", "HTTP-004.6 (the name before existed)")
    check_equal(
        "HTTP-004.6",
        {"mine": named, "taken": taken},
        _names(http),
        "the names after the refused creations",
    )


@pytest.mark.req("HTTP-004.7", "HTTP-004.5")
@pytest.mark.req("HTTP-002.1", "HTTP-011.1")
@pytest.mark.req("HTTP-004.2", "HTTP-007.4", "HTTP-015.2")  # its checks name them too
def test_a_creation_made_again_settles_as_existed_and_named(http: httpx.Client) -> None:
    """The request a client repeats after a lost answer: 201, ``existed`` true, the same
    actor, its name bound to it once; the genesis was sent once."""
    body = {"test": "counter", "name": "again", "state": {"seed": "01"}}
    first = body_of(http.post("/v1/actors", json=body), 201, "HTTP-004.2")
    settle(http)
    second = body_of(http.post("/v1/actors", json=body), 201, "HTTP-004.7")
    expected = g.object_id(core_of("counter", {"name": b"again".hex(), "seed": "01"})).hex()
    check_equal(
        "HTTP-004.7",
        [expected, expected],
        [first.get("actor"), second.get("actor")],
        "the actor of a named creation and of the same creation made again",
    )
    check_equal(
        "HTTP-004.7",
        [False, True, None],
        [first.get("existed"), second.get("existed"), second.get("message")],
        "existed of the first creation; existed and message of the one made again",
    )
    check_equal(
        ("HTTP-004.7", "HTTP-004.5"),
        ["again", {"again": expected}],
        [second.get("name"), _names(http)],
        "the name the creation made again answers, and the names bound",
    )
    genesis = _history(http, expected)[-1]
    check_equal(
        "HTTP-004.7",
        [{"sender": "outside", "message": genesis_id(expected), "mt": "genesis"}],
        genesis.get("read"),
        "what the genesis step read: one genesis (the creation made again sent none)",
    )


# --- HTTP-007.6: the outside's place among a step's parties -----------------------------


@pytest.mark.req("HTTP-007.6")
@pytest.mark.req(
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-004.2",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-009.3",
    "HTTP-011.1",
)
@pytest.mark.req("HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_the_outside_comes_before_every_actor_among_a_steps_senders(
    http: httpx.Client,
) -> None:
    """A counter's genesis step reads what waited for it (WIT-012.2): an ``inc`` and its
    genesis from the outside, and a ``fanned`` from a fanout. The outside's id is 32 zero
    bytes (WIT-003), so it is listed first, whatever the fanout's id."""
    seed = {"seed": b"late".hex()}
    actor = g.object_id(core_of("counter", seed)).hex()
    fan = create(http, test="fanout")["actor"]
    settle(http)
    early = inc(http, actor, 2)  # waits for the genesis
    send(http, fan, {"tree": {"to": {"blob": actor.encode().hex()}}}, mt="fanout")
    settle(http)
    check_equal(
        "HTTP-007.6",
        None,
        head_of(http, actor),
        "the head of a counter sent messages before its creation",
    )
    check_equal(
        "HTTP-007.6",
        actor,
        create(http, test="counter", state=seed).get("actor"),
        "the id of the counter created with the seed late",
    )
    settle(http)
    (genesis,) = _history(http, actor)
    tree = g.Tree(entries={"to": g.ObjectId(bytes.fromhex(blob_id(actor.encode())))})
    fanned = message_id(g.object_id(tree).hex(), {"mt": "fanned"}, None)
    chained = message_id(actor, {"mt": "genesis"}, early)  # queued after the inc (WIT-004)
    expected = [
        {"sender": "outside", "message": early, "mt": "inc"},
        {"sender": "outside", "message": chained, "mt": "genesis"},
        {"sender": fan, "message": fanned, "mt": "fanned"},
    ]
    check_equal(
        "HTTP-007.6",
        expected,
        genesis.get("read"),
        "what the genesis step read: the parties in ascending id order, the outside (id 0) first",
    )
    check_equal("HTTP-007.6", 2, count_of(http, actor), "the count after the genesis step")


# --- HTTP-017.3, HTTP-017.4: a fork's refusals, and a fork made twice --------------------


@pytest.mark.req("HTTP-017.3", "HTTP-017.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-007.1", "HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_fork_that_breaks_two_rules_fails_with_the_first(http: httpx.Client) -> None:
    actor = create(http, test="counter")["actor"]
    settle(http)
    step = _history(http, actor)[0]["step"]
    before = body_of(http.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    cases = [
        ("Bad-Name", {"step": "ab"}, 400, "invalid-ref-name", "the path before the body"),
        ("nobody", {"step": "ab"}, 404, "not-found", "a name bound to nothing first"),
        (actor, {"step": "ab", "more": 1}, 400, "bad-request", "a field before the id"),
        (actor, {"step": "ab", "state": {"x": "00"}}, 400, "invalid-id", "the id first"),
        (actor, {"step": ABSENT, "state": {"x": "XY"}}, 400, "bad-request", "state first"),
        (actor, {"step": ABSENT, "state": {"fork": "00"}}, 404, "not-found", "S absent"),
        (ABSENT, {"step": step}, 400, "invalid-ref-target", "a headless id's S"),
    ]
    for path, body, status, error, what in cases:
        response = http.post(f"/v1/actors/{path}/fork", json=body)
        expect_error(response, status, error, f"HTTP-017.3 ({what})")
    after = body_of(http.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    check_equal("HTTP-017.3", before, after, "the actors after the refused forks (none created)")


@pytest.mark.req("HTTP-017.4", "HTTP-003.1")
@pytest.mark.req(
    "HTTP-002.1",
    "HTTP-003.2",
    "HTTP-004.2",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-009.3",
    "HTTP-011.1",
    "HTTP-017.1",
)
@pytest.mark.req("HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_fork_made_again_is_409_naming_its_child(http: httpx.Client) -> None:
    """The second identical fork names the child the first made, in the error's
    ``actor``; the child, which ran since, is left as it is. The child's id is computed
    by hand: S's core with the ``state`` entry and the ``fork`` blob (RUN-008.2)."""
    parent = create(http, test="counter")["actor"]
    settle(http)
    inc(http, parent, 3)
    settle(http)
    step = _history(http, parent)[0]["step"]
    body = {"step": step, "state": {"seed": "02"}}
    child = body_of(http.post(f"/v1/actors/{parent}/fork", json=body), 201, "HTTP-017.1")
    core = object_of(http, object_of(http, step)["core"])
    entries = {name: g.ObjectId.from_hex(oid) for name, oid in core["entries"].items()}
    entries["seed"] = g.ObjectId.from_hex(blob_id(b"\x02"))
    fork = f'{{"actor": "{parent}", "step": "{step}"}}'.encode()  # RUN-008.2's spaces
    entries["fork"] = g.ObjectId.from_hex(blob_id(fork, {"content-type": "application/json"}))
    expected = g.object_id(g.Tree(entries=entries)).hex()
    check_equal(
        "HTTP-017.1",
        {"actor": expected},
        child,
        "the fork's answer: the child S's core with the state and fork entries makes",
    )
    inc(http, expected, 4)
    settle(http)
    head = head_of(http, expected)
    error = expect_error(
        http.post(f"/v1/actors/{parent}/fork", json=body), 409, "ref-conflict", "HTTP-017.4"
    )
    check_equal(
        "HTTP-017.4",
        expected,
        error.get("actor"),
        "the actor the 409 of a fork made again names: the child",
    )
    check_equal(
        "HTTP-017.4",
        [head, 7],
        [head_of(http, expected), count_of(http, expected)],
        "the child's head and count after the fork made again (left as they were)",
    )


# --- HTTP-016.4, HTTP-007.8: settling a revert and a clear ------------------------------


@pytest.mark.req("HTTP-016.4", "HTTP-016.3", "RUN-024.1")
@pytest.mark.req(
    "HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1"
)
@pytest.mark.req("HTTP-007.4", "HTTP-016.1")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_revert_step_is_the_one_a_client_computes_from_e_and_s(http: httpx.Client) -> None:
    """The client computes *R* from E and S before it asks; the revert's answer is that
    step, and the same request made again with ``head`` E is 409, no second revert."""
    actor = create(http, test="counter")["actor"]
    settle(http)
    for amount in (1, 2):
        inc(http, actor, amount)
        settle(http)
    steps = _history(http, actor)
    head, target = steps[0], steps[1]
    expected = g.Step(
        actor=g.ObjectId.from_hex(actor),
        core=g.ObjectId.from_hex(target["core"]),
        previous=g.ObjectId.from_hex(head["step"]),
        inbox=None if head["inbox"] is None else g.ObjectId.from_hex(head["inbox"]),
        outbox=None if head["outbox"] is None else g.ObjectId.from_hex(head["outbox"]),
    )
    body = {"step": target["step"], "head": head["step"]}
    answer = body_of(http.post(f"/v1/actors/{actor}/revert", json=body), 200, "HTTP-016.1")
    check_equal(
        ("HTTP-016.4", "RUN-024.1"),
        g.object_id(expected).hex(),
        answer.get("head"),
        "the revert's step: the one RUN-024.1 fixes from E and S",
    )
    again = http.post(f"/v1/actors/{actor}/revert", json=body)
    expect_error(again, 409, "ref-conflict", "HTTP-016.4 (made again with head E)")
    check_equal(
        "HTTP-016.4",
        [answer.get("head"), head["step"]],
        [s["step"] for s in _history(http, actor)][:2],
        "the newest two steps after the revert and its refused repeat: the revert, then E",
    )
    check_equal(
        ("HTTP-016.4", "HTTP-016.3"),
        1,
        count_of(http, actor),
        "the count after reverting to the step that counted 1",
    )


@pytest.mark.req("HTTP-007.8", "HTTP-007.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
@pytest.mark.req("HTTP-007.3", "HTTP-007.4", "HTTP-016.1")  # its checks name them too
def test_a_clear_made_again_answers_false_and_the_entry_shows_no_mark(
    http: httpx.Client,
) -> None:
    actor = create(http, test="updater")["actor"]
    settle(http)
    send(http, actor, {"blob": b"failing".hex()}, mt="set-code")
    settle(http)
    send(http, actor, {"blob": ""}, mt="poke")
    settle(http)
    check(
        "HTTP-007.8",
        body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3").get("failed") is not None,
        expected="a failed mark on the entry of the updater whose code fails",
        came="failed: null",
        what=f"GET /v1/actors/{actor}",
    )
    genesis = _history(http, actor)[-1]["step"]  # reverted to it, the poke runs once cleared
    body_of(http.post(f"/v1/actors/{actor}/revert", json={"step": genesis}), 200, "HTTP-016.1")
    first = body_of(http.delete(f"/v1/actors/{actor}/failed"), 200, "HTTP-007.5")
    again = body_of(http.delete(f"/v1/actors/{actor}/failed"), 200, "HTTP-007.8")
    check_equal(
        ("HTTP-007.8", "HTTP-007.5"),
        [{"cleared": True}, {"cleared": False}],
        [first, again],
        "the answers of a clear made twice",
    )
    settle(http)
    entry = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.8")
    check_equal("HTTP-007.8", None, entry.get("failed"), "the entry's failed mark after the clears")

"""An actor's life over HTTP: names (HTTP-015, HTTP-004.4, HTTP-004.5), revert (HTTP-016),
clearing a failed mark (HTTP-007.5, RUN-025) and fork (HTTP-017).

A counter (WIT-020) counts the amounts it read, so what a revert or a fork did to its
state is a number: counting on from the reverted-to state, and not again what the
reverted steps read, is a count the test computes by hand.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gritwit as g

from .._check import check_equal
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
    send,
    settle,
)
from ._service import http as http
from ._service import services as services

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


def named_counter(client: httpx.Client, name: str, **more: Any) -> dict[str, Any]:
    """``POST /v1/actors`` of a counter named ``name``: the answer, which names it."""
    response = client.post("/v1/actors", json={"test": "counter", "name": name, **more})
    answer = body_of(response, 201, "HTTP-004.5")
    assert isinstance(answer, dict) and answer.get("name") == name, (
        f"HTTP-004.5: a creation with the name {name} answers {answer}, without that name"
    )
    return answer


def steps_of(client: httpx.Client, actor: str) -> list[str]:
    """The actor's steps, newest first (HTTP-007.4)."""
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")
    return [step["step"] for step in answer["steps"]]


def counted(client: httpx.Client, actor: str, *amounts: int) -> list[str]:
    """Send ``amounts`` one transition each; the steps then, newest first."""
    for amount in amounts:
        inc(client, actor, amount)
        settle(client)
    return steps_of(client, actor)


# --- names ------------------------------------------------------------------------------


@pytest.mark.req("HTTP-015.1", "HTTP-015.3", "HTTP-004.4", "HTTP-004.5")
@pytest.mark.req("HTTP-002.1", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_named_actor_answers_by_its_name_as_by_its_id(http: httpx.Client) -> None:
    actor = named_counter(http, "by-name")["actor"]
    inc(http, "by-name", 3)  # sent by name
    settle(http)
    assert count_of(http, "by-name") == 3 == count_of(http, actor), (
        "HTTP-015.1: a send and a query by name act on the actor the name names"
    )
    by_name = body_of(http.get("/v1/actors/by-name"), 200, "HTTP-015.1")
    by_id = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    assert by_name == by_id and by_id.get("names") == ["by-name"], (
        f"HTTP-015.3: the entry by name is {by_name}, by id {by_id}; its names ['by-name']"
    )
    assert steps_of(http, "by-name") == steps_of(http, actor), "HTTP-015.1: history by name"
    core = body_of(http.get(f"/v1/objects/{actor}"), 200, "HTTP-009.1")
    assert core["entries"].get("name") == blob_id(b"by-name"), (
        "HTTP-004.4: the named actor's genesis core holds no entry name with the name's bytes"
    )
    expected = core_of("counter", {"name": b"by-name".hex()})
    assert actor == g.object_id(expected).hex(), (
        "HTTP-004.4: the actor's id is not the id of the counter's core with the entry name"
    )


@pytest.mark.req(
    "HTTP-015.1",
    "HTTP-005.7",
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-003.3",
    "HTTP-004.5",
    "HTTP-006.1",
    "HTTP-011.1",
)
def test_a_batch_sends_to_names_and_one_unknown_name_sends_nothing(http: httpx.Client) -> None:
    """A batch's ``to`` is read as a path's ``{actor}``: a name is the actor it names, and
    a name bound to nothing fails the whole batch (HTTP-003.3)."""
    actor = named_counter(http, "batch-by-name")["actor"]
    settle(http)

    def entry(to: str, amount: int) -> dict[str, Any]:
        return {"to": to, "content": {"blob": str(amount).encode().hex()}, "mt": "inc"}

    batch = {"messages": [entry("batch-by-name", 2), entry(actor, 3)]}
    body_of(http.post("/v1/messages", json=batch), 202, "HTTP-015.1")
    settle(http)
    assert count_of(http, actor) == 5, "HTTP-015.1: a batch's to by name reached another actor"
    for to, status, error in (
        ("nobody-has-this-name", 404, "not-found"),
        ("-x", 400, "invalid-ref-name"),
    ):
        refused = {"messages": [entry(actor, 7), entry(to, 1)]}
        expect_error(http.post("/v1/messages", json=refused), status, error, f"HTTP-015.1 ({to})")
    settle(http)
    assert count_of(http, actor) == 5, "HTTP-003.3: a refused batch sent its other entries"


@pytest.mark.parametrize(("method", "path", "body"), ACTOR_PATHS, ids=PATH_IDS)
@pytest.mark.parametrize(
    ("text", "status", "error"),
    [
        ("nobody-has-this-name", 404, "not-found"),
        ("ab" * 31 + "a", 404, "not-found"),  # 63 hex digits: a name, not an id
        ("AB" * 32, 400, "invalid-ref-name"),
        ("-dash-first", 400, "invalid-ref-name"),
        ("n" * 65, 400, "invalid-ref-name"),
    ],
    ids=["unknown", "63-hex", "upper-hex", "dash-first", "65-long"],
)
@pytest.mark.req("HTTP-015.1", "HTTP-002.4", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
def test_an_unknown_or_malformed_name_in_a_path(
    http: httpx.Client,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    text: str,
    status: int,
    error: str,
) -> None:
    response = http.request(method, path.format(a=text), json=body)
    expect_error(response, status, error, f"HTTP-015.1 ({text[:20]} in {path})")


@pytest.mark.req("HTTP-004.4", "HTTP-004.5")
@pytest.mark.req("HTTP-002.1", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_one_name_is_one_actor_and_two_names_two(http: httpx.Client) -> None:
    first = named_counter(http, "twice")
    again = named_counter(http, "twice")
    assert again["actor"] == first["actor"] and again["existed"] is True, (
        f"HTTP-004.5: creating the same named counter twice answers {first} then {again}"
    )
    other = named_counter(http, "another")
    assert other["actor"] != first["actor"] and other["existed"] is False, (
        "HTTP-004.4: two names of one program are one actor: the name is not in the core"
    )
    settle(http)
    inc(http, "twice", 2)
    settle(http)
    assert (count_of(http, "twice"), count_of(http, "another")) == (2, 0), (
        "HTTP-004.4: a send to one name counted on the other name's actor too"
    )


@pytest.mark.req("HTTP-004.5", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3", "HTTP-011.1")
def test_a_name_taken_by_another_actor_is_409_and_sends_nothing(http: httpx.Client) -> None:
    taken = named_counter(http, "taken")["actor"]
    settle(http)
    response = http.post("/v1/actors", json={"test": "echo", "name": "taken"})
    expect_error(response, 409, "ref-conflict", "HTTP-004.5 (a name of another actor)")
    refused = g.object_id(core_of("echo", {"name": b"taken".hex()})).hex()
    assert head_of(http, refused) is None, "HTTP-004.5: the refused actor got a head"
    gone = http.get(f"/v1/objects/{refused}")
    expect_error(gone, 404, "not-found", "HTTP-003.3: the refused creation stored its core")
    names = body_of(http.get("/v1/names"), 200, "HTTP-015.2")["names"]
    assert names.get("taken") == taken, f"HTTP-004.5: the name moved: {names}"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"test": "counter", "name": "Upper"}, 400, "invalid-ref-name"),
        ({"test": "counter", "name": "ab" * 32}, 400, "invalid-ref-name"),
        ({"test": "counter", "name": ""}, 400, "invalid-ref-name"),
        # one over the longest name (RUN-026.1's outer edge; 64 is created below)
        ({"test": "counter", "name": "n" * 65}, 400, "invalid-ref-name"),
        ({"test": "counter", "name": "x", "state": {"name": "78"}}, 400, "bad-request"),
        ({"test": "counter", "name": 7}, 400, "bad-request"),
    ],
    ids=["upper", "an-id", "empty", "65-long", "state-names-name", "not-text"],
)
@pytest.mark.req("HTTP-004.4", "HTTP-003.3", "RUN-026.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
def test_a_bad_name_in_a_creation_is_refused(
    http: httpx.Client, body: dict[str, Any], status: int, error: str
) -> None:
    expect_error(http.post("/v1/actors", json=body), status, error, f"HTTP-004.4 ({body})")
    names = body_of(http.get("/v1/names"), 200, "HTTP-015.2")["names"]
    assert names == {}, f"HTTP-003.3: a refused creation bound {names}"


@pytest.mark.req("RUN-026.1", "HTTP-004.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-015.2")
def test_a_name_of_64_characters_is_created_and_one_of_65_is_not(http: httpx.Client) -> None:
    """RUN-026.1 at both edges of its length: 64 characters name an actor, 65 do not."""
    longest = "n" * 64
    created = body_of(
        http.post("/v1/actors", json={"test": "counter", "name": longest}), 201, "RUN-026.1"
    )
    check_equal(
        "RUN-026.1",
        longest,
        created.get("name"),
        "a name of 64 characters is a name: the creation binds it",
    )
    over = http.post("/v1/actors", json={"test": "counter", "name": "n" * 65})
    expect_error(over, 400, "invalid-ref-name", "RUN-026.1 (a name of 65 characters)")
    names = body_of(http.get("/v1/names"), 200, "HTTP-015.2")["names"]
    check_equal("RUN-026.1", [longest], sorted(names), "the names bound: only the 64-character one")


@pytest.mark.req("HTTP-004.4", "HTTP-004.5")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-011.1")
def test_a_stored_core_is_named_only_when_it_holds_the_name(http: httpx.Client) -> None:
    unnamed = create(http, test="counter")["actor"]
    named = named_counter(http, "stored")["actor"]
    settle(http)
    response = http.post("/v1/actors", json={"core": unnamed, "name": "stored-two"})
    expect_error(response, 400, "bad-request", "HTTP-004.4 (a core without the entry name)")
    again = body_of(http.post("/v1/actors", json={"core": named, "name": "stored"}), 201, "")
    assert again == {"actor": named, "message": None, "existed": True, "name": "stored"}, (
        f"HTTP-004.5: naming a stored core that holds its name answers {again}"
    )


@pytest.mark.req("HTTP-015.2", "HTTP-015.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.5", "HTTP-011.1")
def test_names_are_listed_in_order_and_paged(http: httpx.Client) -> None:
    made = {name: named_counter(http, name)["actor"] for name in ("b-2", "a-1", "c.3", "a_0")}
    settle(http)
    expected = dict(sorted(made.items(), key=lambda item: item[0].encode()))
    answer = body_of(http.get("/v1/names"), 200, "HTTP-015.2")
    assert answer == {"names": expected, "next": None}, f"HTTP-015.2: GET /v1/names {answer}"
    assert list(answer["names"]) == list(expected), "HTTP-015.2: names not in bytewise order"
    seen: dict[str, str] = {}
    params: dict[str, Any] = {"limit": 3}
    for _ in range(len(made) + 1):
        page = body_of(http.get("/v1/names", params=params), 200, "HTTP-015.2")
        assert len(page["names"]) <= 3
        seen.update(page["names"])
        if page["next"] is None:
            break
        params = {"limit": 3, "after": page["next"]}
    assert seen == expected, f"HTTP-015.2: pages of 3 list {seen}"
    listed = body_of(http.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    assert {e["actor"]: e["names"] for e in listed} == {a: [n] for n, a in made.items()}, (
        "HTTP-015.3: the entries of GET /v1/actors do not name each actor's names"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "10001"},
        {"limit": "\u00b2"},
        {"limit": "1" + "0" * 4999},
        {"after": "UPPER"},
        {"before": "a"},
    ],
    ids=[
        "limit-0",
        "limit-10001",
        "limit-superscript-two",
        "limit-5000-digits",
        "after-malformed",
        "unknown-parameter",
    ],
)
@pytest.mark.req("HTTP-015.2", "HTTP-002.3")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
def test_a_malformed_names_parameter_is_400(http: httpx.Client, params: dict[str, str]) -> None:
    response = http.get("/v1/names", params=params)
    expect_error(response, 400, "bad-request", f"HTTP-015.2 ({params})")


# --- revert -----------------------------------------------------------------------------


@pytest.mark.req("HTTP-016.1", "HTTP-015.1")
@pytest.mark.req(
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-004.5",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-009.3",
    "HTTP-011.1",
    "RUN-024.1",
    "RUN-024.3",
    "RUN-024.5",
)
def test_a_reverted_counter_counts_on_from_the_reverted_state(http: httpx.Client) -> None:
    actor = named_counter(http, "reverted")["actor"]
    settle(http)
    steps = counted(http, actor, 1, 2, 4)  # counts 1, 3, 7: newest first [7, 3, 1, 0]
    assert count_of(http, actor) == 7
    response = http.post("/v1/actors/reverted/revert", json={"step": steps[2]})
    answer = body_of(response, 200, "HTTP-016.1")
    assert set(answer) == {"actor", "head"} and answer["actor"] == actor, (
        f"HTTP-016.1: a revert answers {answer}"
    )
    assert answer["head"] == head_of(http, actor) and answer["head"] not in steps, (
        f"HTTP-016.1: the head is {head_of(http, actor)}, the answer {answer['head']}: not a "
        "new step (RUN-024.1)"
    )
    assert steps_of(http, actor)[1:] == steps, "RUN-024.5: the revert step follows the old head"
    assert count_of(http, actor) == 1, "HTTP-016.1: a query after the revert reads S's state"
    inc(http, actor, 10)
    settle(http)
    assert count_of(http, actor) == 11, (
        f"HTTP-016.1: reverted to 1, then sent 10, the counter counts {count_of(http, actor)}, "
        "not 11 (17 would be the reverted steps' messages read again, RUN-024.3)"
    )


@pytest.mark.req(
    "HTTP-016.3",
    "RUN-024.10",
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-004.2",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-011.1",
)
def test_a_revert_from_a_head_no_longer_the_head_is_409(http: httpx.Client) -> None:
    """The client chose S against head E; a step adopted since makes the revert 409,
    nothing moved, and a revert from the head as it is now is made."""
    actor = create(http, test="counter")["actor"]
    settle(http)
    steps = counted(http, actor, 1, 2)  # counts 1, 3: newest first [3, 1, 0]
    seen = steps[0]
    newer = counted(http, actor, 4)  # a step the client has not seen: count 7
    body = {"step": steps[1], "head": seen}
    response = http.post(f"/v1/actors/{actor}/revert", json=body)
    expect_error(response, 409, "ref-conflict", "HTTP-016.3 (a head older than the head)")
    assert steps_of(http, actor) == newer and count_of(http, actor) == 7, (
        "HTTP-016.3: a revert refused for its head moved the actor"
    )
    body = {"step": steps[1], "head": newer[0]}
    answer = body_of(http.post(f"/v1/actors/{actor}/revert", json=body), 200, "HTTP-016.3")
    assert steps_of(http, actor) == [answer["head"], *newer], (
        "HTTP-016.3: the revert from the head as it is does not follow that head"
    )
    assert count_of(http, actor) == 1, "HTTP-016.3: the revert from the head as it is was not made"


@pytest.mark.req("HTTP-016.2", "HTTP-003.2", "HTTP-003.3")
@pytest.mark.req(
    "HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-004.5", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1"
)
def test_a_revert_refused_moves_nothing(http: httpx.Client) -> None:
    actor = create(http, test="counter")["actor"]
    other = named_counter(http, "other")["actor"]
    settle(http)
    steps = counted(http, actor, 1)
    other_step = steps_of(http, other)[0]
    cases = [
        ({"step": steps[0]}, 400, "invalid-ref-target", "the head"),
        ({"step": other_step}, 400, "invalid-ref-target", "a step of another actor"),
        ({"step": actor}, 400, "invalid-ref-target", "no step"),
        ({"step": blob_id(b"absent")}, 404, "not-found", "absent"),
        ({"step": "AB" * 32}, 400, "invalid-id", "a malformed id"),
        ({}, 400, "bad-request", "no step"),
        ({"step": steps[1], "more": 1}, 400, "bad-request", "a field it does not define"),
    ]
    for body, status, error, what in cases:
        response = http.post(f"/v1/actors/{actor}/revert", json=body)
        expect_error(response, status, error, f"HTTP-016.2 ({what})")
        assert head_of(http, actor) == steps[0], f"HTTP-016.2: a refused revert ({what}) moved"
    headless = create(http, test="failing")["actor"]
    response = http.post(f"/v1/actors/{headless}/revert", json={"step": steps[1]})
    expect_error(response, 404, "not-found", "HTTP-016.2 (an actor without a head)")


@pytest.mark.req("HTTP-016.2", "HTTP-007.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "RUN-024.8")
def test_a_revert_keeps_the_mark_and_a_clear_runs_the_actor_again(http: httpx.Client) -> None:
    """An updater given a code no test actor has fails its next message and is marked
    (RUN-004.4); reverted to its first step the mark stays (RUN-024.8); cleared, the
    message pending runs from that step's core, which reads it without effect."""
    actor = create(http, test="updater")["actor"]
    settle(http)
    genesis = steps_of(http, actor)[-1]
    send(http, actor, {"blob": b"no-such-test-actor".hex()}, mt="set-code")
    settle(http)
    send(http, actor, {"blob": ""}, mt="poke")
    settle(http)
    assert body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")["failed"] is not None
    body_of(http.post(f"/v1/actors/{actor}/revert", json={"step": genesis}), 200, "HTTP-016.1")
    settle(http)
    entry = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    assert entry["failed"] is not None and entry["busy"] is True, (
        f"HTTP-016.2: a revert removed the failed mark or ran the actor: {entry} (RUN-024.8)"
    )
    cleared = body_of(http.delete(f"/v1/actors/{actor}/failed"), 200, "HTTP-007.5")
    assert cleared == {"cleared": True}, f"HTTP-007.5: clearing answers {cleared}"
    settle(http)
    entry = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    assert entry["failed"] is None and entry["busy"] is False, (
        f"HTTP-007.5: cleared, the reverted actor did not run its pending message: {entry}"
    )


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
def test_a_fork_continues_from_its_step_and_runs_on_its_own(http: httpx.Client) -> None:
    parent = named_counter(http, "parent")["actor"]
    settle(http)
    steps = counted(http, parent, 1, 2)  # newest first: counts [3, 1, 0]
    state = {"seed": b"child".hex()}
    response = http.post("/v1/actors/parent/fork", json={"step": steps[1], "state": state})
    answer = body_of(response, 201, "HTTP-017.1")
    assert set(answer) == {"actor"} and answer["actor"] not in (parent,), (
        f"HTTP-017.1: a fork answers {answer}"
    )
    child = answer["actor"]
    assert count_of(http, child) == 1, "HTTP-017.1: the child's state is the parent's at S"
    child_steps = steps_of(http, child)
    assert child_steps[1:] == steps[1:], "RUN-008.5: the child's history continues at S"
    core = body_of(http.get(f"/v1/objects/{child}"), 200, "HTTP-009.1")
    assert core["entries"].get("seed") == blob_id(b"child"), "HTTP-017.1: state not set"
    inc(http, child, 5)
    settle(http)
    assert (count_of(http, child), count_of(http, parent)) == (6, 3), (
        "HTTP-017.1: the child did not run its message on its own (RUN-008.7)"
    )
    again = http.post(f"/v1/actors/{parent}/fork", json={"step": steps[1], "state": state})
    expect_error(again, 409, "ref-conflict", "HTTP-017.2 (the child exists)")


@pytest.mark.req("HTTP-017.2", "HTTP-003.2", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
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
    assert after == before, "HTTP-017.2: a refused fork created an actor"


# --- history with messages ---------------------------------------------------------------


def history_steps(client: httpx.Client, actor: str) -> list[dict[str, Any]]:
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.6")
    return list(answer["steps"])


@pytest.mark.req("HTTP-007.6")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
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
    assert (newest["read"], newest["sent"]) == (outside, []), (
        f"HTTP-007.6: the step that counted two sends read {newest['read']} and sent "
        f"{newest['sent']}"
    )
    assert genesis["read"] == [{"sender": "outside", "message": genesis_id(actor), "mt": "genesis"}]
    tree = {"tree": {"to": {"blob": actor.encode().hex()}}}
    send(http, fan, tree, mt="fanout")
    settle(http)
    tree_id = g.object_id(
        g.Tree(entries={"to": g.ObjectId(bytes.fromhex(blob_id(actor.encode())))})
    )
    fanned = message_id(tree_id.hex(), {"mt": "fanned"}, None)
    assert history_steps(http, fan)[0]["sent"] == [
        {"recipient": actor, "message": fanned, "mt": "fanned"}
    ], "HTTP-007.6: the fanout's step does not name the message it sent"
    assert history_steps(http, actor)[0]["read"] == [
        {"sender": fan, "message": fanned, "mt": "fanned"}
    ], "HTTP-007.6: the counter's step does not name the message it read from the fanout"


@pytest.mark.req("HTTP-007.6", "HTTP-016.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "RUN-024.3")
def test_a_revert_step_reads_and_sends_nothing(http: httpx.Client) -> None:
    actor = create(http, test="counter")["actor"]
    settle(http)
    steps = counted(http, actor, 1, 2)
    body_of(http.post(f"/v1/actors/{actor}/revert", json={"step": steps[1]}), 200, "HTTP-016.1")
    later = inc(http, actor, 5)
    settle(http)
    after, revert, *_ = history_steps(http, actor)
    assert (revert["read"], revert["sent"]) == ([], []), f"HTTP-007.6: a revert step {revert}"
    assert after["read"] == [{"sender": "outside", "message": later, "mt": "inc"}], (
        f"HTTP-007.6: after a revert the next step read {after['read']}, only the new send "
        "(RUN-024.3)"
    )

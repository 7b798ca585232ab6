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

from .._check import check, check_equal, check_type
from ._api import (
    blob_id,
    body_of,
    core_of,
    count_of,
    create,
    expect_error,
    head_of,
    inc,
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
    answer = check_type("HTTP-004.5", answer, dict, expected="a creation's answer: a JSON object")
    check_equal("HTTP-004.5", name, answer.get("name"), f"the name a creation named {name} answers")
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
@pytest.mark.req("HTTP-007.3", "HTTP-007.4", "HTTP-009.1")  # its checks name them too
def test_a_named_actor_answers_by_its_name_as_by_its_id(http: httpx.Client) -> None:
    actor = named_counter(http, "by-name")["actor"]
    inc(http, "by-name", 3)  # sent by name
    settle(http)
    check_equal(
        "HTTP-015.1",
        [3, 3],
        [count_of(http, "by-name"), count_of(http, actor)],
        "the counts by name and by id after 3 sent by name: one actor",
    )
    by_name = body_of(http.get("/v1/actors/by-name"), 200, "HTTP-015.1")
    by_id = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    check_equal(
        "HTTP-015.3", by_id, by_name, "the actor's entry by name (as by id: the same actor)"
    )
    check_equal("HTTP-015.3", ["by-name"], by_id.get("names"), "the entry's names")
    check_equal(
        "HTTP-015.1",
        steps_of(http, actor),
        steps_of(http, "by-name"),
        "history by name",
    )
    core = body_of(http.get(f"/v1/objects/{actor}"), 200, "HTTP-009.1")
    check_equal(
        "HTTP-004.4",
        blob_id(b"by-name"),
        core["entries"].get("name"),
        "the named actor's genesis core's entry name (the name's bytes)",
    )
    expected = core_of("counter", {"name": b"by-name".hex()})
    check_equal(
        "HTTP-004.4",
        g.object_id(expected).hex(),
        actor,
        "the named actor's id: the counter's core with the entry name",
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
@pytest.mark.req("CONV-004")
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
    check_equal(
        "HTTP-015.1",
        5,
        count_of(http, actor),
        "the count after a batch sent to it by name",
    )
    for to, status, error in (
        ("nobody-has-this-name", 404, "not-found"),
        ("-x", 400, "invalid-ref-name"),
    ):
        refused = {"messages": [entry(actor, 7), entry(to, 1)]}
        expect_error(http.post("/v1/messages", json=refused), status, error, f"HTTP-015.1 ({to})")
    settle(http)
    check_equal(
        "HTTP-003.3",
        5,
        count_of(http, actor),
        "the count after a refused batch (none of its entries sent)",
    )


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
@pytest.mark.req("CONV-004")
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
    check_equal(
        "HTTP-004.5",
        [first["actor"], True],
        [again["actor"], again["existed"]],
        "the actor and existed of creating the same named counter a second time",
    )
    other = named_counter(http, "another")
    check(
        "HTTP-004.4",
        other["actor"] != first["actor"] and other["existed"] is False,
        expected="a new actor (existed false) for the counter named another, not "
        f"{first['actor']}, the one named twice (a name is in the core: two names, two actors)",
        came=other,
    )
    settle(http)
    inc(http, "twice", 2)
    settle(http)
    check_equal(
        "HTTP-004.4",
        (2, 0),
        (count_of(http, "twice"), count_of(http, "another")),
        "the counts of the actors named twice and another",
    )


@pytest.mark.req("HTTP-004.5", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-015.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_name_taken_by_another_actor_is_409_and_sends_nothing(http: httpx.Client) -> None:
    taken = named_counter(http, "taken")["actor"]
    settle(http)
    response = http.post("/v1/actors", json={"test": "echo", "name": "taken"})
    expect_error(response, 409, "ref-conflict", "HTTP-004.5 (a name of another actor)")
    refused = g.object_id(core_of("echo", {"name": b"taken".hex()})).hex()
    check_equal("HTTP-004.5", None, head_of(http, refused), "the head of the refused actor")
    gone = http.get(f"/v1/objects/{refused}")
    expect_error(gone, 404, "not-found", "HTTP-003.3: the refused creation stored its core")
    names = body_of(http.get("/v1/names"), 200, "HTTP-015.2")["names"]
    check_equal("HTTP-004.5", taken, names.get("taken"), "the actor the name taken names")


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
@pytest.mark.req("HTTP-015.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_bad_name_in_a_creation_is_refused(
    http: httpx.Client, body: dict[str, Any], status: int, error: str
) -> None:
    expect_error(http.post("/v1/actors", json=body), status, error, f"HTTP-004.4 ({body})")
    names = body_of(http.get("/v1/names"), 200, "HTTP-015.2")["names"]
    check_equal("HTTP-003.3", {}, names, "the names after a refused creation")


@pytest.mark.req("RUN-026.1", "HTTP-004.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-015.2")
@pytest.mark.req("CONV-004")
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
@pytest.mark.req("CONV-004")
def test_a_stored_core_is_named_only_when_it_holds_the_name(http: httpx.Client) -> None:
    unnamed = create(http, test="counter")["actor"]
    named = named_counter(http, "stored")["actor"]
    settle(http)
    response = http.post("/v1/actors", json={"core": unnamed, "name": "stored-two"})
    expect_error(response, 400, "bad-request", "HTTP-004.4 (a core without the entry name)")
    again = body_of(
        http.post("/v1/actors", json={"core": named, "name": "stored"}), 201, "HTTP-004.5"
    )
    check_equal(
        "HTTP-004.5",
        {"actor": named, "message": None, "existed": True, "name": "stored"},
        again,
        "the answer of naming a stored core that holds its name",
    )


@pytest.mark.req("HTTP-015.2", "HTTP-015.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.5", "HTTP-011.1")
@pytest.mark.req("HTTP-007.1")  # its checks name them too
def test_names_are_listed_in_order_and_paged(http: httpx.Client) -> None:
    made = {name: named_counter(http, name)["actor"] for name in ("b-2", "a-1", "c.3", "a_0")}
    settle(http)
    expected = dict(sorted(made.items(), key=lambda item: item[0].encode()))
    answer = body_of(http.get("/v1/names"), 200, "HTTP-015.2")
    check_equal(
        "HTTP-015.2",
        {"names": expected, "next": None},
        answer,
        "GET /v1/names",
    )
    check_equal(
        "HTTP-015.2",
        list(expected),
        list(answer["names"]),
        "the order of the names (bytewise)",
    )
    seen: dict[str, str] = {}
    params: dict[str, Any] = {"limit": 3}
    for _ in range(len(made) + 1):
        page = body_of(http.get("/v1/names", params=params), 200, "HTTP-015.2")
        check(
            "HTTP-015.2",
            len(page["names"]) <= 3,
            expected="a page of GET /v1/names?limit=3 of at most 3 names",
            came=lambda: f"{len(page['names'])} names",  # noqa: B023 - called at once
        )
        seen.update(page["names"])
        if page["next"] is None:
            break
        params = {"limit": 3, "after": page["next"]}
    check_equal("HTTP-015.2", expected, seen, "the names the pages of 3 list")
    listed = body_of(http.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    check_equal(
        "HTTP-015.3",
        {a: [n] for n, a in made.items()},
        {e["actor"]: e["names"] for e in listed},
        "each actor's names in GET /v1/actors",
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
@pytest.mark.req("CONV-004")
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
@pytest.mark.req("HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_reverted_counter_counts_on_from_the_reverted_state(http: httpx.Client) -> None:
    actor = named_counter(http, "reverted")["actor"]
    settle(http)
    steps = counted(http, actor, 1, 2, 4)  # counts 1, 3, 7: newest first [7, 3, 1, 0]
    check_equal("HTTP-016.1", 7, count_of(http, actor), "the count after 1, 2 and 4 were sent")
    response = http.post("/v1/actors/reverted/revert", json={"step": steps[2]})
    answer = body_of(response, 200, "HTTP-016.1")
    check_equal("HTTP-016.1", ["actor", "head"], sorted(answer), "the keys of a revert's answer")
    check_equal("HTTP-016.1", actor, answer["actor"], "the actor a revert's answer names")
    head = head_of(http, actor)
    check(
        ("HTTP-016.1", "RUN-024.1"),
        answer["head"] == head and answer["head"] not in steps,
        expected=f"the answer's head to be the actor's head ({head}), a new step, none of {steps}",
        came=answer["head"],
    )
    check_equal(
        "RUN-024.5",
        steps,
        steps_of(http, actor)[1:],
        "the revert step follows the old head",
    )
    check_equal(
        "HTTP-016.1",
        1,
        count_of(http, actor),
        "the count a query reads after the revert (S's state)",
    )
    inc(http, actor, 10)
    settle(http)
    check_equal(
        ("HTTP-016.1", "RUN-024.3"),
        11,
        count_of(http, actor),
        "the count reverted to 1, then sent 10 (17 would be the reverted steps' messages "
        "read again)",
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
@pytest.mark.req("HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
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
    check_equal(
        "HTTP-016.3",
        {"steps": newer, "count": 7},
        {"steps": steps_of(http, actor), "count": count_of(http, actor)},
        "the actor's steps and count after a revert refused for its head (unmoved)",
    )
    body = {"step": steps[1], "head": newer[0]}
    answer = body_of(http.post(f"/v1/actors/{actor}/revert", json=body), 200, "HTTP-016.3")
    check_equal(
        "HTTP-016.3",
        [answer["head"], *newer],
        steps_of(http, actor),
        "the steps after the revert from the head as it is",
    )
    check_equal(
        "HTTP-016.3",
        1,
        count_of(http, actor),
        "the count after the revert from the head as it is",
    )


@pytest.mark.req("HTTP-016.2", "HTTP-003.2", "HTTP-003.3")
@pytest.mark.req(
    "HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-004.5", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1"
)
@pytest.mark.req("HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
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
        check_equal(
            "HTTP-016.2",
            steps[0],
            head_of(http, actor),
            f"the head after a refused revert ({what})",
        )
    headless = create(http, test="failing")["actor"]
    response = http.post(f"/v1/actors/{headless}/revert", json={"step": steps[1]})
    expect_error(response, 404, "not-found", "HTTP-016.2 (an actor without a head)")


@pytest.mark.req("HTTP-016.2", "HTTP-007.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "RUN-024.8")
@pytest.mark.req("HTTP-007.3", "HTTP-007.4", "HTTP-016.1")  # its checks name them too
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
    marked = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    check(
        "HTTP-016.2",
        marked["failed"] is not None,
        expected="the actor's entry with a failed mark (the poke failed it)",
        came=marked,
    )
    body_of(http.post(f"/v1/actors/{actor}/revert", json={"step": genesis}), 200, "HTTP-016.1")
    settle(http)
    entry = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    check(
        ("HTTP-016.2", "RUN-024.8"),
        entry["failed"] is not None and entry["busy"] is True,
        expected="the reverted actor's entry still marked failed and busy (a revert neither "
        "removes the mark nor runs the actor)",
        came=entry,
    )
    cleared = body_of(http.delete(f"/v1/actors/{actor}/failed"), 200, "HTTP-007.5")
    check_equal("HTTP-007.5", {"cleared": True}, cleared, "the answer of clearing")
    settle(http)
    entry = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    check_equal(
        "HTTP-007.5",
        {"failed": None, "busy": False},
        {"failed": entry["failed"], "busy": entry["busy"]},
        "the cleared reverted actor's entry: unmarked, its pending message run",
    )

"""Listing and inspecting actors (HTTP-007).

``GET /v1/actors`` lists every actor with a head or a failed mark (one failed at its genesis:
``test_failed_genesis.py``, HTTP-007.9), in ascending id order, each entry
``{actor, head, code, failed, busy, share, names}`` (``names``: HTTP-015.3), filtered by
``failed``, ``busy``, ``code`` and ``share`` and paged by ``limit`` and ``after`` (HTTP-007.1,
HTTP-007.2);
``GET /v1/actors/{actor}`` is one entry (HTTP-007.3); ``…/history`` walks the steps back
from the head (HTTP-007.4); ``DELETE …/failed`` clears a failed mark (HTTP-007.5).

A failed actor with a head: an ``updater`` whose code names no test actor (WIT-023.2)
adopts that step, then fails every later transition ``unknown-wit``, and is marked
failed after its attempts (RUN-004.4) with the message still pending (busy).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import gritwit as g

from .._check import check, check_equal, check_error_class
from .._shares import share_of
from ._api import (
    blob_id,
    body_of,
    counter,
    create,
    expect_error,
    head_of,
    ids,
    inc,
    listing,
    object_of,
    send,
    settle,
)
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


def broken_updater(client: httpx.Client, seed: str = "") -> str:
    """An updater marked failed with a head and a message pending (RUN-004.4)."""
    state = {"seed": seed.encode().hex()} if seed else {}
    actor = str(create(client, test="updater", state=state)["actor"])
    send(client, actor, {"blob": b"no-such-test-actor".hex()}, mt="set-code")
    settle(client)
    send(client, actor, {"blob": ""}, mt="poke")  # its transition fails: marked failed
    settle(client)
    return actor


def _population(http: httpx.Client) -> tuple[httpx.Client, list[str], str]:
    """Five counters and an echo, run; and a failed updater. The actors sorted, and it."""
    actors = [counter(http, str(n)) for n in range(5)]
    actors.append(str(create(http, test="echo")["actor"]))
    failed = broken_updater(http)
    actors.append(failed)
    settle(http)
    return http, sorted(actors), failed


@pytest.fixture
def population(http: httpx.Client) -> Callable[[], tuple[httpx.Client, list[str], str]]:
    """:func:`_population`, made inside the test that calls it: a service's wrong answer
    there fails the test instead of erroring its set-up."""
    return functools.partial(_population, http)


@pytest.mark.smoke
@pytest.mark.req("HTTP-007.1", "HTTP-007.9")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-007.2", "HTTP-011.1")
def test_every_actor_with_a_head_or_a_mark_in_ascending_order(
    population: Callable[[], tuple[httpx.Client, list[str], str]],
) -> None:
    client, actors, _ = population()
    failing = str(create(client, test="failing")["actor"])  # no head, a failed mark: listed
    settle(client)
    expected = sorted([*actors, failing])
    answer = listing(client)
    check_equal(
        "HTTP-007.1",
        expected,
        ids(answer),
        "the actors GET /v1/actors lists: those with a head or a failed mark (HTTP-007.9: "
        f"{failing} failed at its genesis), in ascending order",
    )
    check_equal("HTTP-007.2", None, answer["next"], "next when nothing more is listed")


@pytest.mark.req("HTTP-007.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3")
@pytest.mark.req("CONV-004")
def test_an_entry_names_head_code_and_share(
    population: Callable[[], tuple[httpx.Client, list[str], str]],
) -> None:
    client, _, failed = population()
    for entry in listing(client)["actors"]:
        actor = entry["actor"]
        check_equal(
            "HTTP-007.1",
            head_of(client, actor),
            entry["head"],
            f"the head the entry of {actor} names",
        )
        core = object_of(client, object_of(client, entry["head"])["core"])
        check_equal(
            "HTTP-007.1",
            core["entries"]["wit"],
            entry["code"],
            f"the code the entry of {actor} names: its head's core's wit",
        )
        check_equal("HTTP-007.1", None, entry["share"], "an entry's share without a share")
        if actor != failed:
            check(
                "HTTP-007.1",
                entry["failed"] is None and entry["busy"] is False,
                expected="a settled, healthy actor's entry: failed null, busy false",
                came=entry,
            )


@pytest.mark.req("HTTP-007.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("HTTP-007.3")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_failed_actor_shows_its_mark_and_is_busy(
    population: Callable[[], tuple[httpx.Client, list[str], str]],
) -> None:
    client, _, failed = population()
    entry = body_of(client.get(f"/v1/actors/{failed}"), 200, "HTTP-007.3")
    mark = entry["failed"]
    check(
        "HTTP-007.1",
        isinstance(mark, dict) and set(mark) == {"class", "reason"},
        expected="a failed actor's entry's failed: an object of class and reason",
        came=mark,
    )
    check_error_class("HTTP-007.1", "unknown-wit", mark["class"], "the failed mark's class")
    check(
        "HTTP-007.1",
        isinstance(mark["reason"], str),
        expected="the failed mark's reason: a text",
        came=mark["reason"],
    )
    check_equal(
        "HTTP-007.1",
        True,
        entry["busy"],
        "busy of a failed actor (the message its failed transition left is pending)",
    )


@pytest.mark.parametrize(
    ("params", "which"),
    [
        ({"failed": "true"}, "failed"),
        ({"failed": "false"}, "healthy"),
        ({"busy": "true"}, "failed"),
        ({"busy": "false"}, "healthy"),
        ({"failed": "true", "busy": "false"}, "none"),
        ({"failed": "false", "busy": "false"}, "healthy"),
    ],
    ids=["failed", "not-failed", "busy", "not-busy", "failed-not-busy", "neither"],
)
@pytest.mark.req("HTTP-007.2")
@pytest.mark.req("HTTP-002.1", "HTTP-007.1")
def test_failed_and_busy_filter(
    population: Callable[[], tuple[httpx.Client, list[str], str]],
    params: dict[str, str],
    which: str,
) -> None:
    client, actors, failed = population()
    expected = {"failed": [failed], "healthy": [a for a in actors if a != failed], "none": []}
    answer = listing(client, "HTTP-007.2", **params)
    check_equal(
        "HTTP-007.2",
        expected[which],
        ids(answer),
        f"the actors GET /v1/actors?{params} lists",
    )


@pytest.mark.req("HTTP-007.2")
@pytest.mark.req("HTTP-002.1", "HTTP-007.1")
def test_code_filter(population: Callable[[], tuple[httpx.Client, list[str], str]]) -> None:
    client = population()[0]
    echo = g.object_id(g.Blob(data=b"echo", headers={"runtime": "test-actor"})).hex()
    code = g.object_id(g.Blob(data=b"counter", headers={"runtime": "test-actor"})).hex()
    counters = [e["actor"] for e in listing(client)["actors"] if e["code"] == code]
    check_equal("HTTP-007.2", 5, len(counters), "the counters among all actors listed")
    check_equal(
        "HTTP-007.2",
        counters,
        ids(listing(client, "HTTP-007.2", code=code)),
        "the actors listed with code= the counter's wit",
    )
    check_equal(
        "HTTP-007.2",
        1,
        len(ids(listing(client, "HTTP-007.2", code=echo))),
        "the number of actors listed with code= echo's wit",
    )


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.req("HTTP-007.2")
@pytest.mark.req("HTTP-002.1", "HTTP-007.1")
def test_share_filter(
    population: Callable[[], tuple[httpx.Client, list[str], str]], n: int
) -> None:
    """``share=k/n`` keeps the actors whose first 8 bytes leave k modulo n (RUN-021)."""
    client, actors, _ = population()
    for k in range(n):
        expected = [a for a in actors if share_of(a, n) == k]
        got = ids(listing(client, "HTTP-007.2", share=f"{k}/{n}"))
        check_equal("HTTP-007.2", expected, got, f"the actors listed with share={k}/{n}")


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
@pytest.mark.req("HTTP-007.2")
@pytest.mark.req("HTTP-002.1", "HTTP-007.1")
def test_paging_with_limit_and_after(
    population: Callable[[], tuple[httpx.Client, list[str], str]], limit: int
) -> None:
    client, actors, _ = population()
    seen: list[str] = []
    after: str | None = None
    for _ in range(len(actors) + 2):
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        answer = listing(client, "HTTP-007.2", **params)
        page = ids(answer)
        check(
            "HTTP-007.2",
            len(page) <= limit,
            expected=f"a page of GET /v1/actors?limit={limit} of at most {limit} entries",
            came=f"{len(page)} entries",
        )
        seen += page
        if answer["next"] is None:
            break
        check_equal(
            "HTTP-007.2",
            page[-1],
            answer["next"],
            "next: the last actor of the page",
        )
        after = answer["next"]
    check_equal("HTTP-007.2", actors, seen, f"the actors pages of {limit} list")


@pytest.mark.req("HTTP-007.2")
@pytest.mark.req("HTTP-002.1", "HTTP-007.1")
def test_after_an_actor_not_listed_starts_after_its_place(
    population: Callable[[], tuple[httpx.Client, list[str], str]],
) -> None:
    client, actors, _ = population()
    middle = actors[3][:-1] + ("0" if actors[3][-1] != "0" else "1")
    expected = [a for a in actors if a > middle]
    check_equal(
        "HTTP-007.2",
        expected,
        ids(listing(client, "HTTP-007.2", after=middle)),
        "the actors listed after= an id that is no actor's (those above it)",
    )


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "10001"},
        {"limit": "ten"},
        {"limit": "-1"},
        {"failed": "yes"},
        {"busy": "1"},
        {"code": "xyz"},
        {"share": "2/2"},
        {"share": "0/0"},
        {"share": "1"},
        {"share": "0/1025"},
        {"after": "zz"},
        # digits a number parser may take, or refuse with an error of its own
        pytest.param({"limit": "\u00b2"}, id="limit=superscript-two"),
        pytest.param({"limit": "1" + "0" * 4999}, id="limit=5000-digits"),
    ],
    ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()),
)
@pytest.mark.req("HTTP-007.2", "HTTP-003.1")
@pytest.mark.req("HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_malformed_parameter_is_400(http: httpx.Client, params: dict[str, str]) -> None:
    expect_error(
        http.get("/v1/actors", params=params), 400, "bad-request", f"HTTP-007.2 ({params})"
    )


@pytest.mark.req("HTTP-007.2")
@pytest.mark.req("HTTP-002.1", "HTTP-007.1")
def test_limits_at_the_edges_are_taken(
    population: Callable[[], tuple[httpx.Client, list[str], str]],
) -> None:
    client, actors, _ = population()
    check_equal(
        "HTTP-007.2",
        actors,
        ids(listing(client, "HTTP-007.2", limit=10000)),
        "the actors listed with limit=10000, the largest",
    )
    check_equal(
        "HTTP-007.2",
        1,
        len(ids(listing(client, "HTTP-007.2", limit=1))),
        "the number of actors listed with limit=1, the smallest",
    )


@pytest.mark.req("HTTP-007.3")
@pytest.mark.req("HTTP-002.1", "HTTP-007.1")
def test_one_entry_is_the_listed_one(
    population: Callable[[], tuple[httpx.Client, list[str], str]],
) -> None:
    client, actors, _ = population()
    listed = {e["actor"]: e for e in listing(client)["actors"]}
    for actor in actors:
        entry = body_of(client.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
        check_equal(
            "HTTP-007.3", listed[actor], entry, f"GET /v1/actors/{actor}, as the listing's entry"
        )


@pytest.mark.req("HTTP-007.3", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_an_actor_without_a_head_or_a_mark_is_404(http: httpx.Client) -> None:
    counter(http)
    settle(http)
    expect_error(http.get(f"/v1/actors/{'ab' * 32}"), 404, "not-found", "HTTP-007.3")


@pytest.mark.req("HTTP-007.4", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_the_history_of_an_actor_without_a_head_has_no_step(http: httpx.Client) -> None:
    """HTTP-007.4 answers the steps from the actor's head back: an actor with no head has
    none. The clause names no refusal for it, so two answers conform: no step at all
    (``{"steps": [], "next": null}``), or 404 ``not-found`` as HTTP-007.3 answers its
    entry; anything else (a step, a failure of the service) does not."""
    counter(http)
    settle(http)
    response = http.get(f"/v1/actors/{'ab' * 32}/history")
    if response.status_code == 404:
        expect_error(response, 404, "not-found", "HTTP-007.4 (an actor without a head)")
        return
    answer = body_of(response, 200, "HTTP-007.4 (an actor without a head: no step, or 404)")
    check_equal(
        "HTTP-007.4", {"steps": [], "next": None}, answer, "the history of an actor without a head"
    )


@pytest.mark.req("HTTP-007.4")
@pytest.mark.req(
    "HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1"
)
@pytest.mark.req("CONV-004")
def test_history_walks_back_from_the_head(http: httpx.Client) -> None:
    actor = counter(http)
    for amount in (1, 2, 3):
        settle(http)
        inc(http, actor, amount)
    settle(http)
    answer = body_of(http.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")
    steps = answer["steps"]
    check(
        "HTTP-007.4",
        answer["next"] is None and len(steps) >= 2,
        expected="a history of one page (next null) of at least two steps",
        came=answer,
    )
    check_equal(
        "HTTP-007.4",
        head_of(http, actor),
        steps[0]["step"],
        "the first step of the history: the head",
    )
    for index, entry in enumerate(steps):
        keys = {"step", "core", "previous", "inbox", "outbox", "read", "sent", "time"}
        check_equal("HTTP-007.4", keys, set(entry), "the keys of a history entry")
        stored = object_of(http, entry["step"])
        check_equal(
            "HTTP-007.4",
            {k: stored[k] for k in ("core", "previous", "inbox", "outbox")},
            {k: entry[k] for k in ("core", "previous", "inbox", "outbox")},
            "a history entry's fields, as its stored step's",
        )
        following = steps[index + 1]["step"] if index + 1 < len(steps) else None
        check_equal(
            "HTTP-007.4",
            following,
            entry["previous"],
            "the previous of a history entry: the next entry (newest first)",
        )
    check_equal(
        "HTTP-007.4",
        None,
        steps[-1]["previous"],
        "the previous of the last history entry (the first step)",
    )


@pytest.mark.parametrize("limit", [1, 2])
@pytest.mark.req("HTTP-007.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_history_pages_with_before(http: httpx.Client, limit: int) -> None:
    actor = counter(http)
    for amount in (1, 2, 3, 4):
        settle(http)
        inc(http, actor, amount)
    settle(http)
    whole = [s["step"] for s in http.get(f"/v1/actors/{actor}/history").json()["steps"]]
    seen: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    for _ in range(len(whole) + 1):
        answer = body_of(http.get(f"/v1/actors/{actor}/history", params=params), 200, "HTTP-007.4")
        page = [s["step"] for s in answer["steps"]]
        check(
            "HTTP-007.4",
            len(page) <= limit,
            expected=f"a page of the history with limit={limit} of at most {limit} steps",
            came=f"{len(page)} steps",
        )
        seen += page
        if answer["next"] is None:
            break
        params = {"limit": limit, "before": answer["next"]}
    check_equal("HTTP-007.4", whole, seen, f"the steps pages of {limit} walk")


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "10001"}, {"limit": "x"}, {"before": "xx"}, {"after": "1"}],
    ids=["limit-0", "limit-10001", "limit-text", "before-malformed", "unknown-parameter"],
)
@pytest.mark.req("HTTP-007.4", "HTTP-002.3", "HTTP-003.1")
@pytest.mark.req("HTTP-003.2", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_a_malformed_history_parameter_is_400(http: httpx.Client, params: dict[str, str]) -> None:
    actor = counter(http)
    settle(http)
    response = http.get(f"/v1/actors/{actor}/history", params=params)
    expect_error(response, 400, "bad-request", f"HTTP-007.4, HTTP-002.3 ({params})")


@pytest.mark.req("HTTP-007.4", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_history_before_no_step_is_404(http: httpx.Client) -> None:
    actor = counter(http)
    settle(http)
    for before in (blob_id(b"no step"), actor):  # absent; an object that is no step
        response = http.get(f"/v1/actors/{actor}/history", params={"before": before})
        expect_error(response, 404, "not-found", "HTTP-007.4 (a before that is no step)")


@pytest.mark.req("HTTP-007.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_history_before_a_step_of_another_actor_answers_that_history(http: httpx.Client) -> None:
    one, two = counter(http, "one"), counter(http, "two")
    for amount in (1, 2):
        inc(http, two, amount)
        settle(http)
    steps = [s["step"] for s in http.get(f"/v1/actors/{two}/history").json()["steps"]]
    check(
        "HTTP-007.4",
        len(steps) >= 2,
        expected="a history of at least two steps after two sends",
        came=steps,
    )
    answer = body_of(
        http.get(f"/v1/actors/{one}/history", params={"before": steps[0]}), 200, "HTTP-007.4"
    )
    check_equal(
        "HTTP-007.4",
        steps[1:],
        [s["step"] for s in answer["steps"]],
        "the steps a before= of another actor's step answers: those older than it there",
    )


@pytest.mark.req("HTTP-007.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "RUN-004.4")
@pytest.mark.req("HTTP-007.3")  # its checks name them too
def test_clearing_the_failed_mark_runs_the_actor_again(http: httpx.Client) -> None:
    actor = broken_updater(http)
    answer = body_of(http.delete(f"/v1/actors/{actor}/failed"), 200, "HTTP-007.5")
    check_equal("HTTP-007.5", {"cleared": True}, answer, "the answer of clearing a failed mark")
    settle(http)
    entry = body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    check(
        "HTTP-007.5",
        entry["failed"] is not None,
        expected="the actor marked failed again once cleared: its pending message runs again "
        "(its transition, which always fails, marks it)",
        came=entry,
    )
    mark = http.get(f"/v1/refs/names/failed/{actor}")
    check_equal(
        "RUN-004.4",
        200,
        mark.status_code,
        "the status of the failed ref once the actor failed again",
    )


@pytest.mark.req("HTTP-007.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-007.3")  # its checks name them too
def test_clearing_without_a_mark_answers_false(http: httpx.Client) -> None:
    actor = counter(http)
    settle(http)
    answer = body_of(http.delete(f"/v1/actors/{actor}/failed"), 200, "HTTP-007.5")
    check_equal("HTTP-007.5", {"cleared": False}, answer, "the answer of clearing no mark")
    check_equal(
        "HTTP-007.5",
        None,
        body_of(http.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")["failed"],
        "the failed mark of an actor never marked, after a clear",
    )


@pytest.mark.req("HTTP-007.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_a_cleared_mark_is_gone_until_the_actor_fails_again(http: httpx.Client) -> None:
    """A failing actor (no head) fails again once cleared: the ref is back after a settle;
    a counter never marked stays unmarked."""
    actor = create(http, test="failing")["actor"]
    settle(http)
    check_equal(
        "HTTP-007.5",
        200,
        http.get(f"/v1/refs/names/failed/{actor}").status_code,
        "the status of GET of the failing actor's failed ref after a settle",
    )
    answer = body_of(http.delete(f"/v1/actors/{actor}/failed"), 200, "HTTP-007.5")
    check_equal("HTTP-007.5", {"cleared": True}, answer, "the answer of clearing")
    settle(http)
    check_equal(
        "HTTP-007.5",
        200,
        http.get(f"/v1/refs/names/failed/{actor}").status_code,
        "the status of the failed ref after a settle: the genesis, pending again, ran again",
    )

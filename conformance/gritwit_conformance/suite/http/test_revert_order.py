"""A revert given the head the client saw: where that check comes among a revert's checks,
and what a refusal by it leaves (HTTP-016.3, RUN-024.10).

RUN-024.10 places the check of ``head`` E "right after the actor's head is found
(RUN-024.6's first check) and before S is read". So a request that gives a stale E
*and* an S that RUN-024.6 would refuse (absent, the head itself, another actor's step,
an object that is no step) breaks two rules at once and must fail 409 ``ref-conflict``,
E's; an actor without a head is 404 whatever E is, the first check being first. A
refusal by E stores nothing: neither the revert step a swap from E would adopt nor the
one from the head as it is is stored (``GET /v1/objects/{id}`` answers 404 for both,
their ids computed here from RUN-024.1), and the head and the count stay.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gritwit as g

from .._check import check, check_equal, fail
from ._api import (
    blob_id,
    body_of,
    count_of,
    create,
    expect_error,
    head_of,
    inc,
    settle,
)
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


def _history(client: httpx.Client, actor: str) -> list[dict[str, Any]]:
    """The actor's steps, newest first (HTTP-007.4)."""
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")
    steps = answer.get("steps") if isinstance(answer, dict) else None
    if not isinstance(steps, list):
        fail(
            "HTTP-007.4",
            expected="a history with a list of steps",
            came=answer,
        )
    return steps


def _counted(client: httpx.Client, actor: str, *amounts: int) -> list[dict[str, Any]]:
    """Send each amount and settle, one step each; the history then, newest first."""
    for amount in amounts:
        inc(client, actor, amount)
        settle(client)
    return _history(client, actor)


def _moved_on(client: httpx.Client) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """A counter read at 3 (steps 3, 1, 0), then moved on to 7 by a step the client has
    not seen: the actor, the steps seen (newest first) and the head now."""
    actor = str(create(client, test="counter")["actor"])
    settle(client)
    seen = _counted(client, actor, 1, 2)
    now = _counted(client, actor, 4)[0]
    check_equal("HTTP-005.2", 7, count_of(client, actor), "the counter after 1, 2 and 4 sent")
    return actor, seen, now


def _revert_step(actor: str, core: str, head: dict[str, Any]) -> str:
    """The revert step RUN-024.1 builds from ``head`` to a step whose core is ``core``."""

    def oid(text: str | None) -> g.ObjectId | None:
        return None if text is None else g.ObjectId.from_hex(text)

    step = g.Step(
        actor=g.ObjectId.from_hex(actor),
        core=g.ObjectId.from_hex(core),
        previous=g.ObjectId.from_hex(head["step"]),
        inbox=oid(head["inbox"]),
        outbox=oid(head["outbox"]),
    )
    return g.object_id(step).hex()


@pytest.mark.req("RUN-024.10", "HTTP-016.3", "HTTP-016.2", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("HTTP-006.1", "HTTP-007.4", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_stale_head_is_409_before_any_fault_of_the_step(http: httpx.Client) -> None:
    actor, seen, now = _moved_on(http)
    stale = seen[0]["step"]
    other = str(create(http, test="counter", state={"seed": b"other".hex()})["actor"])
    settle(http)
    cases = {
        "an absent step": blob_id(b"no such step"),
        "the head itself": now["step"],
        "a step of another actor": _history(http, other)[0]["step"],
        "an object that is no step": seen[0]["core"],
    }
    for what, step in cases.items():
        response = http.post(f"/v1/actors/{actor}/revert", json={"step": step, "head": stale})
        expect_error(
            response,
            409,
            "ref-conflict",
            f"RUN-024.10, HTTP-016.3 (a stale head and {what}: the head is checked first)",
        )
        check(
            "HTTP-016.3",
            head_of(http, actor) == now["step"] and count_of(http, actor) == 7,
            expected=f"the revert refused for its head ({what}) to leave the actor at "
            f"{now['step']}, count 7",
            came=f"head {head_of(http, actor)}, count {count_of(http, actor)}",
        )
    response = http.post(
        f"/v1/actors/{actor}/revert", json={"step": cases["an absent step"], "head": now["step"]}
    )
    expect_error(response, 404, "not-found", "HTTP-016.2 (the head as it is, S absent)")
    headless = g.object_id(g.Blob(data=b"no actor has this id")).hex()
    response = http.post(
        f"/v1/actors/{headless}/revert", json={"step": seen[1]["step"], "head": stale}
    )
    expect_error(
        response, 404, "not-found", "RUN-024.10 (an actor without a head: found first, 404)"
    )


@pytest.mark.req("RUN-024.10", "HTTP-016.3", "HTTP-003.3", "RUN-024.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("HTTP-006.1", "HTTP-007.4", "HTTP-009.1", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_revert_refused_for_its_head_stores_no_revert_step(http: httpx.Client) -> None:
    actor, seen, now = _moved_on(http)
    target = seen[1]  # count 1
    response = http.post(
        f"/v1/actors/{actor}/revert", json={"step": target["step"], "head": seen[0]["step"]}
    )
    expect_error(response, 409, "ref-conflict", "HTTP-016.3 (a head older than the head)")
    for what, head in (("the stale head", seen[0]), ("the head as it is", now)):
        step = _revert_step(actor, target["core"], head)
        expect_error(
            http.get(f"/v1/objects/{step}"),
            404,
            "not-found",
            f"RUN-024.10, HTTP-016.3: a revert refused for its head stores nothing, yet the "
            f"revert step from {what} ({step}) is stored; HTTP-009.1",
        )
    check(
        "HTTP-016.3",
        head_of(http, actor) == now["step"] and count_of(http, actor) == 7,
        expected=f"the revert refused for its head to leave the actor at {now['step']}, count 7",
        came=lambda: f"head {head_of(http, actor)}, count {count_of(http, actor)}",
    )

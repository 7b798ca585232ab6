"""An actor failed at its genesis is listed where a client looks for it (HTTP-007.9).

The ``failing`` test actor fails every transition, its genesis too: after its attempts it
is marked failed (RUN-004.4) and never adopts a step, so it has a mark and no head.
``GET /v1/actors`` lists it, ``failed=true`` keeps it and ``GET /v1/actors/{actor}``
answers it, with ``head`` and ``time`` null, ``code`` the ``wit`` blob of its genesis
core, its mark, and busy (its genesis stays pending, RUN-004.2), beside a healthy
counter listed as before.
"""

from __future__ import annotations

import httpx
import pytest

import gritwit as g

from .._check import check, check_equal
from ._api import body_of, counter, create, head_of, listing, send, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: The code of the ``failing`` test actor (WIT-018): its genesis core's ``wit`` blob.
FAILING_CODE = g.object_id(g.Blob(data=b"failing", headers={"runtime": "test-actor"})).hex()


def _failed_at_genesis(client: httpx.Client) -> tuple[str, str]:
    """A counter that ran, and an actor marked failed at its genesis; both settled."""
    healthy = counter(client)
    failing = str(create(client, test="failing")["actor"])
    settle(client)
    mark = client.get(f"/v1/refs/names/failed/{failing}").status_code
    head = head_of(client, failing)
    check(
        "RUN-004.4",
        mark == 200 and head is None,
        expected="the failing test actor marked failed (its mark's ref 200) with no head",
        came=f"its mark's ref answers {mark}, its head is {head}",
        what=f"the failing actor {failing}, settled",
    )
    return healthy, failing


@pytest.mark.req("HTTP-007.9", "HTTP-007.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-009.3")
@pytest.mark.req("HTTP-011.1", "RUN-004.2", "RUN-004.4")
@pytest.mark.req("CONV-004")
def test_an_actor_failed_at_its_genesis_is_listed_with_no_head(http: httpx.Client) -> None:
    healthy, failing = _failed_at_genesis(http)
    listed = {entry["actor"]: entry for entry in listing(http)["actors"]}
    check_equal(
        "HTTP-007.9",
        sorted([healthy, failing]),
        sorted(listed),
        what="GET /v1/actors: a counter and an actor marked failed at its genesis",
    )
    entry = listed[failing]
    check_equal(
        "HTTP-007.9",
        {"head": None, "time": None, "code": FAILING_CODE, "busy": True},
        {key: entry[key] for key in ("head", "time", "code", "busy")},
        what="the entry of an actor failed at its genesis: no head, no time, the wit blob "
        "of its genesis core, its genesis pending (RUN-004.2)",
    )
    mark = entry["failed"]
    check(
        "HTTP-007.9",
        isinstance(mark, dict) and isinstance(mark.get("class"), str),
        expected="its failed mark {class, reason}",
        came=mark,
        what=f"the entry of {failing}",
    )
    check(
        "HTTP-007.1",
        listed[healthy]["failed"] is None and listed[healthy]["head"] is not None,
        expected="the counter beside it healthy, with a head",
        came=listed[healthy],
        what=f"the entry of {healthy}",
    )


@pytest.mark.req("HTTP-007.9", "HTTP-007.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-007.1")
@pytest.mark.req("HTTP-009.3", "HTTP-011.1", "RUN-004.4")
@pytest.mark.req("CONV-004")
def test_failed_true_keeps_an_actor_failed_at_its_genesis(http: httpx.Client) -> None:
    healthy, failing = _failed_at_genesis(http)
    kept = [entry["actor"] for entry in listing(http, failed="true")["actors"]]
    check_equal("HTTP-007.9", [failing], kept, what="GET /v1/actors?failed=true")
    others = [entry["actor"] for entry in listing(http, failed="false")["actors"]]
    check_equal("HTTP-007.2", [healthy], others, what="GET /v1/actors?failed=false")


@pytest.mark.req("HTTP-007.9", "HTTP-007.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-007.1")
@pytest.mark.req("HTTP-009.3", "HTTP-011.1", "RUN-004.4")
@pytest.mark.req("CONV-004")
def test_an_actor_failed_at_its_genesis_has_its_entry(http: httpx.Client) -> None:
    _, failing = _failed_at_genesis(http)
    response = http.get(f"/v1/actors/{failing}")
    check_equal(
        "HTTP-007.9",
        200,
        response.status_code,
        what=f"the status of GET /v1/actors/{failing}, an actor failed at its genesis",
    )
    entry = body_of(response, 200, "HTTP-007.3")
    listed = {item["actor"]: item for item in listing(http)["actors"]}
    check_equal(
        "HTTP-007.9",
        listed.get(failing),
        entry,
        what=f"GET /v1/actors/{failing} against its entry in GET /v1/actors",
    )


#: A core without a ``wit`` entry (WIT-001): a genesis of it can only fail.
NO_WIT = g.Tree(entries={"data": g.object_id(g.Blob(data=b"\x01"))})


@pytest.mark.req("HTTP-007.9", "HTTP-007.2", "HTTP-005.1", "WIT-001", "WIT-002")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2", "HTTP-007.1")
@pytest.mark.req("HTTP-009.3", "HTTP-011.1", "RUN-004.4", "CONV-004")
def test_an_actor_whose_genesis_core_has_no_wit_is_listed_with_no_code(
    http: httpx.Client,
) -> None:
    """A genesis sent as a plain message (HTTP-005.1) whose core has no ``wit`` entry
    fails at every attempt and is marked failed with no head: it is listed, and its
    ``code`` is ``null`` (its genesis core holds no ``wit`` blob), not an error of the
    listing."""
    actor = g.object_id(NO_WIT).hex()
    send(http, actor, {"tree": {"data": {"blob": "01"}}}, mt="genesis")
    settle(http)
    check(
        "RUN-004.4",
        head_of(http, actor) is None,
        expected="no head: a genesis core without wit adopts no step",
        came="a head",
        what=f"the actor {actor}, settled",
    )
    response = http.get("/v1/actors", params={"failed": "true"})
    answer = body_of(response, 200, "HTTP-007.9: GET /v1/actors?failed=true")
    entries = {e["actor"]: e for e in answer.get("actors", [])} if isinstance(answer, dict) else {}
    check(
        "HTTP-007.9",
        actor in entries,
        expected=f"{actor}, failed at its genesis, listed",
        came=sorted(entries),
        what="GET /v1/actors?failed=true",
    )
    check_equal(
        "HTTP-007.9",
        {"head": None, "code": None},
        {key: entries[actor].get(key) for key in ("head", "code")},
        what="the entry of an actor whose genesis core has no wit blob: no head, code null",
    )

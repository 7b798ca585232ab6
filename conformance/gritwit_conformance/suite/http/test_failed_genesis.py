"""An actor failed at its genesis is listed where a client looks for it (HTTP-007.9).

The ``failing`` test actor fails every transition, its genesis too: after its attempts it
is marked failed (RUN-004.4) and never adopts a step, so it has a mark and no head.
``GET /v1/actors`` lists it, ``failed=true`` keeps it and ``GET /v1/actors/{actor}``
answers it, with ``head`` and ``time`` null, ``code`` the ``wit`` blob of its genesis
core, its mark, and busy (its genesis stays pending, RUN-004.2), beside a healthy
counter listed as before.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gritwit as g

from ._api import body_of, counter, create, head_of, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: The code of the ``failing`` test actor (WIT-018): its genesis core's ``wit`` blob.
FAILING_CODE = g.object_id(g.Blob(data=b"failing", headers={"runtime": "test-actor"})).hex()


def _listed(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    answer = body_of(client.get("/v1/actors", params=params), 200, "HTTP-007.1")
    assert isinstance(answer, dict) and isinstance(answer.get("actors"), list), (
        f"HTTP-007.1: GET /v1/actors?{params} answers {str(answer)[:300]}"
    )
    return list(answer["actors"])


def _failed_at_genesis(client: httpx.Client) -> tuple[str, str]:
    """A counter that ran, and an actor marked failed at its genesis; both settled."""
    healthy = counter(client)
    failing = str(create(client, test="failing")["actor"])
    settle(client)
    mark = client.get(f"/v1/refs/names/failed/{failing}")
    assert mark.status_code == 200 and head_of(client, failing) is None, (
        f"RUN-004.4: the failing actor {failing} should be marked failed with no head once "
        f"settled; its mark answers {mark.status_code}, its head {head_of(client, failing)}"
    )
    return healthy, failing


@pytest.mark.req("HTTP-007.9", "HTTP-007.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
def test_an_actor_failed_at_its_genesis_is_listed_with_no_head(http: httpx.Client) -> None:
    healthy, failing = _failed_at_genesis(http)
    listed = {entry["actor"]: entry for entry in _listed(http)}
    assert sorted(listed) == sorted([healthy, failing]), (
        f"HTTP-007.9: GET /v1/actors lists {sorted(listed)}; expected the counter {healthy} "
        f"and {failing}, marked failed at its genesis"
    )
    entry = listed[failing]
    assert entry["head"] is None and entry["time"] is None, (
        f"HTTP-007.9: an actor without a head has head and time null, came {entry}"
    )
    assert entry["code"] == FAILING_CODE, (
        f"HTTP-007.9: code is the wit blob of its genesis core, {FAILING_CODE}; "
        f"came {entry['code']}"
    )
    mark = entry["failed"]
    assert isinstance(mark, dict) and isinstance(mark.get("class"), str), (
        f"HTTP-007.9: its entry carries its failed mark {{class, reason}}; came {mark}"
    )
    assert entry["busy"] is True, (
        f"HTTP-007.9: its genesis stays pending (RUN-004.2), so busy is true; came {entry}"
    )
    assert listed[healthy]["failed"] is None and listed[healthy]["head"] is not None, (
        f"HTTP-007.1: the counter beside it is listed healthy with a head; came {listed[healthy]}"
    )


@pytest.mark.req("HTTP-007.9", "HTTP-007.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
def test_failed_true_keeps_an_actor_failed_at_its_genesis(http: httpx.Client) -> None:
    healthy, failing = _failed_at_genesis(http)
    kept = [entry["actor"] for entry in _listed(http, failed="true")]
    assert kept == [failing], f"HTTP-007.9: failed=true lists {kept}, expected [{failing}]"
    others = [entry["actor"] for entry in _listed(http, failed="false")]
    assert others == [healthy], f"HTTP-007.2: failed=false lists {others}, expected [{healthy}]"


@pytest.mark.req("HTTP-007.9", "HTTP-007.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
def test_an_actor_failed_at_its_genesis_has_its_entry(http: httpx.Client) -> None:
    _, failing = _failed_at_genesis(http)
    response = http.get(f"/v1/actors/{failing}")
    assert response.status_code == 200, (
        f"HTTP-007.9: GET /v1/actors/{failing}, an actor failed at its genesis, answers "
        f"{response.status_code} {response.text[:200]}; expected 200 and its entry"
    )
    entry = body_of(response, 200, "HTTP-007.3")
    listed = {item["actor"]: item for item in _listed(http)}
    assert entry == listed.get(failing), (
        f"HTTP-007.9: GET /v1/actors/{failing} answers {entry}, its listed entry is "
        f"{listed.get(failing)}"
    )

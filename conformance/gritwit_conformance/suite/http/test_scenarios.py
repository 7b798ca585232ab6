"""The runtime profile's scenarios, replayed over HTTP (HTTP-001.1, HTTP-004 … HTTP-006, HTTP-011).

Each scenario vector a service can replay (:func:`._replays.mappable`: no signals, no
fork, transfer or erase, no slow actors) is played on a fresh service: each genesis a
``POST /v1/actors``, each send a ``POST …/messages``, each run a ``POST /v1/settle``,
each kill a stop and a start on the same directory, each query a ``GET …/queries/…``;
then a last settle. Step ids are not compared: a service that runs continuously may
fold several pending messages into one step where ``rt-run``'s rounds would not, or
split them, and every step id after that differs. What is compared is what no schedule
changes — the ids of the outside's sends (their chain is the outside's own), query
answers read right after a settle, and each actor's end state (a head or none, its
head's core, inbox and outbox, a failed mark or none) — and of those only the ones on
which the reference agrees with itself under two opposite schedules
(:mod:`._replays`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import gritwit as g
from gritwit_conformance.data._vectors import Vector, find_vectors_dir, load_vectors
from gritwit_conformance.harness import current_plan

from .._check import check, check_type
from ._api import create, expect_error, head_of, object_of, send, settle
from ._replays import (
    AS_RECORDED,
    EACH_AT_ONCE,
    Outcomes,
    actors_of,
    differences,
    mappable,
    query_names,
    record,
    reference_outcomes,
)
from ._service import Service, Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")

VECTORS_DIR = find_vectors_dir(current_plan().vectors)


def _params() -> Iterator[Any]:
    if VECTORS_DIR is None:
        return
    for vector in load_vectors(VECTORS_DIR):
        if vector.file not in ("scenarios.json", "runtime.json") or mappable(vector):
            continue
        yield pytest.param(vector, id=vector.id)


def _query(client: httpx.Client, actor: str, name: str) -> tuple[str, str]:
    """A query's outcome as the reference's is written: data as hex, or the class."""
    response = client.get(f"/v1/actors/{actor}/queries/{name}", params={"form": "raw"})
    if response.status_code == 200:
        blob = check_type(
            "HTTP-006.2",
            g.decode_object(response.content),
            g.Blob,
            expected="a blob",
            what=f"the query {name} answered with ?form=raw",
        )
        return "data", blob.data.hex()
    error = expect_error(
        response,
        response.status_code,
        ("not-found", "unknown-query", "unknown-wit", "invalid-transition", "erased"),
        "HTTP-006.3",
    )
    return "error", str(error["class"])


def _replay(services: Services, vector: Vector) -> Outcomes:
    operations: list[dict[str, Any]] = vector.data["operations"]
    service: Service = services.start()
    out = Outcomes()
    settled = True  # no genesis or send since the last settle
    for index, op in enumerate(operations):
        kind = op["op"]
        client = service.client
        if kind == "genesis":
            answer = create(client, test=op["actor"], state=op.get("state", {}))
            out.ids[index] = str(answer["actor"])
            settled = False
        elif kind == "send":
            body: dict[str, Any] = {k: op[k] for k in ("content", "mt", "signal") if k in op}
            out.ids[index] = send(client, op["to"], **_send_args(body))
            settled = False
        elif kind == "run":
            settle(client)
            settled = True
        elif kind == "kill":
            service = services.restart(service)
        elif kind == "query" and settled:
            out.queries[index] = _query(client, op["actor"], op["name"])
    client = service.client
    settle(client)
    for actor in actors_of(operations, out.ids):
        head = head_of(client, actor)
        step = None if head is None else object_of(client, head, "HTTP-009.1")
        failed = client.get(f"/v1/refs/names/failed/{actor}").status_code == 200
        record(out, actor, step, failed)
    for actor, name in query_names(operations):
        out.final_queries[actor, name] = _query(client, actor, name)
    return out


def _send_args(body: dict[str, Any]) -> dict[str, Any]:
    return {"content": body["content"], "mt": body.get("mt"), "signal": body.get("signal")}


@pytest.mark.parametrize("vector", list(_params()))
@pytest.mark.req("HTTP-001.1", "HTTP-004.2", "HTTP-005.1", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2", "HTTP-006.2", "HTTP-009.3")
@pytest.mark.req("HTTP-006.3", "HTTP-009.1")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_scenario_over_http(services: Services, vector: Vector, tmp_path: Path) -> None:
    recorded = reference_outcomes(vector, tmp_path / "as-recorded", AS_RECORDED)
    each = reference_outcomes(vector, tmp_path / "each-at-once", EACH_AT_ONCE)
    expected = recorded.agreed(each, vector.data["operations"])
    got = _replay(services, vector)
    # an intermediate query is compared only where the service had settled first
    expected.queries = {i: a for i, a in expected.queries.items() if i in got.queries}
    wrong = list(differences(expected, got))
    check(
        "HTTP-001.1",
        not wrong,
        expected="the outcomes every schedule of the reference gives",
        came=lambda: f"{len(wrong)} differ:\n  " + "\n  ".join(wrong[:12]),
        what=f"scenario {vector.id} over HTTP ({', '.join(vector.data['requirements'][:6])})",
    )


@pytest.mark.req("HTTP-001.1")
def test_scenarios_over_http_were_found(services: Services) -> None:
    """Uses ``services`` only to count as not claimed where http is not (ADP-006)."""
    del services
    count = sum(1 for _ in _params())
    check(
        "HTTP-001.1",
        count >= 100,
        expected="at least 100 scenario vectors to replay over HTTP",
        came=f"{count} vectors",
    )

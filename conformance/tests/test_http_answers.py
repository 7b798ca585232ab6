"""The suite's check of every HTTP answer against the spec's OpenAPI document (HTTP-012.3).

The client of ``suite/http/_answers.py`` is given canned answers (``httpx.MockTransport``):
what it must refuse, with a message naming the clause, the operation, the status, the
field and what was expected and what came; and what is not its to judge.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gritwit_conformance.suite.http._answers import (
    ANSWER_RULE,
    AnswerMismatch,
    CheckedClient,
    OpenApi,
    described_fields,
    served_fields,
    spec_openapi,
)

ID = "ab" * 32
ENTRY: dict[str, Any] = {
    "actor": ID,
    "head": ID,
    "code": None,
    "failed": None,
    "busy": False,
    "share": None,
    "names": [],
    "time": "2026-11-27T16:21:02Z",
}


def _client(status: int, body: Any, media: str = "application/json") -> CheckedClient:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": media})

    return CheckedClient(base_url="http://127.0.0.1:1", transport=httpx.MockTransport(answer))


def _refused(call: Callable[[], object]) -> str:
    with pytest.raises(AnswerMismatch) as caught:
        call()
    return str(caught.value)


@pytest.mark.req("HTTP-012.3", "HTTP-007.3")
def test_an_answer_the_document_allows_passes() -> None:
    assert _client(200, ENTRY).get(f"/v1/actors/{ID}").json() == ENTRY
    assert _client(200, {**ENTRY, "time": None}).get("/v1/actors/tally").status_code == 200


@pytest.mark.req("HTTP-012.3", "HTTP-007.3")
def test_a_field_the_document_does_not_describe_is_refused_in_words() -> None:
    client = _client(200, {**ENTRY, "attempts": 5})
    message = _refused(lambda: client.get(f"/v1/actors/{ID}"))
    assert message.startswith(f"{ANSWER_RULE}: the 200 answer to GET /v1/actors/{ID} ")
    assert "getActor of HTTP-007.3, GET /v1/actors/{actor}" in message
    assert "schema ActorEntry" in message and "at $:" in message
    assert "serves the field(s) ['attempts']" in message and '{"attempts": 5}' in message


@pytest.mark.req("HTTP-012.3", "HTTP-007.7")
def test_a_required_field_left_out_is_refused_naming_its_clause() -> None:
    steps: dict[str, Any] = {"steps": [{"step": ID, "core": ID, "previous": None, "inbox": None,
                        "outbox": None, "read": [], "sent": []}], "next": None}  # fmt: skip
    message = _refused(lambda: _client(200, steps).get(f"/v1/actors/{ID}/history"))
    assert "at $.steps[0]" in message and "requires the field(s) ['time']" in message
    assert "cites HTTP-007.7" in message


@pytest.mark.req("HTTP-012.3", "HTTP-003.1")
def test_every_refusal_follows_error_whatever_its_status() -> None:
    extra = {"error": {"class": "bad-request", "message": "no", "status": 418}}
    for status, path in ((418, "/v1"), (404, "/nothing"), (405, "/v1/settle")):
        client = _client(status, extra)
        message = _refused(functools.partial(client.get, path))
        assert f"the {status} answer" in message and "schema Error" in message, message
        assert "['status']" in message
    plain = {"error": {"class": "bad-request", "message": "no"}}
    assert _client(404, plain).get("/nothing").status_code == 404


@pytest.mark.req("HTTP-012.3")
def test_what_is_not_the_checks_to_judge_passes() -> None:
    # A success status the operation does not list: the test's own status check judges it.
    assert _client(201, {"whatever": 1}).get("/v1").status_code == 201
    # Another media type, a body that is not JSON, a query's JSON answer (no schema).
    assert _client(200, b"x 1", "text/plain").get("/metrics").status_code == 200
    assert _client(200, b"{", "application/json").get("/v1").status_code == 200
    assert _client(200, {"any": "json"}).get(f"/v1/actors/{ID}/queries/count").is_success
    # A stream is read piecewise by its test (the events stream).
    with _client(200, {"extra": 1}).stream("GET", "/v1") as streamed:
        assert streamed.status_code == 200


@pytest.mark.req("HTTP-012.3")
def test_the_walk_finds_undescribed_fields_whatever_additional_properties_says() -> None:
    """Both ways, on a document whose object is open: a field served and undescribed is
    found, and a field described but never served is left over."""
    document = OpenApi.of(
        {
            "openapi": "3.1.0",
            "paths": {},
            "components": {
                "schemas": {
                    "Open": {
                        "type": "object",
                        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
                    }
                }
            },
        }
    )
    served: set[tuple[str, str]] = set()
    pointer = "#/components/schemas/Open"
    assert served_fields(document, pointer, {"a": 1, "c": 2}, served) == ["$.c"]
    described = described_fields(document, pointer, set())
    assert described - served == {(pointer, "b")}


@pytest.mark.req("HTTP-012.3", "HTTP-009.1")
def test_each_kind_of_object_description_is_walked_on_its_own() -> None:
    document = spec_openapi()
    served: set[tuple[str, str]] = set()
    pointer = "#/components/schemas/Object"
    blob = {"type": "blob", "data": "00", "headers": {}}
    assert served_fields(document, pointer, blob, served) == []
    assert {name for _, name in served} == {"type", "data", "headers"}
    never = described_fields(document, pointer, set()) - served
    assert {name for _, name in never} >= {"entries", "content", "base", "actor", "core"}

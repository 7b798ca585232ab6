"""OpenAPI documents (HTTP-012): the service's own, and one per actor from its ``wut``.

The service's document must describe the endpoints ``spec/schemas/http-openapi.json``
describes (HTTP-012.1). An actor's document is generated from its answer to ``wut``
(WIT-018): one ``get`` per query at that query's path, one ``post`` on the actor's
messages path whose body's ``mt`` is an enumeration of the message types (``*``: any
text), and the descriptor's ``name`` and ``description`` as ``info.title`` and
``info.description`` (HTTP-012.2). The clause does not say whether a path names the
actor by its id or by a template parameter; the suite accepts either.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from gritwit_conformance.data._paths import spec_dir
from gritwit_conformance.harness._implementation import Implementation

from ._api import PYTHON_COUNTER, body_of, create, expect_error, head_of, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_ACTOR = r"(?:[0-9a-f]{64}|\{[^}/]+\})"


def _document(response: httpx.Response, rule: str) -> dict[str, Any]:
    document = body_of(response, 200, rule)
    assert isinstance(document, dict) and str(document.get("openapi", "")).startswith("3.1"), (
        f"{rule}: the document's openapi is {document.get('openapi')!r}, not 3.1.x"
    )
    assert isinstance(document.get("paths"), dict), f"{rule}: the document has no paths"
    return document


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in METHODS
        if isinstance(item, dict) and method in item
    }


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """``node`` with local ``$ref``s followed (``#/components/…``)."""
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _descriptor(client: httpx.Client, actor: str) -> dict[str, Any]:
    response = client.get(f"/v1/actors/{actor}/queries/wut")
    return dict(json.loads(response.content))


@pytest.mark.smoke
@pytest.mark.req("HTTP-012.1")
@pytest.mark.req("CONV-006", "HTTP-002.1")
def test_the_service_describes_the_spec_endpoints(http: httpx.Client) -> None:
    spec_file = spec_dir() / "schemas" / "http-openapi.json"
    document = _document(http.get("/v1/openapi.json"), "HTTP-012.1")
    if not spec_file.is_file():
        pytest.fail(f"the suite's copy of the spec lacks {spec_file.name} (CONV-006)")
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    optional = {  # an optional endpoint (x-optional: HTTP-014) a service may leave out
        (path, method)
        for path, method in _operations(spec)
        if spec["paths"][path][method].get("x-optional") is True
    }
    missing = sorted(_operations(spec) - _operations(document) - optional)
    assert not missing, f"HTTP-012.1: the service's document lacks the operations {missing}"
    extra = sorted(_operations(document) - _operations(spec))
    assert not extra, (
        f"HTTP-012.1: the service's document describes operations {extra} the spec's does not"
    )


@pytest.mark.parametrize("name", ["counter", "echo", "budget", "requester", "spawner", "updater"])
@pytest.mark.req("HTTP-012.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_an_actor_document_follows_its_wut(http: httpx.Client, name: str) -> None:
    actor = create(http, test=name)["actor"]
    settle(http)
    wut = _descriptor(http, actor)
    document = _document(http.get(f"/v1/actors/{actor}/openapi.json"), "HTTP-012.2")
    info = document.get("info", {})
    assert (info.get("title"), info.get("description")) == (wut["name"], wut["description"]), (
        f"HTTP-012.2: info is {info}, not the descriptor's name and description"
    )
    queries = {}
    messages = []
    for path, method in _operations(document):
        found = re.fullmatch(rf"/v1/actors/{_ACTOR}/queries/([^/]+)", path)
        if found and method == "get":
            queries[found.group(1)] = path
        if re.fullmatch(rf"/v1/actors/{_ACTOR}/messages", path) and method == "post":
            messages.append(path)
    expected = sorted(q["name"] for q in wut["queries"])
    assert sorted(queries) == expected, (
        f"HTTP-012.2: the get operations are for the queries {sorted(queries)}, the "
        f"descriptor lists {expected}"
    )
    assert len(messages) == 1, f"HTTP-012.2: {len(messages)} post operations on the messages path"
    operation = _resolve(document, document["paths"][messages[0]]["post"])
    body = _resolve(document, operation.get("requestBody", {}))
    schema = _resolve(document, body.get("content", {}).get("application/json", {}).get("schema"))
    mt = _resolve(document, (schema or {}).get("properties", {}).get("mt"))
    assert isinstance(mt, dict), f"HTTP-012.2: the messages post has no mt property: {operation}"
    types = [m["mt"] for m in wut["messages"]]
    if "*" in types:
        assert "enum" not in mt and "const" not in mt, (
            f"HTTP-012.2: the descriptor takes any mt ('*'), the document restricts it: {mt}"
        )
    else:
        assert sorted(mt.get("enum", [])) == sorted(types), (
            f"HTTP-012.2: mt is {mt}, not an enumeration of the message types {types}"
        )


@pytest.mark.profile("http", "sandbox")
@pytest.mark.req("HTTP-012.2", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-009.3", "HTTP-011.1", "SBX-001")
def test_an_actor_without_wut_has_no_document(http: httpx.Client, impl: Implementation) -> None:
    """A sandboxed Python actor answers no query, ``wut`` included (SBX-014.1)."""
    del impl
    actor = create(http, python=PYTHON_COUNTER)["actor"]
    settle(http)
    assert head_of(http, actor) is not None, "SBX-001: the Python actor's genesis did not run"
    response = http.get(f"/v1/actors/{actor}/openapi.json")
    expect_error(response, 404, "unknown-query", "HTTP-012.2")

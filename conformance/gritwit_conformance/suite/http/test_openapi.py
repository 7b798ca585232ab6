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
from typing import Any, cast

import httpx
import pytest

import gritwit as g
from gritwit_conformance.data._paths import spec_dir
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import NOT_APPLICABLE, scaled
from gritwit_conformance.suite._check import SuiteBug, check, check_equal, fail

from ._answers import (
    ANSWER_RULE,
    CheckedClient,
    described_fields,
    judged,
    served_fields,
    spec_openapi,
)
from ._api import (
    PYTHON_COUNTER,
    body_of,
    create,
    expect_error,
    head_of,
    object_of,
    send,
    settle,
    shown,
)
from ._service import Services
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_ACTOR = r"(?:[0-9a-f]{64}|\{[^}/]+\})"


def _document(response: httpx.Response, rule: str) -> dict[str, Any]:
    document = body_of(response, 200, rule)
    if not isinstance(document, dict):
        fail(rule, expected="an OpenAPI document, a JSON object", came=document)
    check(
        rule,
        str(document.get("openapi", "")).startswith("3.1"),
        expected="3.1.x",
        came=document.get("openapi"),
        what="the document's openapi",
    )
    check(
        rule,
        isinstance(document.get("paths"), dict),
        expected="an object",
        came=document.get("paths"),
        what="the document's paths",
    )
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
    check_equal("HTTP-012.1", [], missing, "the spec's operations the service's document lacks")
    extra = sorted(_operations(document) - _operations(spec))
    check_equal("HTTP-012.1", [], extra, "the operations the service's document adds to the spec's")


@pytest.mark.parametrize("name", ["counter", "echo", "budget", "requester", "spawner", "updater"])
@pytest.mark.req("HTTP-012.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_an_actor_document_follows_its_wut(http: httpx.Client, name: str) -> None:
    actor = create(http, test=name)["actor"]
    settle(http)
    wut = _descriptor(http, actor)
    document = _document(http.get(f"/v1/actors/{actor}/openapi.json"), "HTTP-012.2")
    info = document.get("info", {})
    check_equal(
        "HTTP-012.2",
        {"title": wut["name"], "description": wut["description"]},
        {"title": info.get("title"), "description": info.get("description")},
        "the document's info: the descriptor's name and description",
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
    check_equal(
        "HTTP-012.2",
        expected,
        sorted(queries),
        "the queries the document's get operations are for: the descriptor's",
    )
    check_equal("HTTP-012.2", 1, len(messages), "the post operations on the messages path")
    operation = _resolve(document, document["paths"][messages[0]]["post"])
    body = _resolve(document, operation.get("requestBody", {}))
    schema = _resolve(document, body.get("content", {}).get("application/json", {}).get("schema"))
    mt = _resolve(document, (schema or {}).get("properties", {}).get("mt"))
    if not isinstance(mt, dict):
        fail("HTTP-012.2", expected="an mt property", came=operation, what="the messages post")
    types = [m["mt"] for m in wut["messages"]]
    if "*" in types:
        check(
            "HTTP-012.2",
            "enum" not in mt and "const" not in mt,
            expected="an mt left open: the descriptor takes any mt ('*')",
            came=mt,
            what="the messages post's mt",
        )
    else:
        check_equal(
            "HTTP-012.2",
            sorted(types),
            sorted(mt.get("enum", [])),
            "the enumeration of the messages post's mt: the descriptor's message types",
        )


@pytest.mark.profile("http", "sandbox")
@pytest.mark.req("HTTP-012.2", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-009.3", "HTTP-011.1", "SBX-001")
@pytest.mark.req("CONV-004")
def test_an_actor_without_wut_has_no_document(http: httpx.Client, impl: Implementation) -> None:
    """A sandboxed Python actor answers no query, ``wut`` included (SBX-014.1)."""
    del impl
    actor = create(http, python=PYTHON_COUNTER)["actor"]
    settle(http)
    check(
        "SBX-001",
        head_of(http, actor) is not None,
        expected="a head: the Python actor's genesis ran",
        came="none",
        what=f"the head of {actor}",
    )
    response = http.get(f"/v1/actors/{actor}/openapi.json")
    expect_error(response, 404, "unknown-query", "HTTP-012.2")


# --- every answer against the spec's document, both ways (HTTP-012.3) --------------------
#
# Every answer of every test is validated as it comes (the suite's client, ``_answers``).
# The session below touches every operation of the document, and then judges the
# document against what was served, independently of its ``additionalProperties``: every
# field served is one the document describes where it came, and every field the document
# describes under the answers that came was served at least once.

BUNDLE = "application/vnd.gritwit.bundle"
CBOR = {"Content-Type": "application/cbor"}


def _named(client: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = body_of(client.post("/v1/actors", json=body), 201, "HTTP-004.2")
    check(
        "HTTP-004.2",
        isinstance(answer, dict) and isinstance(answer.get("actor"), str),
        expected="an answer holding the new actor's id",
        came=answer,
        what="POST /v1/actors",
    )
    return cast(dict[str, Any], answer)


def _history(client: httpx.Client, actor: str) -> list[dict[str, Any]]:
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")
    steps = answer.get("steps") if isinstance(answer, dict) else None
    check(
        "HTTP-007.4",
        isinstance(steps, list) and bool(steps),
        expected="a history of at least one step",
        came=answer,
        what=f"the history of {actor}",
    )
    return cast(list[dict[str, Any]], steps)


def _every_operation(services: Services) -> tuple[CheckedClient, CheckedClient, str]:
    """A session that gets a success answer from every operation of the document.

    Answers ``(client, other, counter)``: the service's client, a second service's (on
    its own store, the bundle's importer), and the named counter's id.
    """
    client = services.start().client
    other = services.start("other").client
    if not (isinstance(client, CheckedClient) and isinstance(other, CheckedClient)):
        raise SuiteBug("suite bug: the services' clients are not the answer-checking clients")
    client.keep_answers = other.keep_answers = True
    for path in ("/healthz", "/readyz", "/v1", "/v1/openapi.json", "/v1/names"):
        body_of(client.get(path), 200, "HTTP-001.5, HTTP-001.6, HTTP-012.1, HTTP-015.2")
    tally = _named(client, test="counter", name="tally")["actor"]
    echo = create(client, test="echo")["actor"]
    send(client, tally, {"blob": b"2".hex()}, mt="inc", key="once")
    send(client, tally, {"blob": b"2".hex()}, mt="inc", key="once", status=200, rule="HTTP-005.3")
    send(client, echo, {"blob": b"hi".hex()}, mt="ping")
    batch = [
        {"to": "tally", "content": {"blob": b"3".hex()}, "mt": "inc"},
        {"to": echo, "content": {"blob": b"ho".hex()}, "mt": "ping", "key": "batched"},
    ]
    body_of(client.post("/v1/messages", json={"messages": batch}), 202, "HTTP-005.7")
    settle(client)
    updater = create(client, test="updater")["actor"]  # marked failed (RUN-004.4)
    send(client, updater, {"blob": b"no-such-test-actor".hex()}, mt="set-code")
    settle(client)
    send(client, updater, {"blob": ""}, mt="poke")
    settle(client)
    for path in ("/v1/actors", "/v1/actors/tally", f"/v1/actors/{updater}"):
        body_of(client.get(path), 200, "HTTP-007.1, HTTP-007.3")
    body_of(client.get(f"/v1/actors/{tally}/queries/count"), 200, "HTTP-006.1")
    body_of(client.get(f"/v1/actors/{tally}/openapi.json"), 200, "HTTP-012.2")
    body_of(client.get(f"/v1/actors/{tally}/timers"), 200, "HTTP-007.10")  # none set: []
    alarm = create(client, test="alarm")["actor"]  # TIM-008: a timer an hour ahead
    ask = {"mt": "timer-set", "timer-mt": "ring", "timer-after": "3600000"}
    tree = {"request": {"blob": "", "headers": ask}, "content": {"blob": "00"}}
    send(client, alarm, {"tree": tree}, mt="timer")
    settle(client)
    body_of(client.get(f"/v1/actors/{alarm}/timers"), 200, "HTTP-007.10")
    steps = _history(client, echo)
    head = steps[0]
    step = object_of(client, head["step"])  # a step
    core = object_of(client, step["core"])  # a tree
    object_of(client, core["entries"]["wit"])  # a blob
    object_of(client, step["inbox"])  # a mailbox
    object_of(client, head["read"][0]["message"])  # a message
    raw = client.get(f"/v1/objects/{head['step']}", params={"form": "raw"})
    check("HTTP-009.1", raw.status_code == 200, expected="200", came=shown(raw), what="?form=raw")
    stored = g.encode_object(g.Blob(data=b"described", headers={}))
    body_of(client.post("/v1/objects", content=stored, headers=CBOR), 201, "HTTP-009.2")
    body_of(client.get("/v1/refs", params={"prefix": "heads/"}), 200, "HTTP-009.3")
    body_of(client.get(f"/v1/refs/heads/{tally}"), 200, "HTTP-009.3")
    bundle = client.get(f"/v1/actors/{tally}/bundle")
    check(
        "HTTP-010.1",
        bundle.status_code == 200,
        expected="200",
        came=shown(bundle),
        what="exporting a counter",
    )
    imported = other.post("/v1/bundles", content=bundle.content, headers={"Content-Type": BUNDLE})
    body_of(imported, 200, "HTTP-010.2")
    _history(other, tally)  # steps moved in a bundle, not heads there: no time (RUN-027.2)
    body_of(other.get(f"/v1/actors/{tally}"), 200, "HTTP-007.3")
    tallied = _history(client, tally)
    body_of(
        client.post(f"/v1/actors/{tally}/fork", json={"step": tallied[-1]["step"]}),
        201,
        "HTTP-017.1",
    )
    body_of(
        client.post(f"/v1/actors/{tally}/revert", json={"step": tallied[-1]["step"]}),
        200,
        "HTTP-016.1",
    )
    body_of(client.delete(f"/v1/actors/{updater}/failed"), 200, "HTTP-007.5")
    expect_error(client.get(f"/v1/actors/{'ab' * 32}"), 404, "not-found", "HTTP-007.3")
    refused = client.post("/v1/settle", json={"timeout": "soon"})
    expect_error(refused, 400, "bad-request", "HTTP-002.3")
    with client.stream("GET", "/v1/events", timeout=httpx.Timeout(scaled(10))) as events:
        check(
            "HTTP-008",
            events.status_code == 200,
            expected="200",
            came=events.status_code,
            what="GET /v1/events",
        )
    client.get("/metrics")  # optional (HTTP-014): 200, or 404 where it is left out
    settle(client)
    return client, other, tally


def _touched(client: CheckedClient, extra: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The operations ``client`` got a 2xx answer from, as (METHOD, template)."""
    touched = set(extra)
    for response in client.answers:
        operation = client.document.operation(response.request.method, _raw(response))
        if operation is not None and 200 <= response.status_code < 300:
            touched.add((operation.method, operation.template))
    return touched


def _raw(response: httpx.Response) -> str:
    return response.request.url.raw_path.decode("ascii", "replace").split("?", 1)[0]


@pytest.mark.req("HTTP-012.3")
@pytest.mark.req(
    "HTTP-001.5",
    "HTTP-001.6",
    "HTTP-002.1",
    "HTTP-002.3",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-004.2",
    "HTTP-004.5",
    "HTTP-005.2",
    "HTTP-005.3",
    "HTTP-005.7",
    "HTTP-006.1",
    "HTTP-007.1",
    "HTTP-007.3",
    "HTTP-007.4",
    "HTTP-007.5",
    "HTTP-007.7",
    "HTTP-008",
    "HTTP-009.1",
    "HTTP-009.2",
    "HTTP-009.3",
    "HTTP-010.1",
    "HTTP-010.2",
    "HTTP-011.1",
    "HTTP-012.1",
    "HTTP-012.2",
    "HTTP-015.2",
    "HTTP-016.1",
    "HTTP-017.1",
)
@pytest.mark.req("HTTP-007.10")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_the_document_describes_every_field_served_both_ways(services: Services) -> None:
    """Over a session touching every operation: each answer validated as it came; every
    field served is described where it came; every field described under the answers
    that came was served; every operation of the document answered success."""
    if judged() is None:
        pytest.skip(f"{NOT_APPLICABLE}: {ANSWER_RULE} is newer than the applied spec version")
    client, other, _ = _every_operation(services)
    document = client.document
    every = {(op.method, op.template) for op in document.operations}
    optional = {
        (op.method, op.template)
        for op in document.operations
        if document.document["paths"][op.template][op.method.lower()].get("x-optional")
    }
    touched = _touched(client, {("GET", "/v1/events")}) | _touched(other, set())
    missing = sorted(every - optional - touched)
    check(
        ("HTTP-012.3", "HTTP-012.1"),
        not missing,
        expected="a success status from every operation of the document the session asked",
        came=f"no success status from {missing}",
    )
    served: set[tuple[str, str]] = set()
    reached: set[str] = set()
    for response in client.answers + other.answers:
        if _media_of(response) != "application/json" or not response.content:
            continue
        operation = document.operation(response.request.method, _raw(response))
        pointer = document.answer_pointer(operation, response.status_code, "application/json")
        if pointer is None:
            continue
        if operation is not None and 200 <= response.status_code < 300:
            reached.add(pointer)  # a success answer: each field it describes must come
        body = json.loads(response.content)
        undescribed = served_fields(document, pointer, body, served)
        reached_by = operation.named() if operation is not None else _raw(response)
        check(
            "HTTP-012.3",
            not undescribed,
            expected="only the fields the document describes where they came",
            came=f"the undescribed fields {undescribed} in {shown(response, 300)}",
            what=f"the {response.status_code} answer to {reached_by}",
        )
    described: set[tuple[str, str]] = set()
    for pointer in reached:
        described_fields(document, pointer, described)
    never = sorted(f"{where}: {name}" for where, name in described - served)
    check(
        "HTTP-012.3",
        not never,
        expected="every field the document describes served at least once by a session "
        "touching every operation",
        came=f"never served (schema pointer: field): {never}",
    )


def _media_of(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


@pytest.mark.req("HTTP-012.1", "HTTP-002.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_the_service_serves_no_operation_the_document_lacks(http: httpx.Client) -> None:
    """The other way round from the session above: on every path of the document, each
    method the document does not describe there is an unknown method (404 or 405
    ``bad-request``), so the service's routes are the document's operations."""
    document = spec_openapi()
    actor = create(http, test="counter")["actor"]
    send(http, actor, {"blob": b"1".hex()}, mt="inc")
    settle(http)
    step = head_of(http, actor)
    check(
        "HTTP-004.2",
        step is not None,
        expected="a head after a settle",
        came="none",
        what=f"the counter {actor}",
    )
    values = {"actor": actor, "id": step}
    refused: list[str] = []
    for template, item in document.document["paths"].items():
        path = re.sub(r"\{([a-z]+)\}", lambda m: values.get(m.group(1), "count"), template)
        if template == "/v1/refs/{name}":
            path = f"/v1/refs/heads/{actor}"
        for method in ("get", "post", "put", "delete", "patch"):
            if method in item:
                continue
            response = http.request(method.upper(), path)
            if response.status_code not in (404, 405):
                refused.append(f"{method.upper()} {path}: {shown(response, 120)}")
                continue
            expect_error(response, response.status_code, "bad-request", "HTTP-002.4")
    check(
        ("HTTP-012.1", "HTTP-002.4"),
        not refused,
        expected="404 or 405 bad-request for every method the document does not describe "
        "on its paths",
        came=f"otherwise from {refused}",
    )

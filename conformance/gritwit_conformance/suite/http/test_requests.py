"""Malformed requests: refused with the right status and class, leaving nothing behind.

HTTP-002.3 lists what a JSON body may not be (not UTF-8 JSON, a lone surrogate, deeper
than 32, not an object, a field missing, of the wrong type or unknown) and the 415 of
another media type; HTTP-002.4 the ``invalid-id`` of a malformed id in a path or a body.
Each refusal must carry the body of HTTP-003.1 and leave nothing behind (HTTP-003.3,
HTTP-013.5): the suite then sends a message to the same actor, whose ``previous`` must
be the last message acknowledged before the refusal, and asks for an object the refused
request would have stored, which must be absent.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .._check import check, check_equal, suite_premise
from ._api import (
    blob_id,
    counter,
    create,
    expect_error,
    inc,
    next_previous,
    send,
)
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

JSON = {"Content-Type": "application/json"}


def nested(depth: int) -> dict[str, Any]:
    """A send body nesting arrays and objects exactly ``depth`` deep (the body is level 1).

    Trees of trees (``{"tree": {"a": …}}``, two levels each) down to an empty blob, whose
    ``headers`` (``{}``, one level more) make the depth odd: valid either way.
    """
    suite_premise(depth >= 3, "a body nests at least 3 deep")
    inner: dict[str, Any] = {"blob": ""}
    if depth % 2:
        inner["headers"] = {}
    levels = 2  # the body and the innermost content
    if depth % 2:
        levels += 1
    content = inner
    while levels < depth:
        content = {"tree": {"a": content}}
        levels += 2
    return {"content": content, "mt": "deep"}


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


#: Bodies HTTP-002.3 refuses → 400 bad-request, each sent to a counter's messages.
BAD_BODIES: dict[str, bytes] = {
    "not-json": b'{"content": {"blob": ""}, "mt": ',
    "not-utf8": b'{"content": {"blob": ""}, "mt": "\xff\xfe"}',
    "utf16": '{"content": {"blob": ""}}'.encode("utf-16"),
    "lone-surrogate-value": b'{"content": {"blob": ""}, "mt": "a\\ud800b"}',
    "lone-surrogate-key": b'{"content": {"blob": ""}, "mt": "x", "\\udc00": 1}',
    "lone-surrogate-deep": b'{"content": {"blob": "", "headers": {"k": "\\udbff"}}}',
    "depth-33": json.dumps(nested(33)).encode(),
    "array": b'[{"content": {"blob": ""}}]',
    "string": b'"content"',
    "null": b"null",
    "empty": b"",
    "missing-content": b'{"mt": "inc"}',
    "content-a-string": b'{"content": "00"}',
    "blob-a-number": b'{"content": {"blob": 5}}',
    "mt-a-number": b'{"content": {"blob": ""}, "mt": 5}',
    "signal-a-string": b'{"content": {"blob": ""}, "signal": "yes"}',
    "header-a-number": b'{"content": {"blob": "", "headers": {"k": 1}}}',
    "unknown-field": b'{"content": {"blob": ""}, "mt": "inc", "priority": 1}',
    "unknown-content-member": b'{"content": {"blob": "", "tree": {}}}',
    "content-empty-object": b'{"content": {}}',
    "trailing-garbage": b'{"content": {"blob": ""}} x',
}


def _target(http: httpx.Client) -> tuple[httpx.Client, str, str]:
    """A counter and the last message the outside acknowledged to it."""
    actor = counter(http)
    last = inc(http, actor)
    return http, actor, last


@pytest.fixture
def target(http: httpx.Client) -> Callable[[], tuple[httpx.Client, str, str]]:
    """:func:`_target`, made inside the test that calls it: a service's wrong answer
    there fails the test instead of erroring its set-up."""
    return functools.partial(_target, http)


def _nothing_sent(client: httpx.Client, actor: str, last: str, what: str) -> None:
    previous = next_previous(client, actor)
    check_equal(
        ("HTTP-003.3", "HTTP-013.5"),
        last,
        previous,
        f"the message a new send chains onto after the refused {what}: the last acknowledged "
        "one, the refused request sent nothing",
    )


@pytest.mark.parametrize("name", list(BAD_BODIES))
@pytest.mark.req("HTTP-002.3", "HTTP-003.1", "HTTP-003.2", "HTTP-003.3", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_a_malformed_body_is_400_and_sends_nothing(
    target: Callable[[], tuple[httpx.Client, str, str]], name: str
) -> None:
    client, actor, last = target()
    response = client.post(f"/v1/actors/{actor}/messages", content=BAD_BODIES[name], headers=JSON)
    expect_error(response, 400, "bad-request", f"HTTP-002.3 ({name})")
    _nothing_sent(client, actor, last, f"body ({name})")


@pytest.mark.parametrize("depth", [3, 31, 32])
@pytest.mark.req("HTTP-002.3", "HTTP-005.1")
def test_a_body_32_deep_is_taken(
    target: Callable[[], tuple[httpx.Client, str, str]], depth: int
) -> None:
    """The limit is on nesting deeper than 32: 32 levels are a valid body."""
    client, actor, _ = target()
    body = nested(depth)
    suite_premise(_depth(body) == depth, f"the body nests {depth} deep")
    response = client.post(f"/v1/actors/{actor}/messages", json=body)
    check_equal(
        "HTTP-002.3",
        202,
        response.status_code,
        f"the status of a send whose body nests {depth} deep (at most 32 allowed; it "
        f"answered {response.text[:300]!r})",
    )


@pytest.mark.parametrize(
    "media",
    ["text/plain", "application/cbor", "application/x-www-form-urlencoded", "text/json"],
)
@pytest.mark.req("HTTP-002.3", "HTTP-003.1", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.2", "HTTP-005.2", "HTTP-013.5")
@pytest.mark.req("CONV-004")
def test_another_media_type_is_415(
    target: Callable[[], tuple[httpx.Client, str, str]], media: str
) -> None:
    client, actor, last = target()
    body = b'{"content": {"blob": ""}, "mt": "inc"}'
    response = client.post(
        f"/v1/actors/{actor}/messages", content=body, headers={"Content-Type": media}
    )
    expect_error(response, 415, "bad-request", f"HTTP-002.3 (Content-Type {media})")
    _nothing_sent(client, actor, last, f"body of type {media}")


@pytest.mark.req("HTTP-002.1")
def test_a_charset_parameter_is_still_json(
    target: Callable[[], tuple[httpx.Client, str, str]],
) -> None:
    client, actor, _ = target()
    body = b'{"content": {"blob": ""}, "mt": "inc"}'
    headers = {"Content-Type": "application/json; charset=utf-8"}
    response = client.post(f"/v1/actors/{actor}/messages", content=body, headers=headers)
    check_equal(
        "HTTP-002.1",
        202,
        response.status_code,
        "the status of a send whose JSON body comes as application/json; charset=utf-8 (it "
        f"answered {response.text[:300]!r})",
    )


#: Ids HTTP-002.4 refuses: not 64 lowercase hex digits (ID-003).
BAD_IDS = {
    "upper": "AB" * 32,
    "short": "ab" * 31 + "a",
    "long": "ab" * 32 + "a",
    "not-hex": "zz" * 32,
}
#: Every endpoint with an id in its path: (method, path with {id}).  An ``{actor}``
#: segment is an id or a name (HTTP-015.1): suite/http/test_life.py judges those.
ID_PATHS = {
    "object": ("GET", "/v1/objects/{id}"),
}


@pytest.mark.parametrize("endpoint", list(ID_PATHS))
@pytest.mark.parametrize("bad", ["upper", "short", "not-hex"])
@pytest.mark.req("HTTP-002.4", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_malformed_id_in_a_path_is_400_invalid_id(
    http: httpx.Client, endpoint: str, bad: str
) -> None:
    method, path = ID_PATHS[endpoint]
    response = http.request(method, path.format(id=BAD_IDS[bad]))
    expect_error(response, 400, "invalid-id", f"HTTP-002.4 ({bad} id in {path})")


@pytest.mark.parametrize("bad", list(BAD_IDS))
@pytest.mark.req("HTTP-002.4", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_malformed_core_id_in_a_body_is_400_invalid_id(http: httpx.Client, bad: str) -> None:
    expect_error(
        http.post("/v1/actors", json={"core": BAD_IDS[bad]}),
        400,
        "invalid-id",
        f"HTTP-002.4 ({bad} id as core)",
    )


@pytest.mark.req("HTTP-003.3", "HTTP-015.1")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_send_to_a_malformed_id_stores_no_content(http: httpx.Client) -> None:
    data = b"content of a send refused for its recipient"
    response = http.post(
        f"/v1/actors/{BAD_IDS['upper']}/messages", json={"content": {"blob": data.hex()}}
    )
    expect_error(response, 400, "invalid-ref-name", "HTTP-015.1")
    absent = http.get(f"/v1/objects/{blob_id(data)}")
    expect_error(absent, 404, "not-found", "HTTP-003.3: the refused send stored its content")


@pytest.mark.req("HTTP-003.3", "HTTP-002.3", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_a_send_refused_for_a_field_stores_no_content(
    target: Callable[[], tuple[httpx.Client, str, str]],
) -> None:
    client, actor, last = target()
    data = b"content of a send refused for its signal"
    body = {"content": {"tree": {"x": {"blob": data.hex()}}}, "signal": "yes"}
    expect_error(
        client.post(f"/v1/actors/{actor}/messages", json=body), 400, "bad-request", "HTTP-002.3"
    )
    absent = client.get(f"/v1/objects/{blob_id(data)}")
    expect_error(absent, 404, "not-found", "HTTP-003.3: the refused send stored its content")
    _nothing_sent(client, actor, last, "send with a wrong signal")


@pytest.mark.req("HTTP-003.3", "HTTP-004.3")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_refused_creation_stores_no_state(http: httpx.Client) -> None:
    data = b"state of an actor no test actor is"
    response = http.post("/v1/actors", json={"test": "no-such-actor", "state": {"x": data.hex()}})
    expect_error(response, 422, "unknown-wit", "HTTP-004.3")
    absent = http.get(f"/v1/objects/{blob_id(data)}")
    expect_error(absent, 404, "not-found", "HTTP-003.3: the refused creation stored its state")


@pytest.mark.req("HTTP-003.3", "HTTP-002.3")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_creation_with_an_unknown_field_stores_nothing(http: httpx.Client) -> None:
    data = b"state of a creation with a field too many"
    body = {"test": "counter", "state": {"x": data.hex()}, "owner": "me"}
    expect_error(http.post("/v1/actors", json=body), 400, "bad-request", "HTTP-002.3")
    absent = http.get(f"/v1/objects/{blob_id(data)}")
    expect_error(absent, 404, "not-found", "HTTP-003.3: the refused creation stored its state")


@pytest.mark.req("HTTP-002.2", "HTTP-003.2")
@pytest.mark.parametrize("data", ["ABCD", "abc", "xy"], ids=["upper", "odd", "not-hex"])
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.3", "HTTP-005.2", "HTTP-013.5")
@pytest.mark.req("CONV-004")
def test_blob_data_not_lowercase_hex_is_400(
    target: Callable[[], tuple[httpx.Client, str, str]], data: str
) -> None:
    """Byte strings are lowercase hex (HTTP-002.2); which 400 class the spec leaves open
    (a field of the wrong form, ``bad-request``, or the blob rule, ``invalid-object``)."""
    client, actor, last = target()
    response = client.post(f"/v1/actors/{actor}/messages", json={"content": {"blob": data}})
    expect_error(response, 400, ("bad-request", "invalid-object"), "HTTP-002.2")
    _nothing_sent(client, actor, last, f"send of blob data {data!r}")


@pytest.mark.req("HTTP-002.3", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_request_after_refusals_is_served(
    target: Callable[[], tuple[httpx.Client, str, str]],
) -> None:
    """Every refusal above in a row on one connection, then a send that must be taken."""
    client, actor, last = target()
    for body in BAD_BODIES.values():
        response = client.post(f"/v1/actors/{actor}/messages", content=body, headers=JSON)
        check_equal(
            "HTTP-002.3", 400, response.status_code, f"the status of a send of {body[:60]!r}"
        )
    message = send(client, actor, {"blob": ""}, mt="inc")
    check(
        "HTTP-003.3",
        message != last,
        expected=f"a new message, not {last}",
        came=message,
        what="the send after the refusals",
    )
    check_equal(
        "HTTP-004.2",
        False,
        create(client, test="echo").get("existed"),
        "existed of a create after the refusals: a new actor",
    )


#: Query parameters HTTP-002.3 refuses: (method, path, query), ``{actor}`` a counter.
BAD_PARAMETERS = {
    "refs-twice": ("GET", "/v1/refs", "prefix=a&prefix=b"),
    "object-form": ("GET", "/v1/objects/{actor}", "form=json"),
    "object-twice": ("GET", "/v1/objects/{actor}", "form=raw&form=raw"),
    "query-form": ("GET", "/v1/actors/{actor}/queries/count", "form=cbor"),
    "query-unknown": ("GET", "/v1/actors/{actor}/queries/count", "raw=1"),
    "actor-unknown": ("GET", "/v1/actors/{actor}", "verbose=true"),
    "actors-twice": ("GET", "/v1/actors", "limit=1&limit=2"),
    "settle-unknown": ("POST", "/v1/settle", "timeout=1"),
    "version-unknown": ("GET", "/v1", "x=1"),
    "send-unknown": ("POST", "/v1/actors/{actor}/messages", "wait=true"),
}


@pytest.mark.parametrize("name", list(BAD_PARAMETERS))
@pytest.mark.req("HTTP-002.3", "HTTP-003.1", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.2", "HTTP-005.2", "HTTP-013.5")
@pytest.mark.req("CONV-004")
def test_a_malformed_query_parameter_is_400(
    target: Callable[[], tuple[httpx.Client, str, str]], name: str
) -> None:
    client, actor, last = target()
    method, path, query = BAD_PARAMETERS[name]
    body: dict[str, Any] | None = None
    if path.endswith("/messages"):
        body = {"content": {"blob": ""}, "mt": "inc"}
    elif path == "/v1/settle":
        body = {"timeout": 0}
    response = client.request(method, f"{path.format(actor=actor)}?{query}", json=body)
    expect_error(response, 400, "bad-request", f"HTTP-002.3 (?{query} on {path})")
    _nothing_sent(client, actor, last, f"request with ?{query}")

"""A query parameter no endpoint defines is refused everywhere (HTTP-002.3).

``test_requests.py`` sends malformed parameters to a few endpoints. Here every operation
of the spec's OpenAPI document (HTTP-012.1) but the two probes gets the one request that
would be served — the same request without the parameter is sent next and must be
served, so that the 400 is the parameter's — with a parameter none defines added:
``?gritwit-undefined=1`` must fail → 400 ``bad-request`` (HTTP-002.3) with the body of
HTTP-003.1. An operation the document marks optional (``x-optional``) that the service
does not serve (404 without the parameter) is passed over.

The probes are left out: ``GET /healthz`` and ``GET /readyz`` are what orchestrators
poll to learn whether the process lives, and HTTP-001.5 has them answer whatever the
query (a probe that refuses its poller's parameter would report a live service dead):
each is asked with the undefined parameter, with one given twice and with a malformed
value of a parameter an endpoint elsewhere defines, and must answer as without them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import gritwit as g

from .._check import check, suite_premise
from ._api import body_of, counter, expect_error, inc, settle, shown
from ._service import Services
from ._service import http as http
from ._service import services as services
from ._tokens import operations

pytestmark = pytest.mark.profile("http")

UNDEFINED = "gritwit-undefined=1"
PROBES = {("get", "/healthz"), ("get", "/readyz")}
CBOR = "application/cbor"
BUNDLE = "application/vnd.gritwit.bundle"


@dataclass(frozen=True)
class World:
    """What the requests name: a counter with a step, one of its steps, and the bundle of
    an actor of another store (one of this store would be there already, RUN-009.4)."""

    actor: str
    step: str
    bundle: bytes


def _world(client: httpx.Client, elsewhere: httpx.Client) -> World:
    actor = counter(client)
    inc(client, actor)
    settle(client)
    steps = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4").get("steps")
    suite_premise(isinstance(steps, list) and steps, "a counter sent a message has a step")
    step = steps[-1]["step"] if isinstance(steps[-1], dict) else None
    check(
        "HTTP-007.4",
        isinstance(step, str),
        expected="a history entry naming its step",
        came=steps[-1],
    )
    other = counter(elsewhere, "elsewhere")  # a seed of its own: another actor's id
    # A genesis is accepted before it runs: the actor has a head, and so a bundle, only
    # once the service has run it (RUN-009.1); CI met the 404 of a head not yet made.
    settle(elsewhere)
    bundle = elsewhere.get(f"/v1/actors/{other}/bundle")
    check(
        "HTTP-010.1",
        bundle.status_code == 200,
        expected="the actor's bundle, 200",
        came=lambda: shown(bundle),
    )
    return World(actor, str(step), bundle.content)


#: The body (media type and bytes) of each operation that takes one, for a request the
#: service serves; the others send none.
BODIES: dict[tuple[str, str], Callable[[World], tuple[str, bytes]]] = {
    ("post", "/v1/actors"): lambda w: ("application/json", b'{"test": "counter"}'),
    ("post", "/v1/actors/{actor}/messages"): lambda w: (
        "application/json",
        b'{"content": {"blob": ""}, "mt": "noop"}',
    ),
    ("post", "/v1/messages"): lambda w: (
        "application/json",
        b'{"messages": [{"to": "%s", "content": {"blob": ""}, "mt": "noop"}]}' % w.actor.encode(),
    ),
    ("post", "/v1/actors/{actor}/revert"): lambda w: (
        "application/json",
        b'{"step": "%s"}' % w.step.encode(),
    ),
    ("post", "/v1/actors/{actor}/fork"): lambda w: (
        "application/json",
        b'{"step": "%s"}' % w.step.encode(),
    ),
    ("post", "/v1/objects"): lambda w: (CBOR, g.encode_object(g.Blob(data=b"undefined"))),
    ("post", "/v1/bundles"): lambda w: (BUNDLE, w.bundle),
    ("post", "/v1/settle"): lambda w: ("application/json", b'{"timeout": 0}'),
}


def _path(template: str, world: World) -> str:
    if template == "/v1/refs/{name}":
        return f"/v1/refs/heads/{world.actor}"
    values = {"actor": world.actor, "id": world.actor, "name": "count"}
    return re.sub(r"\{([a-z]+)\}", lambda m: values[m.group(1)], template)


def _ask(client: httpx.Client, method: str, template: str, world: World, query: str) -> Any:
    """The request of the operation, with ``query``; its status and (unless a stream)
    the answer, read whole."""
    headers: dict[str, str] = {}
    body: bytes | None = None
    made = BODIES.get((method, template))
    if made is not None:
        headers["content-type"], body = made(world)
    path = _path(template, world) + (f"?{query}" if query else "")
    request = client.build_request(method.upper(), path, headers=headers, content=body)
    response = client.send(request, stream=True)
    try:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            return response  # its status and headers: the stream is left unread
        response.read()
        return response
    finally:
        response.close()


@pytest.mark.req("HTTP-002.3", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-007.4", "HTTP-010.1")
@pytest.mark.req("HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_parameter_no_endpoint_defines_is_400_at_every_endpoint(
    http: httpx.Client, services: Services
) -> None:
    world = _world(http, services.start("elsewhere").client)
    for operation in operations():
        method, template = operation.method, operation.path
        if (method, template) in PROBES:
            continue
        label = f"{method.upper()} {template}"
        refused = _ask(http, method, template, world, UNDEFINED)
        plain = _ask(http, method, template, world, "")
        if operation.optional and plain.status_code == 404:
            continue  # an optional operation this service does not serve
        check(
            "HTTP-002.3",
            plain.status_code < 400,
            expected="the request without the parameter served (a premise of the 400)",
            came=shown(plain) if plain.is_stream_consumed else plain.status_code,
            what=label,
        )
        expect_error(refused, 400, "bad-request", f"HTTP-002.3: {label}?{UNDEFINED}")


@pytest.mark.req("HTTP-001.5", "HTTP-002.3")
def test_the_probes_answer_whatever_their_query_holds(http: httpx.Client) -> None:
    queries = (UNDEFINED, f"{UNDEFINED}&{UNDEFINED}", "limit=x", "limit=1&limit=2")
    for path, field in (("/healthz", "live"), ("/readyz", "ready")):
        for query in queries:
            got = http.get(f"{path}?{query}")
            check(
                "HTTP-001.5",
                (got.status_code, _json(got).get(field) if got.status_code == 200 else None)
                == (200, True),
                expected=f'200 with {{"{field}": true}}, whatever the query: the poller '
                "chooses the URL (HTTP-002.3's refusal does not apply to the probes)",
                came=shown(got),
                what=f"GET {path}?{query}",
            )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

"""Path segments and query parameters that are no text: refused, never read with
replacements (HTTP-002.5).

Servers and frameworks percent-decode a path and a query string as UTF-8 with
replacement: ``?prefix=%FF`` reads as ``prefix`` U+FFFD and lists the refs that start
so, ``/v1/actors/%FF`` looks up a name no one bound.  Every path and query parameter of
every operation of the spec's OpenAPI document (``spec/schemas/http-openapi.json``) is
sent in turn as ``%FF`` — and as a lone surrogate's bytes ``%ED%A0%80`` and a cut-off
sequence ``%C3`` — with every other parameter and the body valid; each must fail 400.
The class is ``bad-request``, or the one the spec gives a malformed value of that
parameter (HTTP-002.4's ``invalid-id``, HTTP-015.1's ``invalid-ref-name``).  A parameter
of valid UTF-8, percent-encoded, is read as its text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gritwit_conformance.suite._check import check_equal

from ._answers import spec_openapi
from ._api import body_of, counter, expect_error, head_of, inc
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Bytes that are no UTF-8, percent-encoded: a byte no sequence starts with, a
#: surrogate's encoding (UTF-8 encodes none), and a sequence cut short.
NOT_TEXT = {"ff": "%FF", "surrogate": "%ED%A0%80", "cut": "%C3"}
#: The classes a parameter's malformed value may have besides ``bad-request``.
_CLASSES = {"actor": ("invalid-id", "invalid-ref-name"), "id": ("invalid-id",)}
_METHODS = ("get", "put", "post", "delete", "patch")


def _parameters() -> Iterator[tuple[str, str, str, str]]:
    """(method, path template, where, name) for every path and query parameter."""
    api = spec_openapi()
    for template, item in api.document["paths"].items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            for raw in [*shared, *operation.get("parameters", [])]:
                parameter = api.resolve(raw)
                if parameter.get("in") in ("path", "query"):
                    yield method.upper(), template, parameter["in"], parameter["name"]


PARAMETERS = sorted(set(_parameters()))


def _valid_body(client: httpx.Client, template: str, actor: str) -> Any:
    """A body the operation would take for ``actor``: the refusal is the parameter's."""
    if template.endswith("/messages"):
        return {"content": {"blob": ""}, "mt": "noop"}
    if template.endswith(("/revert", "/fork")):
        return {"step": head_of(client, actor)}
    return None


def _filled(template: str, actor: str) -> str:
    """``template`` with each path parameter left in it valid."""
    values = {"actor": actor, "id": actor, "name": f"heads/{actor}"}
    if "/queries/" in template:
        values["name"] = "count"
    path = template
    for name, value in values.items():
        path = path.replace(f"{{{name}}}", value)
    return path


@pytest.mark.parametrize("kind", list(NOT_TEXT))
@pytest.mark.parametrize(
    ("method", "template", "where", "name"), PARAMETERS, ids=[" ".join(p) for p in PARAMETERS]
)
@pytest.mark.req("HTTP-002.5", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-009.3")
@pytest.mark.req("CONV-004")
def test_a_parameter_that_is_no_text_is_400(
    http: httpx.Client, method: str, template: str, where: str, name: str, kind: str
) -> None:
    actor = counter(http)
    inc(http, actor)
    bad = NOT_TEXT[kind]
    if where == "path":
        path = _filled(template.replace(f"{{{name}}}", bad), actor)
        shown = f"{method} {path} ({name} in the path)"
    else:
        path = f"{_filled(template, actor)}?{name}={bad}"
        shown = f"{method} {path} ({name} in the query)"
    response = http.request(method, path, json=_valid_body(http, template, actor))
    others = _CLASSES.get(name, ()) if where == "path" else ()
    classes = ("bad-request", *others)
    expect_error(response, 400, classes, f"HTTP-002.5 ({shown}: {NOT_TEXT[kind]} is no UTF-8)")


@pytest.mark.req("HTTP-002.5", "HTTP-009.3", "HTTP-002.1")
def test_a_parameter_of_percent_encoded_text_is_read_as_text(http: httpx.Client) -> None:
    """``é`` as ``%C3%A9``: text, so the refs under that prefix are listed (none)."""
    answer = body_of(http.get("/v1/refs?prefix=names/%C3%A9"), 200, "HTTP-002.5, HTTP-009.3")
    check_equal("HTTP-009.3", [], answer.get("refs"), "the refs under names/é (there are none)")

"""What the tests of tokens share (HTTP-018 … HTTP-021, the feature ``tokens``, ADP-021.4).

:data:`SCOPES` are HTTP-018.2's; :func:`matrix_service` starts a service with one token
per scope; :func:`operations` reads, from the spec's OpenAPI document (not from the
service), each operation and the scope its ``security`` names (HTTP-018.6), so that the
matrix follows the document; :func:`request_of` makes a request of an operation that
reaches its handler, whatever the handler then thinks of its body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import httpx

from gritwit_conformance.suite._check import check, suite_premise

from ._answers import spec_openapi
from ._service import Service, Services

__all__ = [
    "SCOPES",
    "Operation",
    "bearer",
    "matrix_service",
    "operations",
    "request_of",
]

SCOPES: Final = ("read", "send", "create", "operate", "admin")
#: The media type each operation with a body takes (HTTP-002.1, HTTP-009.2, HTTP-010.2).
_MEDIA: Final = {
    ("post", "/v1/objects"): "application/cbor",
    ("post", "/v1/bundles"): "application/vnd.gritwit.bundle",
}


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    #: The scope its ``security`` names; ``None``: open (``security: []``).
    scope: str | None
    optional: bool

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def operations() -> Iterator[Operation]:
    """Every operation of the spec's document and the scope it needs (HTTP-018.6)."""
    document = spec_openapi().document
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "delete", "put", "patch"):
                continue
            security = operation.get("security")
            suite_premise(
                isinstance(security, list),
                f"the suite's copy of the spec's document gives {method} {path} a security",
            )
            scope = None
            if security:
                (scopes,) = [requirement["bearer"] for requirement in security]
                (scope,) = scopes
            yield Operation(method, path, scope, operation.get("x-optional") is True)


def check_retry_after(response: httpx.Response, rule: str, what: str) -> None:
    """A 429 of HTTP-021 carries ``Retry-After`` in whole seconds, at least 1 (``rule``:
    the clause whose refusal it is, HTTP-021.1 or HTTP-021.2)."""
    retry = response.headers.get("retry-after", "")
    check(
        rule,
        retry.isdigit() and int(retry) >= 1,
        expected="429 with Retry-After: whole seconds, at least 1",
        came=retry or "no Retry-After",
        what=what,
    )


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def matrix_service(services: Services, **extra: Any) -> Service:
    """A service with one token per scope, named ``t-<scope>`` (ADP-021.4), and more
    tokens as ``extra`` gives (name → token object)."""
    tokens = [{"name": f"t-{scope}", "scopes": [scope]} for scope in SCOPES]
    tokens += [{"name": name, **options} for name, options in extra.items()]
    return services.start(tokens=tokens)


def request_of(
    client: httpx.Client,
    operation: Operation,
    values: dict[str, str],
    headers: dict[str, str],
) -> int:
    """Make a request of ``operation`` with ``headers``: the path's parameters from
    ``values``, an empty body of its media type (so that nothing is done where the
    request gets through); its status. An event stream's answer is closed unread."""
    path = re.sub(r"\{([a-z]+)\}", lambda m: values[m.group(1)], operation.path)
    if operation.path == "/v1/refs/{name}":
        path = f"/v1/refs/heads/{values['actor']}"
    sent = dict(headers)
    body: bytes | None = None
    if operation.method in ("post", "put", "patch"):
        sent["content-type"] = _MEDIA.get((operation.method, operation.path), "application/json")
        body = b"{}" if sent["content-type"] == "application/json" else b""
    request = client.build_request(operation.method.upper(), path, headers=sent, content=body)
    response = client.send(request, stream=True)
    try:
        return response.status_code
    finally:
        response.close()

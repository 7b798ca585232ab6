"""The service's endpoints as data: method, path, the body each takes (spec/10-http.md).

One table, read three ways: the app's routes (:mod:`._app`), the body each endpoint
takes and its limit (:mod:`._middleware`, HTTP-013.1), and the test that the OpenAPI
document describes exactly these endpoints (HTTP-012.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from ._limits import BUNDLE_MEDIA, CBOR_MEDIA, JSON_MEDIA, ServiceLimits

__all__ = ["ENDPOINTS", "BodyKind", "Endpoint", "endpoint_for"]

BodyKind = Literal["json", "cbor", "bundle"]

_MEDIA: Final[dict[BodyKind, str]] = {
    "json": JSON_MEDIA,
    "cbor": CBOR_MEDIA,
    "bundle": BUNDLE_MEDIA,
}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint: ``method``, ``path`` (OpenAPI's template; ``{name}`` of a ref holds
    slashes), the kind of body it takes (``None``: none), and its clause."""

    method: str
    path: str
    body: BodyKind | None
    clause: str

    @property
    def media(self) -> str | None:
        """The media type of its body (HTTP-002.1)."""
        return None if self.body is None else _MEDIA[self.body]

    def limit(self, limits: ServiceLimits) -> int:
        """The most bytes its body may have: ``0`` for an endpoint without one (HTTP-013.1)."""
        if self.body == "json":
            return limits.json_body
        if self.body == "cbor":
            return limits.cbor_body
        if self.body == "bundle":
            return limits.bundle_body
        return 0

    @property
    def pattern(self) -> re.Pattern[str]:
        """A regular expression of the paths it serves."""
        parts = re.split(r"(\{[a-z]+\})", self.path)
        rest = "".join(
            (".+" if part == "{name}" and self.path.startswith("/v1/refs/") else "[^/]+")
            if part.startswith("{")
            else re.escape(part)
            for part in parts
        )
        return re.compile(rest)


#: Every endpoint of spec/10-http.md, in the chapter's order.
ENDPOINTS: Final = (
    Endpoint("GET", "/healthz", None, "HTTP-001.5"),
    Endpoint("GET", "/readyz", None, "HTTP-001.5"),
    Endpoint("GET", "/v1", None, "HTTP-001.6"),
    Endpoint("POST", "/v1/actors", "json", "HTTP-004"),
    Endpoint("POST", "/v1/actors/{actor}/messages", "json", "HTTP-005"),
    Endpoint("POST", "/v1/messages", "json", "HTTP-005.7"),
    Endpoint("GET", "/v1/actors/{actor}/queries/{name}", None, "HTTP-006"),
    Endpoint("GET", "/v1/actors", None, "HTTP-007.1"),
    Endpoint("GET", "/v1/actors/{actor}", None, "HTTP-007.3"),
    Endpoint("GET", "/v1/actors/{actor}/history", None, "HTTP-007.4"),
    Endpoint("GET", "/v1/actors/{actor}/timers", None, "HTTP-007.10"),
    Endpoint("DELETE", "/v1/actors/{actor}/failed", None, "HTTP-007.5"),
    Endpoint("GET", "/v1/events", None, "HTTP-008"),
    Endpoint("GET", "/v1/objects/{id}", None, "HTTP-009.1"),
    Endpoint("POST", "/v1/objects", "cbor", "HTTP-009.2"),
    Endpoint("GET", "/v1/refs", None, "HTTP-009.3"),
    Endpoint("GET", "/v1/refs/{name}", None, "HTTP-009.3"),
    Endpoint("GET", "/v1/actors/{actor}/bundle", None, "HTTP-010.1"),
    Endpoint("POST", "/v1/bundles", "bundle", "HTTP-010.2"),
    Endpoint("POST", "/v1/settle", "json", "HTTP-011"),
    Endpoint("GET", "/v1/openapi.json", None, "HTTP-012.1"),
    Endpoint("GET", "/v1/actors/{actor}/openapi.json", None, "HTTP-012.2"),
    Endpoint("GET", "/metrics", None, "HTTP-014.1"),
    Endpoint("GET", "/v1/names", None, "HTTP-015.2"),
    Endpoint("POST", "/v1/actors/{actor}/revert", "json", "HTTP-016"),
    Endpoint("POST", "/v1/actors/{actor}/fork", "json", "HTTP-017"),
    Endpoint("GET", "/v1/audit", None, "HTTP-020.2"),
)

_COMPILED: Final = tuple((endpoint, endpoint.pattern) for endpoint in ENDPOINTS)


def endpoint_for(method: str, path: str) -> Endpoint | None:
    """The endpoint ``method`` and ``path`` reach, or ``None`` (the router answers 404 or
    405).  ``HEAD`` reaches the ``GET`` of its path."""
    method = "GET" if method == "HEAD" else method
    for endpoint, pattern in _COMPILED:
        if endpoint.method == method and pattern.fullmatch(path):
            return endpoint
    return None

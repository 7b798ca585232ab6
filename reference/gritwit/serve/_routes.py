"""The service's endpoints as data: method, path, the body each takes, its handler
(spec/10-http.md).

The one table of the endpoints, read four ways: the app's routes and the handler of
each (:mod:`._app`), the body each endpoint takes and its limit (:mod:`._middleware`,
HTTP-013.1), the token check's endpoint of a request (:mod:`._auth`), and the test that
the OpenAPI document describes exactly these endpoints, each once (HTTP-012.1).

A row names its handler as ``module.function`` of the handler modules
(:data:`._app.HANDLER_MODULES`) rather than holding it: the handlers ask the token check
(:mod:`._auth`), which reads this table, so this module imports none of them; the app
resolves each name when it is imported, and fails to import on a name that resolves to
no handler.
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
    slashes), the kind of body it takes (``None``: none), its clause, and its handler
    (``module.function``, the module by its short name, :data:`._app.HANDLER_MODULES`)."""

    method: str
    path: str
    body: BodyKind | None
    clause: str
    handler: str

    @property
    def key(self) -> tuple[str, str]:
        """``(method, path)``: what the OpenAPI document names it by (HTTP-012.1)."""
        return self.method, self.path

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
    Endpoint("GET", "/healthz", None, "HTTP-001.5", "grit.health"),
    Endpoint("GET", "/readyz", None, "HTTP-001.5", "grit.ready"),
    Endpoint("GET", "/v1", None, "HTTP-001.6", "grit.version"),
    Endpoint("POST", "/v1/actors", "json", "HTTP-004", "actors.create"),
    Endpoint("POST", "/v1/actors/{actor}/messages", "json", "HTTP-005", "actors.send"),
    Endpoint("POST", "/v1/messages", "json", "HTTP-005.7", "actors.send_batch"),
    Endpoint("GET", "/v1/actors/{actor}/queries/{name}", None, "HTTP-006", "actors.query"),
    Endpoint("GET", "/v1/actors", None, "HTTP-007.1", "actors.actors"),
    Endpoint("GET", "/v1/actors/{actor}", None, "HTTP-007.3", "actors.actor"),
    Endpoint("GET", "/v1/actors/{actor}/history", None, "HTTP-007.4", "actors.history"),
    Endpoint("GET", "/v1/actors/{actor}/timers", None, "HTTP-007.10", "actors.timers"),
    Endpoint("DELETE", "/v1/actors/{actor}/failed", None, "HTTP-007.5", "actors.unfail"),
    Endpoint("GET", "/v1/events", None, "HTTP-008", "actors.events"),
    Endpoint("GET", "/v1/objects/{id}", None, "HTTP-009.1", "grit.object_get"),
    Endpoint("POST", "/v1/objects", "cbor", "HTTP-009.2", "grit.object_put"),
    Endpoint("GET", "/v1/refs", None, "HTTP-009.3", "grit.refs"),
    Endpoint("GET", "/v1/refs/{name}", None, "HTTP-009.3", "grit.ref"),
    Endpoint("GET", "/v1/actors/{actor}/bundle", None, "HTTP-010.1", "actors.bundle"),
    Endpoint("POST", "/v1/bundles", "bundle", "HTTP-010.2", "grit.import_bundle"),
    Endpoint("POST", "/v1/settle", "json", "HTTP-011", "grit.settle"),
    Endpoint("GET", "/v1/openapi.json", None, "HTTP-012.1", "grit.openapi"),
    Endpoint("GET", "/v1/actors/{actor}/openapi.json", None, "HTTP-012.2", "actors.actor_openapi"),
    Endpoint("GET", "/metrics", None, "HTTP-014.1", "watch.metrics"),
    Endpoint("GET", "/v1/names", None, "HTTP-015.2", "life.names"),
    Endpoint("POST", "/v1/actors/{actor}/revert", "json", "HTTP-016", "life.revert"),
    Endpoint("POST", "/v1/actors/{actor}/fork", "json", "HTTP-017", "life.fork"),
    Endpoint("GET", "/v1/audit", None, "HTTP-020.2", "audit.audit"),
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

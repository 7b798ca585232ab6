"""The scope each endpoint needs (HTTP-018.2), as data the app and its OpenAPI document share.

``None``: the endpoint is open (the probes and the service's own document, HTTP-018.1).
The status page's paths need ``read`` (HTTP-018.2).  A token limited to a prefix
(HTTP-018.3) reaches an endpoint that names no actor only when :data:`PREFIX_FREE`
holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["AUDITED", "PAGE_SCOPE", "PREFIX_FREE", "SCOPE_OF", "scope_of"]

SCOPE_OF: Final[Mapping[tuple[str, str], str | None]] = {
    ("GET", "/healthz"): None,
    ("GET", "/readyz"): None,
    ("GET", "/v1/openapi.json"): None,
    ("GET", "/v1"): "read",
    ("POST", "/v1/actors"): "create",
    ("POST", "/v1/actors/{actor}/messages"): "send",
    ("POST", "/v1/messages"): "send",
    ("GET", "/v1/actors/{actor}/queries/{name}"): "read",
    ("GET", "/v1/actors"): "read",
    ("GET", "/v1/actors/{actor}"): "read",
    ("GET", "/v1/actors/{actor}/history"): "read",
    ("GET", "/v1/actors/{actor}/timers"): "read",
    ("DELETE", "/v1/actors/{actor}/failed"): "operate",
    ("GET", "/v1/events"): "read",
    ("GET", "/v1/objects/{id}"): "read",
    ("POST", "/v1/objects"): "create",
    ("GET", "/v1/refs"): "read",
    ("GET", "/v1/refs/{name}"): "read",
    ("GET", "/v1/actors/{actor}/bundle"): "read",
    ("POST", "/v1/bundles"): "operate",
    ("POST", "/v1/settle"): "read",
    ("GET", "/v1/actors/{actor}/openapi.json"): "read",
    ("GET", "/metrics"): "read",
    ("GET", "/v1/names"): "read",
    ("POST", "/v1/actors/{actor}/revert"): "operate",
    ("POST", "/v1/actors/{actor}/fork"): "operate",
    ("GET", "/v1/audit"): "admin",
}
#: The status page's paths (HTTP-014.3) need this scope (HTTP-018.2).
PAGE_SCOPE: Final = "read"
#: The scopes whose every request is audited (HTTP-020.1).
AUDITED: Final = frozenset({"operate", "admin"})
#: Endpoints naming no actor in their path that a token limited to a prefix may use
#: (HTTP-018.3): those that read nothing of any actor, and those whose body names the
#: actors (each checked by its handler).
PREFIX_FREE: Final = frozenset(
    {
        ("GET", "/v1"),
        ("POST", "/v1/actors"),
        ("POST", "/v1/messages"),
        ("POST", "/v1/settle"),
    }
)


def scope_of(method: str, path: str) -> str | None:
    """The scope of an endpoint of the table; ``KeyError`` for another."""
    return SCOPE_OF[("GET" if method == "HEAD" else method, path)]

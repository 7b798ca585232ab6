"""The reference HTTP service (spec chapter *HTTP protocol*, HTTP-001 … HTTP-014).

A service runs a :class:`~gritwit.runtime.Runtime` continuously over a store and answers
HTTP requests: create actors, send them messages (with idempotency keys), query them,
read any object and ref, move actors as bundles, watch lifecycle events, wait for the
runtime to settle.  ``gritwit serve --store STORE`` runs one; :class:`ServiceThread` runs one in
a thread of this process (the adapter's ``http-serve``, ADP-021).

* :mod:`._engine` — the store and the runtime in a thread of their own; handlers submit
  commands (:mod:`._engine_commands`), sends batched into one commit (:mod:`._sending`),
  and the named, typed operations of its port (:mod:`._port`), which the engine does by
  :mod:`._engine_ops` on :mod:`._reads` and :mod:`._life`;
* :mod:`._keys` — idempotency keys, settled by the outside's outbox (HTTP-005.3 …);
* :mod:`._app`, :mod:`._actors_api`, :mod:`._grit_api` — the endpoints (:mod:`._routes`);
* :mod:`._middleware`, :mod:`._protocol`, :mod:`._json_body` — the limits of HTTP-013
  and HTTP-002.3;
* :mod:`._sniff` — how a query's answer is served (HTTP-006.1);
* :mod:`._events` — lifecycle events as Server-Sent Events (HTTP-008);
* :mod:`._openapi` — the OpenAPI documents (HTTP-012);
* :mod:`._auth`, :mod:`._scopes`, :mod:`._tokens`, :mod:`._audit` — who may do what to
  which actor: bearer tokens, scopes, prefixes, limits per token and the audit log
  (HTTP-018 … HTTP-021); ``gritwit token`` and ``gritwit audit`` (:mod:`._token_cli`);
* :mod:`._metrics`, :mod:`._watch`, :mod:`._watch_html`, :mod:`._watch_api` — what an
  operator watches: ``GET /metrics`` and the status page under ``/ui`` (HTTP-014), its
  HTML rendered by the service, its script and CSS in ``ui/``.

Needs the extra ``gritwit[serve]`` (Starlette, uvicorn, and prometheus_client for
``GET /metrics``, HTTP-014.1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._engine import Engine, EngineSettings
from ._limits import ServiceLimits

if TYPE_CHECKING:
    from ._server import Service, ServiceThread

__all__ = ["Engine", "EngineSettings", "Service", "ServiceLimits", "ServiceThread", "available"]


def available() -> bool:
    """Whether the extra ``gritwit[serve]`` (Starlette, uvicorn, prometheus_client) is
    installed."""
    try:
        import prometheus_client  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


def __getattr__(name: str) -> Any:
    """:class:`Service` and :class:`ServiceThread` load Starlette and uvicorn when first
    asked for, so that ``python -m gritwit`` runs without the extra."""
    if name in ("Service", "ServiceThread"):
        from . import _server

        return getattr(_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

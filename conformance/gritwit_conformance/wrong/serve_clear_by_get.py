"""Wrong adapter: ``GET`` on an actor's failed mark clears it too (HTTP-002.4, HTTP-012.1).

The route of ``DELETE /v1/actors/{actor}/failed`` was registered for ``GET`` as well (a
copied method list), so a browser's prefetch or a crawler that follows the link clears
the mark (RUN-025) and the actor's messages run again. The service answers an operation
the OpenAPI document does not describe, where an unknown method must fail 404 or 405
``bad-request``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-002.4", "HTTP-012.1"}),
    "failed",
    "GET /v1/actors/{actor}/failed clears the failed mark as DELETE does",
)


def install() -> None:
    from starlette.routing import Route

    from gritwit.serve import _app

    original = _app.starlette_routes

    def starlette_routes() -> list[Any]:
        routes = []
        for route in original():
            if route.path == "/v1/actors/{actor}/failed":
                route = Route(route.path, route.endpoint, methods=["GET", "DELETE"])  # the bug
            routes.append(route)
        return routes

    patch(_app, "starlette_routes", starlette_routes)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

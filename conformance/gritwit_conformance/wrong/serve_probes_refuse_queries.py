"""Wrong adapter: the probes refuse a query they do not define (HTTP-001.5).

``GET /healthz`` and ``GET /readyz`` read their query as every other endpoint does
(HTTP-002.3), so a poller whose URL carries a parameter of its own (a cache-buster, a
probe's name) gets 400 from a live, ready service and reports it dead.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-001.5"}),
    "failed",
    "GET /healthz and GET /readyz refuse 400 a query parameter they do not define",
)


def install() -> None:
    from gritwit.serve import _grit_api
    from gritwit.serve._http import handler, query_params

    for name in ("health", "ready"):
        original = getattr(_grit_api, name)

        async def strict(request: Any, original: Any = original) -> Any:
            query_params(request, ())  # the bug: the probes define none, and refuse any
            return await original(request)

        patch(_grit_api, name, handler(strict))


if __name__ == "__main__":
    run(ReferenceAdapter, install)

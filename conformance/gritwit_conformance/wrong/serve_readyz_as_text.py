"""Wrong adapter: ``GET /readyz`` answers the text ``ok`` (HTTP-001.5).

The readiness probe answers 200 with a plain-text ``ok``, as many probes do, not the
JSON ``{"ready": true}`` the clause names.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import Handler, bend_endpoint, rebuilt

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-001.5"}),
    "failed",
    'GET /readyz answers 200 with the text ok, not {"ready": true}',
)


def _as_text(original: Handler) -> Handler:
    async def ready(request: Any) -> Any:
        response = await original(request)
        if response.status_code != 200:
            return response
        return rebuilt(response, body=b"ok", media_type="text/plain")  # the bug

    return ready


def install() -> None:
    bend_endpoint("GET", "/readyz", _as_text)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

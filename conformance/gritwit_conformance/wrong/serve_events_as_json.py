"""Wrong adapter: ``GET /v1/events`` answers a JSON list of past events (HTTP-008.1).

The endpoint is a poll, ``application/json``, ``{"events": […]}``, then done — not a
stream of Server-Sent Events.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import Handler, bend_endpoint

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-008.1"}),
    "failed",
    "GET /v1/events answers application/json once, not text/event-stream",
)


def _polled(original: Handler) -> Handler:
    async def events(request: Any) -> Any:
        from starlette.responses import JSONResponse

        return JSONResponse({"events": []})  # the bug: a poll, not a stream

    return events


def install() -> None:
    bend_endpoint("GET", "/v1/events", _polled)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""The handlers an operator watches a service with (HTTP-014): ``GET /metrics`` and the
status page under ``/ui/``.

The page is HTML the service renders (:mod:`._watch_html`): ``/ui/`` lists the actors,
``/ui/actor/{actor}`` is one actor's page, each whole with script off (HTTP-014.4).  Its
CSS and script are files shipped in the package (``ui/``), served from this origin,
loading nothing from another (HTTP-014.3); the script refreshes the list's statuses from
``/ui/actors.json``, which adds to each actor what the protocol's list does not say (its
pending count, whether it is resident, its kind), and lists ``/v1/events`` once the page
has loaded (HTTP-014.5).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from .._version import SPEC_VERSION
from ._content import parse_id
from ._http import ask, count_param, handler, query_params, state_of
from ._metrics import METRICS_MEDIA
from ._port import ServiceGauges, UiActor, UiList, WatchActors
from ._problems import HttpProblem
from ._watch_html import actor_html, list_html, missing_html

__all__ = ["UI_FILES", "metrics", "ui_actor", "ui_actors", "ui_file", "ui_index"]

#: The page's files, by the name it is served under, with their media types: nothing
#: else under ``/ui/`` is served (no path reaches the file system).
UI_FILES: Final = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
#: The newest steps an actor's page shows.
STEPS_SHOWN: Final = 20
#: The most actors ``/ui/actors.json`` lists unless ``limit`` says otherwise.
LIST_LIMIT: Final = 1000
#: Only this origin, no inline script, no framing (HTTP-014.3).
_PAGE_HEADERS: Final = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
}


@functools.cache
def _file(name: str) -> bytes:
    return resources.files("gritwit.serve").joinpath("ui", name).read_bytes()


@handler
async def metrics(request: Request) -> Response:
    """``GET /metrics`` (HTTP-014.1): the service's metrics in the text format 0.0.4."""
    query_params(request, ())  # HTTP-002.3: it defines none
    state = state_of(request)
    if state.metrics is None:
        raise HttpProblem(404, "bad-request", "HTTP-014.1: this service serves no metrics")
    gauges = await ask(request, ServiceGauges())
    return Response(state.metrics.render(gauges), 200, media_type=METRICS_MEDIA)


@handler
async def ui_index(request: Request) -> Response:
    """``GET /ui/`` (HTTP-014.3, HTTP-014.4): the list of actors, rendered here."""
    query_params(request, ())
    listed = await ask(request, UiList(LIST_LIMIT))
    share = state_of(request).engine.settings.share
    return HTMLResponse(list_html(listed, share, SPEC_VERSION), 200, headers=_PAGE_HEADERS)


@handler
async def ui_actor(request: Request) -> Response:
    """``GET /ui/actor/{actor}`` (HTTP-014.4): one actor's page, rendered here; 404 for
    an actor with neither a head nor a failed mark, 400 for a path that is no id."""
    query_params(request, ())
    actor = parse_id(request.path_params["actor"])
    page = await ask(request, UiActor(actor, STEPS_SHOWN))
    share = state_of(request).engine.settings.share
    if page is None:
        return HTMLResponse(missing_html(actor, share, SPEC_VERSION), 404, headers=_PAGE_HEADERS)
    return HTMLResponse(actor_html(page, share, SPEC_VERSION), 200, headers=_PAGE_HEADERS)


@handler
async def ui_file(request: Request) -> Response:
    """``GET /ui/{file}``: one of the page's files (:data:`UI_FILES`), else 404."""
    name = request.path_params["file"]
    media = UI_FILES.get(name)
    if media is None:
        raise HttpProblem(404, "bad-request", "HTTP-002.4: no such path")
    return Response(_file(name), 200, headers=_PAGE_HEADERS, media_type=media)


@handler
async def ui_actors(request: Request) -> Response:
    """``GET /ui/actors.json``: the actors the page lists, at most ``limit`` (1 to 10,000)."""
    given = query_params(request, ("limit",)).get("limit")
    limit = count_param(given, LIST_LIMIT, 10_000, "HTTP-002.3: limit is a number from 1 to 10000")
    listed = await ask(request, WatchActors(limit))
    return JSONResponse(listed, headers={"cache-control": "no-cache"})

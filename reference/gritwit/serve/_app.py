"""The service's ASGI app: the routes of :mod:`._routes`, behind the limits (HTTP-013).

:func:`build_app` makes a Starlette app whose routes are exactly
:data:`~._routes.ENDPOINTS`, each answered by the handler its row names
(:data:`HANDLERS`), and the status page's (:data:`PAGES`, HTTP-014.3), an unknown path
or method answered ``404``/``405 bad-request`` as JSON (HTTP-002.4, HTTP-003.1), all of it behind
:class:`~._middleware.LimitsMiddleware`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Final, TypeVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _actors_api as actors
from . import _audit_api as audit
from . import _grit_api as grit
from . import _life_api as life
from . import _watch_api as watch
from ._auth import AuthMiddleware, TokenBook
from ._engine_commands import Command
from ._http import Handler, ServiceState, problem_response
from ._middleware import LimitsMiddleware
from ._problems import HttpProblem
from ._routes import ENDPOINTS

__all__ = ["HANDLERS", "HANDLER_MODULES", "PAGES", "build_app", "page_routes", "starlette_routes"]

Answer = TypeVar("Answer")
#: The handler modules, by the short name a row of :data:`~._routes.ENDPOINTS` gives its
#: handler's module.
HANDLER_MODULES: Final[Mapping[str, ModuleType]] = {
    "actors": actors,
    "audit": audit,
    "grit": grit,
    "life": life,
    "watch": watch,
}


def _handler_named(name: str) -> Handler:
    """The handler ``module.function`` names (a row of :data:`~._routes.ENDPOINTS`); a
    name that is no public handler of a handler module fails the app's import."""
    module_name, _, function = name.partition(".")
    module = HANDLER_MODULES[module_name]
    if function not in getattr(module, "__all__", ()):
        raise LookupError(f"no handler {name!r}: {module.__name__} exports no {function!r}")
    found: Handler = getattr(module, function)
    return found


#: The handler of each endpoint, by ``(method, path)``, as its row of
#: :data:`~._routes.ENDPOINTS` names it; the routes are made from it when an app is
#: built, so a declared wrong server (``gritwit_conformance.wrong``) may bend one entry.
HANDLERS: Final[Mapping[tuple[str, str], Handler]] = {
    endpoint.key: _handler_named(endpoint.handler) for endpoint in ENDPOINTS
}

#: The status page's paths (HTTP-014.3), outside the protocol's endpoints and its
#: OpenAPI document: ``/ui`` and ``/ui/`` the list, one actor's page, the list as JSON
#: for the page's script, and the page's files.
PAGES: Final[tuple[tuple[str, Handler], ...]] = (
    ("/ui", watch.ui_index),
    ("/ui/", watch.ui_index),
    ("/ui/actor/{actor}", watch.ui_actor),
    ("/ui/actors.json", watch.ui_actors),
    ("/ui/{file}", watch.ui_file),
)


def starlette_routes() -> list[Route]:
    """One route per endpoint, in the table's order; a ref's name holds slashes."""
    routes = []
    for endpoint in ENDPOINTS:
        path = endpoint.path
        if path == "/v1/refs/{name}":
            path = "/v1/refs/{name:path}"
        handler = HANDLERS[endpoint.key]
        routes.append(Route(path, handler, methods=[endpoint.method]))
    return routes


def page_routes() -> list[Route]:
    """The status page's routes (HTTP-014.3), ``GET`` only."""
    return [Route(path, page, methods=["GET"]) for path, page in PAGES]


async def _router_refusal(request: Request, exc: Exception) -> Response:
    """404 or 405 from the router as ``bad-request`` (HTTP-002.4)."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    what = "no such path" if status == 404 else "no such method for this path"
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    return problem_response(
        HttpProblem(
            status,
            "bad-request" if status < 500 else "internal",
            f"HTTP-002.4: {what}",
            headers=headers,
        )
    )


def build_app(
    state: ServiceState,
    book: TokenBook | None = None,
    *,
    required: bool = False,
    watch: bool = True,
) -> AuthMiddleware:
    """The service's ASGI app over ``state``: its tokens in ``book``, ``required`` or not
    (HTTP-018), in front of the limits (HTTP-013)."""
    routes = starlette_routes() + page_routes()
    app = Starlette(routes=routes, exception_handlers={HTTPException: _router_refusal})
    # A path the protocol does not define is 404 (HTTP-002.4), never a redirect to a
    # neighbour: Starlette would answer `queries/count/` with a 307 to `queries/count`.
    app.router.redirect_slashes = False
    app.state.service = state
    stopping: Callable[[], bool] = lambda: state.stopping  # noqa: E731

    async def submit(command: Command[Answer]) -> Answer:
        return await asyncio.wrap_future(state.engine.submit(command))

    auth = AuthMiddleware(
        LimitsMiddleware(app, state.limits, stopping),
        book or TokenBook({}),
        submit,
        required=required,
        watch=watch,
    )
    app.state.auth = auth
    return auth

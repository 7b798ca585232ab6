"""What every handler of the service shares: its state, asking the engine, errors as JSON.

:class:`ServiceState` is the app's view of one service: its engine, limits, event feed
and whether it stops.  :func:`handler` wraps a handler so that whatever it raises is
answered as HTTP-003.1 says; :func:`ask` submits a command to the engine and awaits its
answer, of the type the command declares; :func:`query_params` reads a request's query
parameters, refusing any the endpoint does not define.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, Final, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._engine import Engine
from ._engine_commands import Command
from ._events import EventFeed
from ._json_body import Field, parse_object
from ._limits import ServiceLimits
from ._problems import HttpProblem, problem_body, problem_of

if TYPE_CHECKING:
    from ._metrics import ServiceMetrics

__all__ = [
    "ServiceState",
    "ask",
    "bad",
    "handler",
    "json_body",
    "problem_response",
    "query_params",
    "raw_form",
    "whole_body",
]

Handler = Callable[[Request], Awaitable[Response]]
#: What a command asked of the engine is answered with.
Answer = TypeVar("Answer")


@dataclass(eq=False)
class ServiceState:
    """One service as its handlers see it."""

    engine: Engine
    limits: ServiceLimits
    feed: EventFeed
    #: Its metrics (HTTP-014.1); ``None``: ``GET /metrics`` answers 404.
    metrics: ServiceMetrics | None = None
    #: Set once the service stops (HTTP-001.4): probes say so, waits end.
    stopping: bool = field(default=False, init=False)
    _stopped: asyncio.Event | None = field(default=None, init=False, repr=False)

    def stopped(self) -> asyncio.Event:
        """An event set when the service stops; made on the serving loop."""
        if self._stopped is None:
            self._stopped = asyncio.Event()
            if self.stopping:
                self._stopped.set()
        return self._stopped

    def begin_stop(self) -> None:
        """Mark the service stopping, end the event streams, wake the waits (on the
        serving loop's thread)."""
        self.stopping = True
        self.feed.close()
        if self._stopped is not None:
            self._stopped.set()


def problem_response(problem: HttpProblem) -> JSONResponse:
    """A failed request's answer (HTTP-003.1, HTTP-003.2)."""
    return JSONResponse(problem_body(problem), problem.status, headers=problem.headers)


def bad(message: str) -> HttpProblem:
    return HttpProblem(400, "bad-request", message)


def handler(function: Handler) -> Handler:
    """``function``, with whatever it raises answered as a failed request (HTTP-003)."""

    @wraps(function)
    async def guarded(request: Request) -> Response:
        try:
            return await function(request)
        except Exception as exc:  # a GritError keeps its class; anything else is internal
            return problem_response(problem_of(exc))

    return guarded


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


async def ask(request: Request, command: Command[Answer]) -> Answer:
    """Submit ``command`` (one of the engine's port, :mod:`._port`, or a send) to the
    service's engine and await its answer, typed as the command says (HTTP-001)."""
    return await asyncio.wrap_future(state_of(request).engine.submit(command))


#: Bodies longer than this are parsed in a worker thread, off the serving loop.
_PARSED_INLINE: Final = 64 * 1024
#: One long body is parsed at a time (HTTP-013.4): Python's objects for a JSON text take
#: up to about 13 times its bytes (a 15 MiB array of numbers peaked at 197 MB), so twelve
#: parsed at once took the service past 1 GB (asv_bench/tools/serve_hostile.py).
_LONG_PARSES: Final = threading.Semaphore(1)


def _parse_long(data: bytes | bytearray, fields: Mapping[str, Field]) -> dict[str, Any]:
    with _LONG_PARSES:
        return parse_object(data, fields)


async def _received(request: Request) -> bytes | bytearray:
    """The request's body as the limits middleware gives it, in one piece, not copied:
    Starlette's ``Request.body`` joins that piece with an empty one, which copies it (a
    second 16 MiB for the largest JSON body).  Read once, by the handler alone; a long
    body is the middleware's buffer, the handler's alone to empty."""
    chunks: list[bytes | bytearray] = []
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            raise bad("the client went away")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def whole_body(request: Request) -> bytes:
    """The request's body as bytes (one object's encoding, a bundle): a buffer the
    middleware filled is copied once and emptied at once, so that it is not held twice."""
    data = await _received(request)
    if isinstance(data, bytearray):
        whole = bytes(data)
        data.clear()
        return whole
    return data


async def json_body(request: Request, fields: Mapping[str, Field]) -> dict[str, Any]:
    """The request's JSON object, checked against ``fields`` (HTTP-002.3); a long body
    is judged in a worker thread, so a hostile one does not hold the other requests.
    The middleware's buffer is handed to the parser, which empties it once decoded."""
    data = await _received(request)
    if len(data) <= _PARSED_INLINE:
        return parse_object(data, fields)
    return await run_in_threadpool(_parse_long, data, fields)


def count_param(value: str | None, default: int, high: int, refusal: str) -> int:
    """A count of a query parameter from 1 to ``high`` (``default`` when absent), read
    only when it is at most ``high``'s own number of ASCII digits: text of ``²`` or of
    thousands of digits is a ``bad-request`` saying ``refusal`` (HTTP-002.3), never an
    error of ``int``."""
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(high))):
        raise bad(refusal)
    count = int(value)
    if not 1 <= count <= high:
        raise bad(refusal)
    return count


def query_params(request: Request, allowed: Collection[str]) -> dict[str, str]:
    """The query parameters, each at most once and each one ``allowed``
    (HTTP-007.2: a malformed parameter → ``bad-request``)."""
    found: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            raise bad(f"HTTP-002.3: this endpoint defines no parameter {name!r:.40}")
        if name in found:
            raise bad(f"HTTP-002.3: the parameter {name!r} is given twice")
        found[name] = value
    return found


def raw_form(request: Request, clause: str) -> bool:
    """Whether the answer is asked for as its bytes (``?form=raw``): ``form`` is ``raw`` or
    absent, else ``bad-request`` naming ``clause`` (HTTP-006.2, HTTP-009.1)."""
    form = query_params(request, ("form",)).get("form")
    if form not in (None, "raw"):
        raise bad(f"{clause}: form is raw, or absent")
    return form == "raw"

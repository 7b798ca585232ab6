"""The limits of HTTP-013 as pure ASGI middleware, before any handler reads a body.

For each request, in order:

1. a header section larger than :data:`~._limits.HEADER_BYTES` → 431
   ``headers-too-large`` (HTTP-013.2; h11 refuses one that arrives in pieces first,
   :mod:`._protocol`);
   a path or query string whose percent-decoded bytes are not UTF-8 → 400
   ``bad-request`` (HTTP-002.5), before anything reads it as text with replacements;
2. while the service stops, anything but the probes → 503 ``service-stopping``
   (HTTP-001.4);
3. for an endpoint that takes a body (:mod:`._routes`): another media type → 415
   ``bad-request`` (HTTP-002.3);
4. a request with a body while the bodies being read already hold the total bound → 503
   ``service-busy`` with ``Retry-After`` (HTTP-013.4);
5. a ``Content-Length`` above the endpoint's limit → 413 ``request-too-large`` before
   any of the body is read (HTTP-013.1);
6. the body read chunk by chunk, counted: past the limit → 413 without reading more;
   not all there by the read deadline → 408 ``request-timeout`` (HTTP-013.3).

The handler then gets the body whole, from memory.  Refused requests never reach a
handler, so they leave no trace in the store (HTTP-013.5).  A refusal of a request whose
body may still come (of a path or query that is no UTF-8, 415, 503 ``service-busy`` and
413) keeps the connection: the server reads and discards
the body's rest, up to :data:`~._limits.DRAIN_BYTES` (HTTP-013.6, :mod:`._protocol`), so
that a client that writes its whole body before reading reads the answer rather than a
reset.  It closes at once a body announced longer than that, and one whose client waits
for ``100 Continue`` before it sends it; every other refusal closes the connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from ._limits import DRAIN_BYTES, HEADER_BYTES, ServiceLimits
from ._routes import endpoint_for

__all__ = ["LimitsMiddleware", "header_section_size"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

_PROBES = frozenset({"/healthz", "/readyz"})


def header_section_size(scope: Scope) -> int:
    """The bytes of a request's head as sent in HTTP/1.1: its request line, each
    ``name: value`` line and the empty line that ends it (HTTP-013.2)."""
    target = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
    if scope.get("query_string"):
        target += 1
    line = len(scope["method"]) + 1 + target + 1 + len("HTTP/1.1") + 2
    return line + sum(len(name) + 2 + len(value) + 2 for name, value in scope["headers"]) + 2


def _is_utf8(raw: bytes) -> bool:
    """Whether ``raw``, percent-decoded, is UTF-8 (HTTP-002.5).  The decoding servers
    and frameworks do replaces what is not (``%FF`` reads as U+FFFD), so a parameter of
    bytes that are no text would be served as some other text."""
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _media_type(value: bytes | None) -> tuple[str, dict[str, str]]:
    """A ``Content-Type``'s media type, lowercased, and its parameters."""
    if value is None:
        return "", {}
    kind, *params = value.decode("latin-1").split(";")
    parameters = {}
    for param in params:
        name, _, val = param.strip().partition("=")
        parameters[name.strip().lower()] = val.strip().strip('"').lower()
    return kind.strip().lower(), parameters


class _Refusal(Exception):
    """A request refused before its handler; ``drained``: its body's rest may be read
    and discarded after the answer, the connection kept (HTTP-013.6)."""

    def __init__(
        self, status: int, error_class: str, message: str, *, drained: bool = False, **headers: str
    ) -> None:
        super().__init__(message)
        self.status, self.error_class, self.message, self.headers = (
            status,
            error_class,
            message,
            headers,
        )
        self.drained = drained


def _drainable(scope: Scope, before_body: bool) -> bool:
    """Whether the rest of a refused request's body is read after the answer
    (HTTP-013.6): not when it is announced longer than :data:`DRAIN_BYTES`, nor when the
    client waits for ``100 Continue`` and none of it was asked for (it will not come,
    and the next bytes on the connection would be read as body)."""
    headers = dict(scope["headers"])
    length = headers.get(b"content-length", b"")
    if length.isdigit() and int(length) > DRAIN_BYTES:
        return False
    return not (before_body and headers.get(b"expect", b"").lower() == b"100-continue")


class LimitsMiddleware:
    """HTTP-013 in front of ``app``; ``stopping`` tells whether the service stops."""

    def __init__(self, app: App, limits: ServiceLimits, stopping: Callable[[], bool]) -> None:
        self.app = app
        self.limits = limits
        self._stopping = stopping
        #: The bytes the bodies being read, or handled, hold now (HTTP-013.4).
        self.held = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        taken = [0]  # the bytes this request's body holds, released when it is answered
        try:
            try:
                body = await self._admit(scope, receive, taken)
            except _Refusal as refusal:
                keep = refusal.drained and _drainable(scope, before_body=taken[0] == 0)
                await _refuse(send, refusal, keep=keep)
                return
            given = receive if body is None else _replay(body, receive)
            # The handler owns the body from here: nothing here keeps it, so it is freed
            # once the handler is done with it (a send's, before its commit).
            del body
            await self.app(scope, given, send)
        finally:
            self.held -= taken[0]

    async def _admit(
        self, scope: Scope, receive: Receive, taken: list[int]
    ) -> bytes | bytearray | None:
        """The body, read within the limits; ``None``: the endpoint takes none (or the
        router refuses the path), the body left to the app."""
        if header_section_size(scope) > HEADER_BYTES:
            raise _Refusal(431, "headers-too-large", "HTTP-013.2: the header section is too large")
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        for part, raw in (("path", raw_path), ("query string", scope.get("query_string", b""))):
            if not _is_utf8(raw):
                raise _Refusal(
                    400,
                    "bad-request",
                    f"HTTP-002.5: the {part}, percent-decoded, is not UTF-8",
                    drained=True,
                )
        path = scope["path"]
        if self._stopping() and path not in _PROBES:
            raise _Refusal(503, "service-stopping", "HTTP-001.4: the service is stopping")
        endpoint = endpoint_for(scope["method"], path)
        headers = dict(scope["headers"])
        length_text = headers.get(b"content-length")
        chunked = b"transfer-encoding" in headers
        try:
            length = None if length_text is None else int(length_text)
        except ValueError:
            raise _Refusal(400, "bad-request", "HTTP-002: a malformed Content-Length") from None
        has_body = chunked or bool(length)
        if endpoint is None or (endpoint.media is None and not has_body):
            return None
        limit = endpoint.limit(self.limits)
        if endpoint.media is not None:
            kind, params = _media_type(headers.get(b"content-type"))
            if kind != endpoint.media or params.get("charset", "utf-8") != "utf-8":
                raise _Refusal(
                    415,
                    "bad-request",
                    f"HTTP-002.3: {endpoint.path} takes {endpoint.media}",
                    drained=True,
                )
        if has_body and self.held >= self.limits.total_body:
            raise _Refusal(
                503,
                "service-busy",
                "HTTP-013.4: the service holds as many request bytes as it takes; retry",
                drained=True,
                **{"retry-after": "1"},
            )
        if length is not None and length > limit:
            raise _Refusal(
                413,
                "request-too-large",
                f"HTTP-013.1: {endpoint.path} takes at most {limit} bytes",
                drained=True,
            )
        return await self._read(receive, limit, taken)

    async def _read(self, receive: Receive, limit: int, taken: list[int]) -> bytes | bytearray:
        """The body, counted chunk by chunk, within the limit and the read deadline.

        A body of one chunk is that chunk; a longer one grows one buffer as it arrives
        (counted as it arrives, HTTP-013.4, so nothing is set aside for a length only
        announced): chunks joined at the end held the body twice.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.read_timeout
        buffer: bytearray | None = None
        size = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise _Refusal(
                    408, "request-timeout", "HTTP-013.3: the body did not arrive in time"
                ) from None
            if message["type"] == "http.disconnect":
                raise _Refusal(400, "bad-request", "the client went away")
            chunk: bytes = message.get("body", b"")
            if self.held + len(chunk) > self.limits.total_body:
                # the bound holds while bodies arrive, not only when they start: twelve
                # 15 MiB bodies begun at once were all admitted at 0 bytes held
                raise _Refusal(
                    503,
                    "service-busy",
                    "HTTP-013.4: the service holds as many request bytes as it takes; retry",
                    drained=True,
                    **{"retry-after": "1"},
                )
            size += len(chunk)
            taken[0] += len(chunk)
            self.held += len(chunk)
            if size > limit:
                raise _Refusal(
                    413,
                    "request-too-large",
                    f"HTTP-013.1: the body passed {limit} bytes",
                    drained=True,
                )
            more = message.get("more_body", False)
            if buffer is None:
                if not more:
                    return chunk  # the whole body in one piece: itself, not a copy
                buffer = bytearray()
            buffer += chunk
            if not more:
                return buffer


def _replay(body: bytes | bytearray, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` whole, then what the connection says (a
    disconnect); it keeps no reference to the body once given."""
    kept: list[bytes | bytearray] = [body]

    async def replay() -> Message:
        if kept:
            return {"type": "http.request", "body": kept.pop(), "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, refusal: _Refusal, *, keep: bool) -> None:
    """Answer ``refusal``; ``keep``: without ``Connection: close``, so that the server
    reads the body's rest (HTTP-013.6), else closing the connection."""
    body = json.dumps(
        {"error": {"class": refusal.error_class, "message": refusal.message}}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(() if keep else ((b"connection", b"close"),)),
        *((name.encode(), value.encode()) for name, value in refusal.headers.items()),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

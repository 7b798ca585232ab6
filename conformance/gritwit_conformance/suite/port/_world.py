"""The world the port reaches in the suite: an HTTP server on loopback that counts.

It records every request it gets (method, path, headers, body) and answers by its path:
``/echo`` with a JSON of the request (and its ``authorization`` header again in
``x-echo``), ``/slow?ms=N`` after N milliseconds, ``/status?code=N`` with that status,
``/redirect?to=URL`` with a 302 to URL, ``/big?n=N`` with N bytes (written in pieces as
they are made, never held whole, so a 1 GiB answer costs the world no 1 GiB), anything
else 200 ``ok``; ``/echo?ms=N`` echoes after N milliseconds, ``/echo?until=T`` once the
time of day is T (milliseconds since the epoch), so a request sent again later is
answered sooner.  It keeps each request's
span (when it came and when its answer was written, or the writing failed), so a test
can count the requests in flight at a moment, as a kill.  It listens on 127.0.0.1 only
and stops when its ``with`` block ends (a daemon thread besides), so no test reaches the
network and none leaves it running.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

__all__ = ["Hit", "World", "open_worlds"]

#: The piece ``/big`` writes at a time.
_PIECE = 65_536


@dataclass(frozen=True, slots=True)
class Hit:
    """One request the world got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _any(self) -> None:
        world = self.server.world
        began = world.begin()
        try:
            self._answer()
        finally:
            world.end(began, self.headers.get("idempotency-key") or "")

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(min(length, 8 << 20)) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.world.record(Hit(self.command, self.path, headers, body))
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        status, extra, out = 200, {"content-type": "text/plain"}, b"ok"
        if url.path == "/echo":
            out = json.dumps(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": headers,
                    "body": body.decode("utf-8", "replace"),
                },
                sort_keys=True,
            ).encode()
            extra = {"content-type": "application/json", "x-echo": headers.get("authorization", "")}
            until = int(query.get("until", "0")) / 1000  # an instant of the time of day
            time.sleep(max(int(query.get("ms", "0")) / 1000, until - time.time()))
        elif url.path == "/slow":
            until = int(query.get("until", "0")) / 1000  # an instant of the time of day
            time.sleep(max(int(query.get("ms", "0")) / 1000, until - time.time()))
            out = b"slow"
        elif url.path == "/status":
            status = int(query.get("code", "200"))
        elif url.path == "/redirect":
            status, extra = 302, {"location": query.get("to", "/"), "content-type": "text/plain"}
        elif url.path == "/big":
            return self._big(int(query.get("n", "0")))
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("content-length", str(0 if self.command == "HEAD" else len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    def _big(self, n: int) -> None:
        """``n`` bytes of ``x``, written a piece at a time: the world holds 64 KiB, not ``n``."""
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        self.send_header("content-length", str(0 if self.command == "HEAD" else n))
        self.end_headers()
        piece = b"x" * _PIECE
        left = 0 if self.command == "HEAD" else n
        while left > 0:
            self.wfile.write(piece[: min(left, _PIECE)])
            left -= _PIECE

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _any


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    #: Hundreds of requests may connect at once (a kill family's); the default backlog
    #: of 5 would drop their SYNs and delay each by a retransmission.
    request_queue_size = 1024
    world: World

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client that hung up early (a time-out under test) is no error here


class _Server6(_Server):
    address_family = socket.AF_INET6


class World:
    """A loopback HTTP server that records what it got; ``with World() as w:``.
    ``host`` ``"::1"`` listens on the IPv6 loopback instead of 127.0.0.1."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._lock = threading.Lock()
        self._hits: list[Hit] = []
        self._spans: list[tuple[float, float]] = []
        #: requests being answered now: a number of each -> when it came
        self._running: dict[int, float] = {}
        #: requests answered: when each came, and its ``Idempotency-Key`` (PORT-006.1)
        self._keys: list[tuple[float, str]] = []
        self._numbers = 0
        self._server = (_Server6 if ":" in host else _Server)((host, 0), _Handler)
        self._server.world = self
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def record(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    def begin(self) -> int:
        """A request came: its number, for :meth:`end`."""
        with self._lock:
            self._numbers += 1
            self._running[self._numbers] = time.monotonic()
            return self._numbers

    def end(self, number: int, key: str = "") -> None:
        """The request's answer was written (or the writing failed); ``key``: its
        ``Idempotency-Key``."""
        with self._lock:
            began = self._running.pop(number)
            self._spans.append((began, time.monotonic()))
            self._keys.append((began, key))

    def answered_since(self, moment: float) -> Counter[str]:
        """How many times each ``Idempotency-Key`` was answered, of the requests that came
        at or after ``moment``."""
        with self._lock:
            return Counter(key for began, key in self._keys if began >= moment and key)

    def answering_since(self, moment: float) -> int:
        """Requests being answered now that came at or after ``moment``."""
        with self._lock:
            return sum(1 for began in self._running.values() if began >= moment)

    def in_flight_at(self, moment: float) -> int:
        """Requests that had come and were not yet answered at ``moment`` (``time.monotonic``),
        those still being answered included."""
        with self._lock:
            done = sum(1 for began, ended in self._spans if began <= moment < ended)
            return done + sum(1 for began in self._running.values() if began <= moment)

    def hits(self, path_prefix: str = "/") -> list[Hit]:
        with self._lock:
            return [h for h in self._hits if h.path.startswith(path_prefix)]

    def __enter__(self) -> World:
        self._thread.start()
        _OPEN.add(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _OPEN.discard(self)
        self._server.shutdown()
        self._server.server_close()


#: The worlds whose ``with`` block runs: what a watched run of the port sees (its runtime
#: reaches only these, the suite's loopback servers).
_OPEN: set[World] = set()


def open_worlds() -> list[World]:
    """The worlds open now (:class:`World` ``with`` blocks not yet ended)."""
    return list(_OPEN)

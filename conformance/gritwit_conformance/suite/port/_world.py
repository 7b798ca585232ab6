"""The world the port reaches in the suite: an HTTP server on loopback that counts.

It records every request it gets (method, path, headers, body) and answers by its path:
``/echo`` with a JSON of the request (and its ``authorization`` header again in
``x-echo``), ``/slow?ms=N`` after N milliseconds, ``/status?code=N`` with that status,
``/redirect?to=URL`` with a 302 to URL, ``/big?n=N`` with N bytes, anything else 200
``ok``.  It listens on 127.0.0.1 only and stops when its ``with`` block ends (a daemon
thread besides), so no test reaches the network and none leaves it running.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

__all__ = ["Hit", "World"]


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
        elif url.path == "/slow":
            time.sleep(int(query.get("ms", "0")) / 1000)
            out = b"slow"
        elif url.path == "/status":
            status = int(query.get("code", "200"))
        elif url.path == "/redirect":
            status, extra = 302, {"location": query.get("to", "/"), "content-type": "text/plain"}
        elif url.path == "/big":
            out = b"x" * int(query.get("n", "0"))
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("content-length", str(0 if self.command == "HEAD" else len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _any


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    world: World

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client that hung up early (a time-out under test) is no error here


class World:
    """A loopback HTTP server that records what it got; ``with World() as w:``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: list[Hit] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.world = self
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    def hits(self, path_prefix: str = "/") -> list[Hit]:
        with self._lock:
            return [h for h in self._hits if h.path.startswith(path_prefix)]

    def __enter__(self) -> World:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

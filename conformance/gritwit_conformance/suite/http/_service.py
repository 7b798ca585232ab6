"""Services started through the adapter (ADP-021) and the suite's HTTP client to each.

:func:`services` is a fixture: a :class:`Services` that starts a service on a fresh
directory under the test's ``tmp_path`` (``http-serve``), hands out an
:class:`httpx.Client` to it, and stops every service it started when the test ends
(``http-stop``), whatever the test did. :func:`http` is the common case, one fresh
service's client. A test module imports the fixtures it uses
(``from ._service import http as http``).

A service that never answers must not hang the harness: every client has a time-out on
every request (connect, read, write, pool), scaled like the answer limits (ADP-012), and
the raw-socket requests of :func:`raw_exchange` have their own. The client ignores the
environment's proxies (``trust_env=False``): the suite speaks to loopback only. Every
answer it reads in full is checked against the spec's OpenAPI document (HTTP-012.3,
:mod:`._answers`), whatever the test then checks of it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled
from gritwit_conformance.suite._check import SuiteBug, check, check_equal, fail, ok_answer

from ._answers import CheckedClient

__all__ = [
    "REQUEST_SECONDS",
    "check_url",
    "RawAnswer",
    "Service",
    "Services",
    "http",
    "raw_answer",
    "raw_exchange",
    "services",
]

#: Seconds any one request may take before the suite gives up on it (scaled, ADP-012).
REQUEST_SECONDS = 30.0


def _client(url: str, seconds: float) -> CheckedClient:
    """A client to ``url`` whose every answer read in full follows the spec's OpenAPI
    document (HTTP-012.3, :mod:`._answers`): a mismatch fails the request that got it."""
    return CheckedClient(
        base_url=url,
        timeout=httpx.Timeout(seconds),
        trust_env=False,
        follow_redirects=False,
    )


@dataclass
class Service:
    """One service an adapter started: where it stores, where it listens, a client to it."""

    path: Path
    url: str
    client: httpx.Client
    share: list[int] | None = None
    stopped: bool = False
    #: The tokens ``http-serve`` issued, by name (ADP-021.4; the feature ``tokens``).
    tokens: dict[str, str] = field(default_factory=dict)


@dataclass
class Services:
    """The services of one test, each on a directory under ``top``; :meth:`close` stops all."""

    impl: Implementation
    top: Path
    started: list[Service] = field(default_factory=list)

    def start(
        self,
        name: str = "service",
        *,
        share: list[int] | None = None,
        tokens: list[dict[str, Any]] | None = None,
    ) -> Service:
        """``http-serve`` on the directory ``top/name`` (created empty the first time).

        A later start of the same ``name`` is a restart on the store the earlier one used
        (ADP-021.1, ADP-021.2). Only the answer's shape is checked here, in the test's
        set-up; the URL's form (:func:`check_url`) is a test's own check, so that a wrong
        URL fails that test rather than erroring every test's set-up.
        """
        path = self.top / name
        path.mkdir(parents=True, exist_ok=True)
        args: dict[str, Any] = {"path": str(path)}
        if share is not None:
            args["share"] = share
        if tokens is not None:
            args["tokens"] = tokens
        reply = self.impl.call("http-serve", **args)
        result = ok_answer(reply, "ADP-021.1", "http-serve of a directory the harness created")
        url = result.get("url")
        if not isinstance(url, str):
            fail("ADP-021.1", expected="a url, text", came=reply, what="http-serve's url")
        service = Service(path, url, _client(url, scaled(REQUEST_SECONDS)), share)
        if tokens is not None:
            issued = result.get("tokens")
            names = {token["name"] for token in tokens}
            if not isinstance(issued, dict) or set(issued) != names:
                fail(
                    "ADP-021.4",
                    expected=f"one token per name asked for ({sorted(names)})",
                    came=f"the tokens {issued!r:.200}",
                    what="http-serve's tokens",
                )
            check(
                "ADP-021.4",
                all(isinstance(token, str) and token for token in issued.values()),
                expected="each token issued non-empty text",
                came=lambda: f"{issued!r:.200}",
            )
            service.tokens = dict(issued)
        self.started.append(service)
        return service

    def stop(self, service: Service) -> None:
        """``http-stop`` (ADP-021.2): it must answer ``{}`` once the service stopped."""
        if service.stopped:
            return
        service.stopped = True
        service.client.close()
        reply = self.impl.call("http-stop", url=service.url)
        result = ok_answer(reply, "ADP-021.2", f"http-stop of {service.url}, a url http-serve gave")
        check_equal("ADP-021.2", {}, result, f"http-stop of {service.url}: its result")

    def restart(self, service: Service) -> Service:
        """Stop ``service`` and start another on the same directory (ADP-021.2)."""
        self.stop(service)
        return self.start(service.path.name, share=service.share)

    def close(self) -> None:
        """Stop whatever is still running; the test's verdict is not this method's."""
        for service in self.started:
            if service.stopped:
                continue
            service.stopped = True
            service.client.close()
            with contextlib.suppress(Exception):
                self.impl.call("http-stop", url=service.url)


def check_url(url: str) -> None:
    """ADP-021.1 and HTTP-001.3: ``http://<loopback address>:<port>``, no trailing slash."""
    parts = urlsplit(url)
    check(
        "ADP-021.1",
        parts.scheme == "http" and parts.port is not None,
        expected="http://<loopback address>:<port>",
        came=url,
        what="http-serve's url",
    )
    check(
        "ADP-021.1",
        not parts.path and not parts.query and not parts.fragment,
        expected="a url without a path, query or trailing slash",
        came=url,
        what="http-serve's url",
    )
    host = parts.hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    check(
        "HTTP-001.3",
        loopback,
        expected="a loopback address",
        came=host,
        what="the host the service listens on",
    )


@pytest.fixture
def services(impl: Implementation, tmp_path: Path) -> Iterator[Services]:
    """The services of this test; each is stopped when the test ends (ADP-021.2)."""
    pool = Services(impl, tmp_path / "services")
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def http(services: Services) -> httpx.Client:
    """A client to one fresh service, on an empty directory."""
    return services.start().client


# --- raw requests, for what a polite client cannot send ---------------------------------


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """What a service did with a raw request: its status and body, or it closed."""

    status: int | None
    head: bytes
    body: bytes
    #: Bytes of the request body the suite had sent when the answer (or the close) came.
    sent: int
    closed: bool

    def describe(self) -> str:
        if self.status is None:
            return f"the connection closed without an answer after {self.sent} body bytes"
        text = self.body[:300].decode("utf-8", "backslashreplace")
        more = "…" if len(self.body) > 300 else ""
        return f"{self.status} {text}{more} after {self.sent} body bytes"


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        # the url was checked when the service started (ADP-021.1)
        raise SuiteBug(f"suite bug: the service's url {url!r} has a host and a port")
    return parts.hostname, parts.port


def raw_exchange(
    url: str,
    head: bytes,
    body: Iterable[bytes] = (),
    *,
    seconds: float,
    linger: float = 0.0,
) -> RawAnswer:
    """Send ``head`` then the chunks of ``body`` on a fresh connection; read the answer.

    Stops sending as soon as the service answers or closes (a service may answer a body
    over its limit before reading it all, HTTP-013.1). ``linger``: seconds to wait after
    the head before the body. Gives up after ``seconds`` in all (an answer not yet
    complete is returned as it stands).
    """
    deadline = time.monotonic() + seconds
    sent = 0
    received = b""
    closed = False
    with socket.create_connection(_address(url), timeout=seconds) as sock:
        sock.setblocking(False)
        pending = [head]
        chunks = iter(body)
        lingering = time.monotonic() + linger
        while time.monotonic() < deadline:
            data, closed = _receive(sock)
            received += data
            if closed or _complete(received):
                break
            if not pending and time.monotonic() >= lingering:
                chunk = next(chunks, None)
                if chunk is not None:
                    pending.append(chunk)
            if pending:
                try:
                    written = sock.send(pending[0])
                except BlockingIOError:
                    written = 0
                except OSError:  # reset: the service refused the rest
                    closed = True
                    break
                if pending[0] is not head:
                    sent += written
                rest = pending[0][written:]
                if rest:
                    pending[0] = rest
                else:
                    pending.pop(0)
                if written == 0:
                    time.sleep(0.002)
            else:
                time.sleep(0.005)
        data, closed_now = _receive(sock)
        received += data
        closed = closed or closed_now
    return _answer(received, sent, closed)


def _receive(sock: socket.socket) -> tuple[bytes, bool]:
    try:
        data = sock.recv(1 << 16)
    except BlockingIOError:
        return b"", False
    except OSError:
        return b"", True
    return data, not data


def _complete(received: bytes) -> bool:
    head, found, body = received.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return len(body) >= int(value.strip())
            except ValueError:
                return True
    return True  # no length: whatever came with the head


def raw_answer(received: bytes) -> RawAnswer:
    """The answer in ``received`` (what a service sent before the suite sent a body)."""
    return _answer(received, 0, False)


def _answer(received: bytes, sent: int, closed: bool) -> RawAnswer:
    head, found, body = received.partition(b"\r\n\r\n")
    status = None
    if found or head.startswith(b"HTTP/"):
        first = head.split(b"\r\n", 1)[0].split()
        if len(first) >= 2 and first[1].isdigit():
            status = int(first[1])
    return RawAnswer(status, head, body, sent, closed)


def request_head(method: str, url: str, target: str, headers: dict[str, str]) -> bytes:
    """An HTTP/1.1 request head for ``target`` on the service at ``url``."""
    host, port = _address(url)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

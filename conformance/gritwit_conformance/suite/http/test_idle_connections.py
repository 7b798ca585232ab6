"""Connections that stop sending are ended within the time limit (HTTP-013.3, HTTP-013.6).

``test_hostile.py`` leaves a request's head, or its body, unfinished. These leave a
connection in the other places a service waits for its client: opened with nothing sent;
and with a body that keeps coming too slowly, where a service may refuse it before
reading it all (413, HTTP-013.1) and must then read and discard its rest (HTTP-013.6) —
but not past its time limit. Each time the service
must answer 408 ``request-timeout`` or close the connection within its time limit (at
least 10 s, default 30 s): the suite waits that default and a margin, never longer, and
another client is served all along (HTTP-013.5).
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import SuiteBug, check
from ._api import shown
from ._service import http as http
from ._service import request_head
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.slow]

#: HTTP-013.3's default time limit; the suite waits it, scaled, and this margin more.
LIMIT_SECONDS = 30.0
MARGIN_SECONDS = 30.0
MIB = 1024 * 1024
#: A body's ``Content-Length``: past the 16 MiB floor of JSON bodies (HTTP-013.1), so a
#: service may refuse it 413 before it reads it, and within the 64 MiB a refused body's
#: rest must be read up to (HTTP-013.6), so it may not close at once.
LENGTH = 48 * MIB


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port
    if host is None or port is None:  # checked as the service started (check_url)
        raise SuiteBug(f"suite bug: http-serve's URL {url} names no host and port")
    sock = socket.create_connection((host, port), timeout=10)
    sock.setblocking(False)
    return sock


def _until_ended(sock: socket.socket, trickle: bytes = b"") -> tuple[bytes, bool, float]:
    """Read until the service closes (sending ``trickle`` every quarter of a second
    meanwhile, when given) or the bound passes: what came, whether it closed, when."""
    started = time.monotonic()
    deadline = started + scaled(LIMIT_SECONDS) + MARGIN_SECONDS
    received = b""
    next_send = started
    while time.monotonic() < deadline:
        try:
            data = sock.recv(1 << 16)
        except BlockingIOError:
            data = None
        except OSError:
            return received, True, time.monotonic() - started
        if data == b"":
            return received, True, time.monotonic() - started
        if data:
            received += data
        if trickle and time.monotonic() >= next_send:
            try:
                sock.send(trickle)
            except BlockingIOError:
                pass
            except OSError:  # reset: the service ended the connection
                return received, True, time.monotonic() - started
            next_send = time.monotonic() + 0.25
        time.sleep(0.02)
    return received, False, time.monotonic() - started


def _answers(received: bytes) -> list[int]:
    """The statuses of the answers in ``received``, in order."""
    statuses = []
    for line in received.split(b"\r\n"):
        if line.startswith(b"HTTP/1.1 "):
            code = line.split()[1]
            if code.isdigit():
                statuses.append(int(code))
    return statuses


def _ended(received: bytes, closed: bool, after: float, before: int, what: str) -> None:
    """After ``before`` answers, a 408 ``request-timeout`` or the close ended it."""
    statuses = _answers(received)
    late = statuses[before:]
    timed_out = late == [408] and b"request-timeout" in received
    check(
        "HTTP-013.3",
        closed or timed_out,
        expected=f"408 request-timeout or a close within {scaled(LIMIT_SECONDS):.0f} s and a "
        "margin",
        came=f"neither after {after:.0f} s (answers {statuses})",
        what=what,
    )
    check(
        "HTTP-013.3",
        not late or timed_out,
        expected="no answer but 408 request-timeout to a request never finished",
        came=received[-300:].decode("latin-1"),
        what=what,
    )


def _served(client: httpx.Client, what: str) -> None:
    health = client.get("/healthz")
    check(
        "HTTP-013.5",
        health.status_code == 200,
        expected="200: another client served",
        came=lambda: shown(health),
        what=f"GET /healthz after {what}",
    )


@pytest.mark.req("HTTP-013.3", "HTTP-013.5")
@pytest.mark.req("HTTP-001.5")
def test_a_connection_with_nothing_sent_is_ended(http: httpx.Client) -> None:
    what = "a connection opened with nothing sent"
    with _connect(str(http.base_url)) as sock:
        received, closed, after = _until_ended(sock)
    _ended(received, closed, after, 0, what)
    _served(http, what)


@pytest.mark.req("HTTP-013.3", "HTTP-013.6", "HTTP-013.1", "HTTP-013.5")
@pytest.mark.req("HTTP-005.2")
def test_a_body_trickling_past_the_time_limit_is_ended(http: httpx.Client) -> None:
    """A send announcing 48 MiB of JSON, then a kibibyte of it every quarter second: a
    service refuses it 413 before the body (HTTP-013.1) and reads the rest, or waits for
    it; either way not past its time limit (HTTP-013.3, HTTP-013.6)."""
    url = str(http.base_url).rstrip("/")
    head = request_head(
        "POST",
        url,
        f"/v1/actors/{'0' * 64}/messages",
        {"Content-Type": "application/json", "Content-Length": str(LENGTH)},
    )
    what = "a 48 MiB body trickling a kibibyte every quarter second"
    with _connect(url) as sock:
        sock.setblocking(True)
        sock.sendall(head)
        sock.setblocking(False)
        received, closed, after = _until_ended(sock, trickle=b" " * 1024)
    statuses = _answers(received)
    check(
        "HTTP-013.3",
        closed,
        expected=f"the connection closed within {scaled(LIMIT_SECONDS):.0f} s and a margin",
        came=f"open after {after:.0f} s of a body trickling (answers {statuses})",
        what=what,
    )
    check(
        ("HTTP-013.1", "HTTP-013.3"),
        set(statuses) <= {408, 413},
        expected="no answer, or 413 request-too-large, or 408 request-timeout",
        came=received[:300].decode("latin-1"),
        what=what,
    )
    _served(http, what)

"""A request late in a kept connection's life has the whole time limit (HTTP-013.3).

A service cuts a request whose head or body has not arrived within its time limit, at
least 10 s (HTTP-013.3). The limit is the request's own: on a connection kept alive by
a request every two seconds, a request begun 25 s after the connection opened (or
after a refused body was read and discarded on it, HTTP-013.6) whose head, or body,
takes 6 s to arrive must still be served — not cut at some deadline left running from
the connection's first request or from the refused body.

A service need not keep connections (HTTP/1.1 lets it close one between requests, and
HTTP-013.6 lets it close one once a refused body is read): the test then skips.
"""

from __future__ import annotations

import select
import socket
import time

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check
from ._api import counter
from ._service import _address, request_head
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Seconds between the requests that keep the connection alive.
GAP = 2.0
#: Seconds into the connection (or after the refused body) when the late request begins.
LATE = 25.0
#: Seconds the late request's head or body takes to arrive: within HTTP-013.3's 10 s.
SLOW = 6.0
#: A settle's body, whose second half comes ``SLOW`` seconds after its first.
SETTLE_BODY = b'{"timeout": 0}'


class _Kept:
    """One connection, requests sent and answers read in turn."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sock = socket.create_connection(_address(url), timeout=scaled(15))
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def closed(self) -> bool:
        """Whether the service has closed the connection (nothing is pending on it)."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        if not readable:
            return False
        try:
            data = self.sock.recv(65536)
        except OSError:
            return True
        self.buffer += data
        return not data

    def send(self, data: bytes) -> str | None:
        """Send ``data``; what broke, if the connection did."""
        try:
            self.sock.sendall(data)
        except OSError as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    def answer(self) -> tuple[int | None, bytes, str]:
        """The next answer: its status (``None``: none came), its head, what ended it."""
        while b"\r\n\r\n" not in self.buffer:
            try:
                data = self.sock.recv(65536)
            except OSError as exc:
                return None, self.buffer, f"{type(exc).__name__}: {exc}"
            if not data:
                return None, self.buffer, "the connection closed"
            self.buffer += data
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or b"0")
        while len(rest) < length:
            try:
                data = self.sock.recv(65536)
            except OSError as exc:
                return None, head, f"{type(exc).__name__}: {exc}"
            if not data:
                return None, head, "the connection closed within the answer's body"
            rest += data
        self.buffer = rest[length:]
        try:
            status = int(head.split(b" ", 2)[1])
        except (IndexError, ValueError):
            return None, head, "no status line"
        return status, head, "an answer"

    def kept(self, head: bytes) -> bool:
        """Whether the answer whose head is ``head`` keeps the connection."""
        return b"connection: close" not in head.lower() and not self.closed()

    def healthz(self) -> tuple[int | None, bytes, str]:
        broke = self.send(request_head("GET", self.url, "/healthz", {}))
        if broke is not None:
            return None, b"", broke
        return self.answer()


def _keep_until(conn: _Kept, deadline: float) -> None:
    """``GET /healthz`` every ``GAP`` seconds until ``deadline``; skip if the service
    stops keeping the connection."""
    while time.monotonic() + GAP < deadline:
        time.sleep(GAP)
        status, head, ended = conn.healthz()
        if status != 200 or not conn.kept(head):
            pytest.skip(f"the service did not keep the connection ({status}, {ended})")
    time.sleep(max(0.0, deadline - time.monotonic()))
    if conn.closed():
        pytest.skip("the service closed the kept connection between requests")


@pytest.mark.slow
@pytest.mark.req("HTTP-013.3", "HTTP-001.5")
def test_a_late_head_on_a_kept_connection_has_the_whole_time_limit(
    http: httpx.Client,
) -> None:
    url = str(http.base_url).rstrip("/")
    conn = _Kept(url)
    try:
        opened = time.monotonic()
        status, head, ended = conn.healthz()
        if status != 200 or not conn.kept(head):
            pytest.skip(f"the service did not keep the connection ({status}, {ended})")
        _keep_until(conn, opened + LATE)
        late = request_head("GET", url, "/healthz", {})
        broke = conn.send(late[:-2])  # all but the empty line that ends it
        time.sleep(SLOW)
        broke = broke or conn.send(late[-2:])
        status, head, ended = conn.answer()
    finally:
        conn.close()
    check(
        "HTTP-013.3",
        status == 200,
        expected=f"200: a head that took {SLOW:.0f} s (the limit is at least 10 s) served",
        came=f"{status} ({broke or ended}): {head[:200]!r}",
        what=f"GET /healthz begun {LATE:.0f} s into a kept connection, its head taking "
        f"{SLOW:.0f} s",
    )


@pytest.mark.slow
@pytest.mark.req("HTTP-013.3", "HTTP-013.6", "HTTP-002.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_a_late_body_after_a_refused_one_has_the_whole_time_limit(http: httpx.Client) -> None:
    actor = counter(http)
    url = str(http.base_url).rstrip("/")
    refused_body = b"x" * 100
    refused = request_head(
        "POST",
        url,
        f"/v1/actors/{actor}/messages",
        {"Content-Type": "text/plain", "Content-Length": str(len(refused_body))},
    )
    conn = _Kept(url)
    try:
        broke = conn.send(refused)
        readable, _, _ = select.select([conn.sock], [], [], scaled(2.0))
        if readable:  # answered before the body: the body is read and discarded after
            status, head, ended = conn.answer()
            broke = broke or conn.send(refused_body)
        else:
            broke = broke or conn.send(refused_body)
            status, head, ended = conn.answer()
        check(
            "HTTP-002.3",
            status == 415,
            expected="415: a send of text/plain",
            came=f"{status} ({broke or ended}): {head[:200]!r}",
            what="a send whose body is text/plain",
        )
        if not conn.kept(head):
            pytest.skip("the service closed the connection after the refused body (HTTP-013.6)")
        refused_at = time.monotonic()
        _keep_until(conn, refused_at + LATE)
        half = len(SETTLE_BODY) // 2
        settle = request_head(
            "POST",
            url,
            "/v1/settle",
            {"Content-Type": "application/json", "Content-Length": str(len(SETTLE_BODY))},
        )
        broke = conn.send(settle + SETTLE_BODY[:half])
        time.sleep(SLOW)
        broke = broke or conn.send(SETTLE_BODY[half:])
        status, head, ended = conn.answer()
    finally:
        conn.close()
    check(
        "HTTP-013.3",
        status == 200,
        expected=f"200: a settle whose body took {SLOW:.0f} s (the limit is at least 10 s) "
        "answered",
        came=f"{status} ({broke or ended}): {head[:200]!r}",
        what=f"POST /v1/settle begun {LATE:.0f} s after a refused body on the same "
        f"connection, its body taking {SLOW:.0f} s",
    )

"""The total bound holds while bodies arrive, not only when they begin (HTTP-013, HTTP-013.4).

A service MUST bound what all requests together hold (HTTP-013), and while bodies being
read hold its total bound a further request with a body fails 503 ``service-busy``
(HTTP-013.4). The suite first finds how many uploads of 16 MiB (the JSON floor of
HTTP-013.1) left one byte short the service holds before it refuses a further body:
``held``, one at a time. Then it begins ``held + 1`` such uploads at once — every head
sent before any body byte, so each is admitted while nothing is held — and sends their
bodies: a service that checked its bound only when a body begins would take them all and
hold more than the bound it refuses others at. At least one of them must be refused 503
``service-busy`` instead. A total above 32 such uploads is more than the suite sends:
the test then skips (the spec sets no ceiling).
"""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check, fail
from ._api import shown
from ._service import RawAnswer, _address, raw_answer, raw_exchange, request_head
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

MIB = 1024 * 1024
#: Each upload: the JSON floor of HTTP-013.1, sent all but its last byte.
SIZE = 16 * MIB
#: The most uploads the suite holds at once looking for the total bound.
STALLED_MAX = 32
#: Where the uploads go: an endpoint taking JSON.
PATH = "/v1/settle"


def _head(url: str, length: int) -> bytes:
    return request_head(
        "POST", url, PATH, {"Content-Type": "application/json", "Content-Length": str(length)}
    )


def _early(sock: socket.socket, seconds: float) -> RawAnswer | None:
    """The answer the service sent on ``sock`` within ``seconds``, if any."""
    sock.settimeout(seconds)
    try:
        data = sock.recv(1 << 16)
    except OSError:
        return None
    return raw_answer(data) if data else RawAnswer(None, b"", b"", 0, True)


def _body(sock: socket.socket, filler: bytes) -> RawAnswer | None:
    """Send ``filler`` (all of a body but its last byte); an answer that came instead."""
    sock.settimeout(scaled(30))
    try:
        sock.sendall(filler)
    except OSError:  # refused mid-body: its answer
        return _early(sock, 1.0) or RawAnswer(None, b"", b"", 0, True)
    return _early(sock, 0.3)


def _busy(url: str) -> bool:
    """Whether a small body is refused 503 now."""
    probe = raw_exchange(url, _head(url, 14) + b'{"timeout": 0}', seconds=scaled(10))
    return probe.status == 503


def _held(url: str, filler: bytes) -> int | None:
    """How many uploads held one at a time the service takes before it refuses a body."""
    stalled: list[socket.socket] = []
    try:
        for _ in range(STALLED_MAX):
            sock = socket.create_connection(_address(url), timeout=scaled(30))
            stalled.append(sock)
            sock.sendall(_head(url, SIZE))
            answer = _early(sock, 0.2) or _body(sock, filler)
            if answer is not None:
                return len(stalled) - 1  # this one refused
            if _busy(url):
                return len(stalled)
        return None
    finally:
        for sock in stalled:
            sock.close()


def _drained(client: httpx.Client) -> None:
    """Wait until a body is served again: the closed uploads hold nothing."""
    deadline = time.monotonic() + scaled(30)
    while time.monotonic() < deadline:
        response = client.post(PATH, json={"timeout": 0})
        if response.status_code != 503:
            check(
                "HTTP-013.5",
                response.status_code == 200,
                expected="status 200",
                came=shown(response),
                what="a settle once the held uploads are gone",
            )
            return
        time.sleep(0.2)
    fail(
        "HTTP-013.5",
        expected="a body served again once the held uploads are gone",
        came="503 for 30 s after they were closed",
        what="a settle after the uploads",
    )


@pytest.mark.slow
@pytest.mark.req("HTTP-013", "HTTP-013.4", "HTTP-013.5")
@pytest.mark.req("HTTP-011.1")  # the probes are settles
def test_uploads_begun_at_once_are_held_to_the_total_bound(http: httpx.Client) -> None:
    url = str(http.base_url).rstrip("/")
    filler = b"[" + b" " * (SIZE - 2)
    held = _held(url, filler)
    if held is None:
        pytest.skip(f"no service-busy after {STALLED_MAX} uploads of 16 MiB held at once")
    _drained(http)
    sockets: list[socket.socket] = []
    answers: list[RawAnswer | None] = []
    try:
        for _ in range(held + 1):  # every head first: each admitted with nothing held
            sock = socket.create_connection(_address(url), timeout=scaled(30))
            sockets.append(sock)
            sock.sendall(_head(url, SIZE))
        for sock in sockets:
            answers.append(_early(sock, 0.1) or _body(sock, filler))
        for index, sock in enumerate(sockets):
            if answers[index] is None:
                answers[index] = _early(sock, 0.2)
    finally:
        for sock in sockets:
            sock.close()
    refusals = [answer for answer in answers if answer is not None]
    check(
        "HTTP-013.4",
        any(answer.status == 503 for answer in refusals),
        expected=f"at least one of {held + 1} uploads of 16 MiB begun at once refused 503 "
        f"service-busy (the service refused a further body with {held} of them held)",
        came=f"{len(refusals)} answered early: "
        + ("; ".join(answer.describe() for answer in refusals) or "none"),
        what="uploads past the total bound, their heads sent before their bodies",
    )
    _drained(http)

"""A refused body's answer reaches a client that writes the whole body first (HTTP-013.6).

Most clients write a request's whole body before they read (``requests``, ``curl``
without ``Expect``).  A service that answers a body it refuses before reading it all and
then closes with the rest unread sends a TCP reset, and the reset throws the answer
away at the client: the client sees a broken connection, not the 413.  The suite writes
bodies of at most 64 MiB whole, on a blocking socket, and only then reads: the answer
must be there.  A service's JSON limit is its own above 16 MiB (HTTP-013.1); the suite
finds the first power of two it refuses by ``Content-Length`` and skips past 32 MiB.
"""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from gritwit_conformance.harness._state import scaled
from gritwit_conformance.suite._check import check, check_equal, fail

from ._api import counter, inc, next_previous
from ._service import _address, raw_exchange, request_head
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

MIB = 1024 * 1024
#: The most of a refused body a service must read after its answer (HTTP-013.6).
DRAIN = 64 * MIB
#: The JSON floor of HTTP-013.1.
FLOOR = 16 * MIB


def _head(url: str, path: str, media: str, length: int) -> bytes:
    return request_head("POST", url, path, {"Content-Type": media, "Content-Length": str(length)})


def _written_whole(url: str, head: bytes, length: int, rule: str) -> tuple[int, str]:
    """Write ``head`` and ``length`` bytes of body in full, then read the answer: its
    status and error class."""
    seconds = scaled(120)
    piece = b" " * MIB
    with socket.create_connection(_address(url), timeout=seconds) as sock:
        try:
            sock.sendall(head)
            for start in range(0, length, MIB):
                sock.sendall(piece[: min(MIB, length - start)])
        except OSError as exc:
            fail(
                rule,
                expected=f"a body of {length} bytes read and discarded after the answer",
                came=f"writing it whole broke off ({exc}): the service closed the connection "
                "with the body unread, so a client that writes its body before it reads never "
                "sees the answer",
                what="a refused request written whole before its answer is read",
            )
        received = b""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except OSError as exc:
                fail(
                    rule,
                    expected=f"the answer, read after a body of {length} bytes written whole",
                    came=f"reading broke off ({exc}); read so far: {received[:200]!r}",
                    what="a refused request written whole before its answer is read",
                )
            if not data:
                break
            received += data
            head_part, found, body = received.partition(b"\r\n\r\n")
            if found and _whole(head_part, body):
                break
    head_part, _, body = received.partition(b"\r\n\r\n")
    check(
        rule,
        head_part.startswith(b"HTTP/1.1 "),
        expected=f"an answer after a body of {length} bytes written whole",
        came=lambda: f"none; read: {received[:200]!r}",
    )
    try:
        error_class = str(json.JSONDecoder().raw_decode(body.decode())[0]["error"]["class"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        error_class = ""
    return int(head_part.split(b" ", 2)[1]), error_class


def _whole(head: bytes, body: bytes) -> bool:
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def _refused_length(url: str, path: str) -> int | None:
    """The first power of two from 32 MiB up to :data:`DRAIN` whose ``Content-Length``
    the service refuses before the body (HTTP-013.1), or ``None``."""
    length = 2 * FLOOR
    while length <= DRAIN:
        answer = raw_exchange(url, _head(url, path, "application/json", length), seconds=scaled(1))
        if answer.status == 413:
            return length
        length *= 2
    return None


@pytest.mark.slow
@pytest.mark.req("HTTP-013.6", "HTTP-013.1", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_body_past_the_limit_written_whole_reads_the_413(http: httpx.Client) -> None:
    actor = counter(http)
    last = inc(http, actor)
    url = str(http.base_url).rstrip("/")
    path = f"/v1/actors/{actor}/messages"
    length = _refused_length(url, path)
    if length is None:
        pytest.skip(f"the service takes JSON bodies of {DRAIN} bytes: none past it to drain")
    got = _written_whole(url, _head(url, path, "application/json", length), length, "HTTP-013.6")
    check_equal(
        ("HTTP-013.6", "HTTP-013.1"),
        [413, "request-too-large"],
        list(got),
        f"the status and class of a JSON body of {length} bytes written whole",
    )
    check_equal(
        "HTTP-013.5", last, next_previous(http, actor), "the outside's last message to the actor"
    )


@pytest.mark.req("HTTP-013.6", "HTTP-002.3", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_body_of_another_media_type_written_whole_reads_the_415(http: httpx.Client) -> None:
    """8 MiB of ``text/plain``: refused by its media type, which a service may do before
    it reads a byte of it."""
    actor = counter(http)
    last = inc(http, actor)
    url = str(http.base_url).rstrip("/")
    length = 8 * MIB
    head = _head(url, f"/v1/actors/{actor}/messages", "text/plain", length)
    got = _written_whole(url, head, length, "HTTP-013.6")
    check_equal(
        ("HTTP-013.6", "HTTP-002.3"),
        [415, "bad-request"],
        list(got),
        f"the status and class of a text/plain body of {length} bytes written whole",
    )
    check_equal(
        "HTTP-013.5", last, next_previous(http, actor), "the outside's last message to the actor"
    )

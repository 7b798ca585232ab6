"""A refused body is read to its end before the connection closes (HTTP-013.6).

A client that writes its whole body before it reads (most do: ``requests``, ``curl``
without ``Expect``) got a connection reset, not the 413 of HTTP-013.1: the service
answered at once and closed with the body's rest unread, and a socket closed with
unread data sends a reset, which throws away the answer at the client.  The service now
reads and discards up to :data:`~gritwit.serve._limits.DRAIN_BYTES` after its answer,
within the read deadline, and closes at once only a body announced longer than that or
one whose client waits for ``100 Continue``.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from serve_helpers import Served, raw, request_head, served, serving, still_serves

from gritwit.serve._limits import DRAIN_BYTES, MIB, ServiceLimits
from gritwit.serve._middleware import _drainable

__all__ = ["served"]


def _whole_then_read(
    url: str, head: bytes, body: bytes, seconds: float = 60.0, until: bytes = b""
) -> bytes:
    """Write ``head`` and ``body`` in full, then read until the (first) answer is whole,
    or, given ``until``, until those bytes came."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=seconds) as sock:
        sock.sendall(head + body)  # the whole body first: a reset here is the bug
        received = b""
        while (until not in received) if until else not _complete(received):
            data = sock.recv(65536)
            if not data:
                break
            received += data
        return received


def _complete(received: bytes) -> bool:
    if b"\r\n\r\n" not in received:
        return False
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def _settle_head(served: Served, headers: dict[str, str]) -> bytes:
    """The head of a ``POST /v1/settle`` with ``headers``: the endpoint every body here goes to."""
    return request_head("POST", "/v1/settle", served.url, headers)


def _refusal(received: bytes) -> tuple[int, str]:
    head, _, body = received.partition(b"\r\n\r\n")
    first, _ = json.JSONDecoder().raw_decode(body.decode())  # a next answer may follow
    return int(head.split(b" ", 2)[1]), first["error"]["class"]


@pytest.mark.req("HTTP-013.6")
@pytest.mark.parametrize(
    ("size", "media", "refusal"),
    [
        # 50 MB, announced: past the 16 MiB limit, within the 64 MiB the service drains
        pytest.param(
            50_000_000,
            "application/json",
            (413, "request-too-large"),
            marks=pytest.mark.req("HTTP-013.1"),
            id="too-large",
        ),
        pytest.param(
            4 * MIB,
            "text/plain",
            (415, "bad-request"),
            marks=pytest.mark.req("HTTP-002.3"),
            id="another-media-type",
        ),
    ],
)
def test_a_client_that_writes_a_refused_body_whole_first_reads_the_refusal(
    served: Served, size: int, media: str, refusal: tuple[int, str]
) -> None:
    """The body written whole before the answer is read: the refusal comes (its rest is
    drained), and the service serves on."""
    head = _settle_head(served, {"Content-Type": media, "Content-Length": str(size)})
    received = _whole_then_read(served.url, head, b" " * size)
    assert _refusal(received) == refusal, received[:300]
    still_serves(served.url)


@pytest.mark.req("HTTP-013.6", "HTTP-013.1")
def test_a_chunked_body_past_the_limit_is_drained_and_the_connection_kept(
    served: Served,
) -> None:
    """24 MiB in 1 MiB chunks, then a second request on the same connection: answered."""
    head = _settle_head(
        served, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    )
    piece = b" " * MIB
    body = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") * 24 + b"0\r\n\r\n"
    probe = f"GET /readyz HTTP/1.1\r\nHost: {served.url.removeprefix('http://')}\r\n\r\n"
    received = _whole_then_read(served.url, head, body + probe.encode(), until=b'"ready"')
    assert _refusal(received) == (413, "request-too-large"), received[:300]
    second = received.split(b"HTTP/1.1 ")[2:]
    assert second and second[0].startswith(b"200 "), received


@pytest.mark.req("HTTP-013.6", "HTTP-013.1")
def test_a_chunked_body_is_drained_no_further_than_the_drain_bound(tmp_path: Path) -> None:
    """A refused chunked body (its length unannounced) that goes on past
    :data:`DRAIN_BYTES`: the connection is closed once that much was drained, not kept
    reading until the read deadline (set to 60 s here, past the writing's 45 s)."""
    with serving(tmp_path / "store", limits=ServiceLimits(read_timeout=60.0)) as one:
        head = _settle_head(
            one, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        )
        piece = b" " * MIB
        chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        host, port = one.url.removeprefix("http://").rsplit(":", 1)
        sent, closed, started = 0, False, time.monotonic()
        with socket.create_connection((host, int(port)), timeout=50) as sock:
            sock.sendall(head)
            while sent < 4 * DRAIN_BYTES and time.monotonic() - started < 45:
                try:
                    sock.sendall(chunk)
                except TimeoutError:
                    break  # the service stopped reading and kept the connection
                except OSError:  # reset or broken pipe: the service closed it
                    closed = True
                    break
                sent += len(chunk)
        elapsed = time.monotonic() - started
        assert closed, f"still open after {sent / MIB:.0f} MiB in {elapsed:.1f} s"
        # what the sockets' buffers held besides: a few MiB on loopback
        assert sent < 2 * DRAIN_BYTES, f"closed only after {sent / MIB:.0f} MiB"


@pytest.mark.req("HTTP-013.6", "HTTP-013.1")
def test_a_body_announced_past_the_drain_bound_is_answered_and_closed_at_once(
    served: Served,
) -> None:
    """The service does not read 64 MiB of a body it cannot drain whole anyway."""
    head = _settle_head(
        served, {"Content-Type": "application/json", "Content-Length": str(DRAIN_BYTES + 1)}
    )
    started = time.monotonic()
    answer = raw(served.url, head, seconds=20)
    assert answer.status == 413 and answer.closed, answer
    assert time.monotonic() - started < 15, "the service waited for a body it will not drain"


@pytest.mark.req("HTTP-013.6", "HTTP-013.1")
def test_a_client_waiting_for_100_continue_gets_the_413_and_a_close(served: Served) -> None:
    head = _settle_head(
        served,
        {
            "Content-Type": "application/json",
            "Content-Length": str(20 * MIB),
            "Expect": "100-continue",
        },
    )
    answer = raw(served.url, head, seconds=20)
    assert answer.status == 413 and answer.closed, answer
    assert b"100 Continue" not in answer.head


@pytest.mark.req("HTTP-013.6")
def test_only_a_body_announced_within_the_drain_bound_is_drained() -> None:
    """The choice the test above sees from outside, made where the service makes it: a
    refused body is read and discarded up to 64 MiB announced, not one byte more, and not
    when its client waits for ``100 Continue`` before it sends any."""

    def drained(headers: dict[bytes, bytes], before_body: bool = False) -> bool:
        return _drainable({"headers": list(headers.items())}, before_body)

    assert drained({b"content-length": b"%d" % DRAIN_BYTES})
    assert not drained({b"content-length": b"%d" % (DRAIN_BYTES + 1)})
    assert drained({b"transfer-encoding": b"chunked"})  # no length announced
    assert not drained({b"content-length": b"10", b"expect": b"100-continue"}, True)
    assert drained({b"content-length": b"10", b"expect": b"100-continue"}, False)

"""Requests released together: each read by the service at the same moment.

:func:`released_together` opens a connection per request and sends each one's head and
all of its body but the last byte; once every request is sent so, and the service has
had a moment to read them, it sends the last bytes, one after another with nothing in
between. No request is complete before all of them are sent, so the service holds them
all at once: as concurrent as a client can make them, without counting on how fast the
suite's own threads start.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from ._service import RawAnswer, raw_answer, request_head

__all__ = ["released_together"]

#: Seconds the service is given to read every request's head and the body's start.
HOLD = 0.2


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        raise ValueError(f"ADP-021.1: {url!r} names no host and port")
    return parts.hostname, parts.port


def _read(sock: socket.socket, deadline: float) -> bytes:
    """What the service answers on ``sock``: its head and as much body as it announces."""
    received = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(1 << 16)
        except TimeoutError:
            break
        except OSError:
            break
        if not data:
            break
        received += data
        head, found, body = received.partition(b"\r\n\r\n")
        if found:
            length = next(
                (
                    value.strip()
                    for name, _, value in (line.partition(b":") for line in head.split(b"\r\n"))
                    if name.strip().lower() == b"content-length"
                ),
                None,
            )
            if length is None or (length.isdigit() and len(body) >= int(length)):
                break
    return received


def released_together(
    url: str, method: str, target: str, bodies: list[Any], *, seconds: float
) -> list[RawAnswer]:
    """``method target`` with each JSON body of ``bodies``, released together; the answers
    in the same order (a :class:`RawAnswer` whose ``status`` is ``None`` when a connection
    closed without one)."""
    address = _address(url)
    deadline = time.monotonic() + seconds
    encoded = [json.dumps(body).encode() for body in bodies]
    socks = []
    try:
        for data in encoded:
            headers = {"Content-Type": "application/json", "Content-Length": str(len(data))}
            sock = socket.create_connection(address, timeout=seconds)
            socks.append(sock)
            sock.sendall(request_head(method, url, target, headers) + data[:-1])
        time.sleep(HOLD)
        for sock, data in zip(socks, encoded, strict=True):
            sock.sendall(data[-1:])
        return [raw_answer(_read(sock, deadline)) for sock in socks]
    finally:
        for sock in socks:
            sock.close()

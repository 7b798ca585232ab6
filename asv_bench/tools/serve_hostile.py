"""Hostile requests against ``gritwit serve``: each one's answer and the service's memory.

Starts the service on a fresh SQLite store (a process of its own), then sends each
request of :data:`CASES` on a raw socket of its own, as a hostile client would, and
prints a table: the status the service answered (or ``closed``), the error class, the
service's resident memory after it and its peak so far (``VmRSS`` and ``VmHWM`` of
``/proc/<pid>/status``), and whether another client was served right after
(HTTP-013.5). The spec's rules are HTTP-002.3 and HTTP-013.

    python -m asv_bench.tools.serve_hostile
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .serve_throughput import running_service

MIB = 1 << 20


@dataclass(frozen=True)
class Sent:
    """What one hostile request got back."""

    status: str
    error_class: str


def _raw(address: tuple[str, int], data: bytes, *, pause: float = 0.0, wait: float = 60.0) -> Sent:
    """Send ``data`` (in 64 KiB pieces, ``pause`` seconds apart) and read the answer."""
    received = b""
    with socket.create_connection(address, timeout=wait) as sock:
        try:
            for start in range(0, len(data), 65536):
                sock.sendall(data[start : start + 65536])
                if pause:
                    time.sleep(pause)
        except OSError:
            pass  # the service closed the connection while we wrote: read what it said
        sock.settimeout(wait)
        try:
            while chunk := sock.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and _complete(received):
                    break
        except OSError:
            pass
    if not received.startswith(b"HTTP/"):
        return Sent("closed", "")
    head, _, body = received.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1].decode()
    try:
        error_class = json.loads(body)["error"]["class"]
    except (ValueError, KeyError, TypeError):
        error_class = ""
    return Sent(status, error_class)


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return True


def _post(path: str, body: bytes, media: str = "application/json", **headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {media}"]
    lines += [f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _chunked(path: str, total: int) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n"
    piece = b"[" * 0 + b"1," * 32768
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return head.encode() + chunk * (total // len(piece)) + b"0\r\n\r\n"


def _many_at_once(address: tuple[str, int]) -> Sent:
    """Twelve 15 MiB bodies at once, beyond the service's total bound (HTTP-013.4)."""
    answers: list[Sent] = []
    body = b'"' + b"a" * (15 * MIB) + b'"'

    def one() -> None:
        answers.append(_raw(address, _post("/v1/messages", body), pause=0.002))

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted({a.status for a in answers})
    classes = sorted({a.error_class for a in answers if a.error_class})
    return Sent("/".join(statuses), "/".join(classes))


def _cases() -> list[tuple[str, Callable[[tuple[str, int]], Sent]]]:
    deep = b"[" * 100_000 + b"]" * 100_000
    big_cbor_claim = bytes([0x5B]) + (2**63).to_bytes(8, "big")  # a byte string of 2^63 bytes
    not_canonical = bytes([0x18, 0x01])  # 1 in two bytes
    return [
        (
            "JSON body of 16 MiB + 1, Content-Length says so",
            lambda a: _raw(a, _post("/v1/messages", b" " * (16 * MIB + 1))[:300]),
        ),
        (
            "chunked JSON body of 64 MiB, no length",
            lambda a: _raw(a, _chunked("/v1/messages", 64 * MIB)),
        ),
        ("JSON nested 100,000 deep", lambda a: _raw(a, _post("/v1/messages", deep))),
        ("JSON nested 33 deep", lambda a: _raw(a, _post("/v1/messages", b"[" * 33 + b"]" * 33))),
        (
            "a lone surrogate in a JSON string",
            lambda a: _raw(a, _post("/v1/actors", b'{"test": "\\ud800"}')),
        ),
        (
            "an unknown field",
            lambda a: _raw(a, _post("/v1/actors", b'{"test": "counter", "x": 1}')),
        ),
        (
            "a body of another media type",
            lambda a: _raw(a, _post("/v1/actors", b"{}", "text/plain")),
        ),
        (
            "a 15 MiB JSON array of numbers",
            lambda a: _raw(a, _post("/v1/messages", b"[" + b"1," * (15 * MIB // 2) + b"1]")),
        ),
        (
            "an object of 16 MiB + 1 KiB + 1 (CBOR)",
            lambda a: _raw(
                a, _post("/v1/objects", b"\0" * (16 * MIB + 1025), "application/cbor")[:300]
            ),
        ),
        (
            "CBOR claiming a 2^63-byte string",
            lambda a: _raw(a, _post("/v1/objects", big_cbor_claim, "application/cbor")),
        ),
        (
            "CBOR not in its shortest form",
            lambda a: _raw(a, _post("/v1/objects", not_canonical, "application/cbor")),
        ),
        (
            "CBOR nested 100,000 deep",
            lambda a: _raw(
                a, _post("/v1/objects", b"\x81" * 100_000 + b"\x00", "application/cbor")
            ),
        ),
        (
            "an Idempotency-Key of 10,000 characters",
            lambda a: _raw(
                a,
                _post(
                    "/v1/actors/" + "0" * 64 + "/messages",
                    b'{"content": {"blob": ""}}',
                    **{"Idempotency-Key": "k" * 10_000},
                ),
            ),
        ),
        (
            "a header section of 1 MiB",
            lambda a: _raw(a, b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MIB + b"\r\n\r\n"),
        ),
        (
            "a request head that stops half-way (waits out the 30 s deadline)",
            lambda a: _raw(a, b"GET /v1 HTTP/1.1\r\nHost: x\r\n", wait=45),
        ),
        ("twelve 15 MiB bodies at once (180 MiB against the 48 MiB bound)", _many_at_once),
    ]


def _memory(pid: int) -> tuple[int, int]:
    """``VmRSS`` and ``VmHWM`` of ``pid``, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def _still_served(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/readyz", timeout=30) as answer:
        return bool(answer.status == 200)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, running_service(Path(tmp) / "store") as (url, pid):
        host, port = url.removeprefix("http://").rsplit(":", 1)
        address = (host, int(port))
        rss, peak = _memory(pid)
        print(f"service at rest: {rss} MB resident, peak {peak} MB\n")
        print(
            "| request | status | class | resident after (MB) | peak so far (MB) | others served |"
        )
        print("|---|---|---|---|---|---|")
        for name, send in _cases():
            sent = send(address)
            rss, peak = _memory(pid)
            served = _still_served(url)
            print(f"| {name} | {sent.status} | `{sent.error_class}` | {rss} | {peak} | {served} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

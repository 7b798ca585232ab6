"""The probes answer as HTTP-001.5 says while the service stops (HTTP-001.5, HTTP-001.4).

``GET /readyz`` answers ``503 {"ready": false}`` while the service stops, and
``GET /healthz`` ``200 {"live": true}`` while it serves requests — whatever the stop
does to other requests (HTTP-001.4 lets it refuse them ``service-stopping``). The probes
are sent on one connection behind a settle that cannot end soon (a ``slow`` actor's
transition overruns, WIT-027), pipelined: the service reads them only once the settle
is answered, which ``http-stop`` brings about. A service that closes the connection
before answering a probe (it took no more requests) skips the test; an answer it gives
must be the probe's own.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check, ok_answer
from ._api import create
from ._service import Services, _address, request_head
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: The settle's body: far longer than the test.
SETTLE_BODY = b'{"timeout": 300}'


def _answers(sock: socket.socket, count: int, seconds: float) -> list[tuple[int, Any]]:
    """Up to ``count`` answers read from ``sock`` (status, JSON body or ``None``) before
    it closes or ``seconds`` pass."""
    sock.settimeout(seconds)
    buffer = b""
    found: list[tuple[int, Any]] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        head, sep, rest = buffer.partition(b"\r\n\r\n")
        if sep:
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip() or b"0")
            if len(rest) >= length:
                try:
                    body = json.loads(rest[:length])
                except ValueError:
                    body = None
                found.append((int(head.split(b" ", 2)[1]), body))
                buffer = rest[length:]
                continue
        try:
            data = sock.recv(65536)
        except OSError:
            break
        if not data:
            break
        buffer += data
    return found


@pytest.mark.req("HTTP-001.5", "HTTP-001.4", "ADP-021.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_the_probes_answer_as_themselves_while_the_service_stops(services: Services) -> None:
    service = services.start()
    create(service.client, test="slow")
    url = service.url
    settle = request_head(
        "POST",
        url,
        "/v1/settle",
        {"Content-Type": "application/json", "Content-Length": str(len(SETTLE_BODY))},
    )
    probes = request_head("GET", url, "/readyz", {}) + request_head("GET", url, "/healthz", {})
    stopped: list[Any] = []
    with socket.create_connection(_address(url), timeout=scaled(30)) as sock:
        sock.sendall(settle + SETTLE_BODY + probes)
        time.sleep(scaled(1.0))  # the settle is under way, the probes wait behind it
        stopping = threading.Thread(
            target=lambda: stopped.append(services.impl.call("http-stop", url=url))
        )
        stopping.start()
        service.stopped = True
        answers = _answers(sock, 3, scaled(90))
        stopping.join(scaled(120))
    check(
        "ADP-021.2",
        bool(stopped),
        expected="http-stop answered",
        came="no answer",
        what="http-stop with a settle under way",
    )
    ok_answer(stopped[0], "ADP-021.2", "http-stop with a settle under way")
    if len(answers) < 2:
        pytest.skip(f"the service closed the connection before the probes ({len(answers)} answers)")
    ready_status, ready = answers[1]
    check(
        "HTTP-001.5",
        (ready_status, ready) in ((503, {"ready": False}), (200, {"ready": True})),
        expected='503 {"ready": false} while the service stops (200 {"ready": true} '
        "before it knew)",
        came=f"{ready_status} {json.dumps(ready)[:200]}",
        what="GET /readyz read while the service stops",
    )
    if len(answers) < 3:
        return  # the service took no more requests after the readiness probe
    live_status, live = answers[2]
    check(
        "HTTP-001.5",
        (live_status, live) == (200, {"live": True}),
        expected='200 {"live": true}: the process still serves requests',
        came=f"{live_status} {json.dumps(live)[:200]}",
        what="GET /healthz read while the service stops",
    )

"""The total bound holds while bodies arrive (HTTP-013.4), not only when they start.

Two bodies begun while nothing is held are both admitted; the one whose bytes would take
the service past its total bound is refused ``503 service-busy`` with ``Retry-After``
while it arrives, and the other is served.  Twelve 15 MiB bodies begun at once were
all admitted before this (``asv_bench/tools/serve_hostile.py``: 703 MB resident).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from serve_helpers import raw, request_head, serving, still_serves

from gritwit.serve import ServiceLimits

KIB = 1024
pytestmark = pytest.mark.req("HTTP-013.4", "HTTP-013.5")


def _head(url: str, length: int) -> bytes:
    headers = {"Content-Type": "application/json", "Content-Length": str(length)}
    return request_head("POST", "/v1/messages", url, headers)


@pytest.mark.parametrize(("first", "second", "refused"), [(40, 20, False), (40, 30, True)])
def test_the_second_body_is_refused_past_the_total_while_it_arrives(
    tmp_path: Path, first: int, second: int, refused: bool
) -> None:
    limits = ServiceLimits(json_body=64 * KIB, total_body=64 * KIB)
    with serving(tmp_path / "store", limits=limits) as served:
        host, port = served.url.removeprefix("http://").rsplit(":", 1)
        holder = socket.create_connection((host, int(port)), timeout=10)
        try:
            # the first body is begun and held, not all sent: its bytes stay counted
            holder.sendall(_head(served.url, (first + 8) * KIB) + b" " * (first * KIB))
            # wait until the service holds those bytes, however loaded the machine is
            deadline = time.monotonic() + 30
            while served.service.app.held < first * KIB and time.monotonic() < deadline:
                time.sleep(0.01)
            assert served.service.app.held >= first * KIB, served.service.app.held
            body = b" " * (second * KIB - 2) + b"{}"
            answer = raw(served.url, _head(served.url, len(body)), (body,))
            if refused:
                assert answer.status == 503, answer
                assert b"service-busy" in answer.body and b"retry-after" in answer.head.lower()
            else:
                assert answer.status == 400, answer  # admitted, read, then judged: no entries
            still_serves(served.url)
        finally:
            holder.close()


def test_bodies_begun_together_past_the_total_are_not_all_admitted(tmp_path: Path) -> None:
    limits = ServiceLimits(json_body=64 * KIB, total_body=96 * KIB)
    statuses: list[int | None] = []
    with serving(tmp_path / "store", limits=limits) as served:
        body = b" " * (60 * KIB - 2) + b"{}"

        def one() -> None:
            head = _head(served.url, len(body))
            chunks = tuple(body[i : i + 4 * KIB] for i in range(0, len(body), 4 * KIB))
            statuses.append(raw(served.url, head, chunks, pause=0.01).status)

        threads = [threading.Thread(target=one) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        still_serves(served.url)
    assert 503 in statuses and 400 in statuses, statuses

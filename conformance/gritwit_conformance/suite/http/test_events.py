"""Lifecycle events as Server-Sent Events: ``GET /v1/events`` (HTTP-008).

Lifecycle events come from eviction and restores (RUN-014), which a runtime MAY do
(RUN-012.1) and ``http-serve`` configures nothing of; so the suite checks what every
stream must be — ``text/event-stream``, held open, every line a comment or a field of an
event of the three kinds with the data of HTTP-008.1 — and that open streams, read or
not, slow nothing else. Every read has a time-out: a stream that sends nothing never
holds the suite.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from ._api import count_of, counter, inc, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

KINDS = {"archived", "restore-requested", "restored"}


def _read_for(response: httpx.Response, seconds: float) -> tuple[bytes, bool]:
    """What the stream sends within ``seconds``, and whether it ended by then."""
    received: list[bytes] = []
    ended = threading.Event()

    def reader() -> None:
        try:
            for chunk in response.iter_raw():
                received.append(chunk)
        except httpx.HTTPError:
            pass
        ended.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    ended.wait(seconds)
    return b"".join(received), ended.is_set()


def _events(text: str) -> list[dict[str, Any]]:
    """The events of an SSE text (the WHATWG HTML standard's format), checked line by line."""
    found: list[dict[str, Any]] = []
    event: dict[str, str] = {}
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            if event:
                found.append(dict(event))
            event = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        assert name in ("event", "data", "id", "retry"), (
            f"HTTP-008.1: the event stream sends the line {line!r}, no SSE field"
        )
        event[name] = value.removeprefix(" ")
    for item in found:
        assert item.get("event") in KINDS, f"HTTP-008.1: an event of kind {item.get('event')!r}"
        data = json.loads(item.get("data", "null"))
        assert isinstance(data, dict) and set(data) == {"actor", "reason"}, (
            f"HTTP-008.1: an event's data is {item.get('data')!r}, not {{actor, reason}}"
        )
    return found


@pytest.mark.smoke
@pytest.mark.req("HTTP-008.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_events_are_an_open_event_stream(http: httpx.Client) -> None:
    timeout = httpx.Timeout(scaled(10), read=scaled(10))
    with http.stream("GET", "/v1/events", timeout=timeout) as response:
        assert response.status_code == 200, (
            f"HTTP-008.1: GET /v1/events answers {response.status_code}"
        )
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        assert media == "text/event-stream", f"HTTP-008.1: events are served as {media!r}"
        actor = counter(http)
        inc(http, actor)
        settle(http)
        received, ended = _read_for(response, 1.0)
        assert not ended, "HTTP-008.1: the event stream ended while the service runs"
        _events(received.decode("utf-8"))


@pytest.mark.req("HTTP-008.2", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_streams_never_read_slow_nothing(http: httpx.Client) -> None:
    """Four streams opened and never read while the service works: every send and
    settle is answered, and every count is right."""
    with ExitStack() as stack:
        for _ in range(4):
            response = stack.enter_context(
                http.stream("GET", "/v1/events", timeout=httpx.Timeout(scaled(10)))
            )
            assert response.status_code == 200
        actors = [counter(http, str(n)) for n in range(6)]
        started = time.monotonic()
        for actor in actors:
            for _ in range(3):
                inc(http, actor)
        settle(http)
        assert [count_of(http, a) for a in actors] == [3] * 6
        assert time.monotonic() - started < scaled(60)


@pytest.mark.req("HTTP-008.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_closed_stream_leaves_the_service_serving(http: httpx.Client) -> None:
    for _ in range(5):
        with http.stream("GET", "/v1/events", timeout=httpx.Timeout(scaled(10))) as response:
            assert response.status_code == 200
    assert http.get("/healthz").status_code == 200
    actor = counter(http)
    inc(http, actor)
    settle(http)
    assert count_of(http, actor) == 1

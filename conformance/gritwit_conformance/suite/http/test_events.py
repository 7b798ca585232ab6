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

from .._check import check, check_equal, check_in
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
        check_in(
            "HTTP-008.1", name, ("event", "data", "id", "retry"), f"the field of the line {line!r}"
        )
        event[name] = value.removeprefix(" ")
    for item in found:
        check_in("HTTP-008.1", item.get("event"), KINDS, "an event's kind")
        data = json.loads(item.get("data", "null"))
        check(
            "HTTP-008.1",
            isinstance(data, dict) and set(data) == {"actor", "reason"},
            expected="an object of actor and reason",
            came=item.get("data"),
            what="an event's data",
        )
    return found


@pytest.mark.smoke
@pytest.mark.req("HTTP-008.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_events_are_an_open_event_stream(http: httpx.Client) -> None:
    timeout = httpx.Timeout(scaled(10), read=scaled(10))
    with http.stream("GET", "/v1/events", timeout=timeout) as response:
        check_equal("HTTP-008.1", 200, response.status_code, "the status of GET /v1/events")
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        check_equal("HTTP-008.1", "text/event-stream", media, "the media type of the events")
        actor = counter(http)
        inc(http, actor)
        settle(http)
        received, ended = _read_for(response, 1.0)
        check(
            "HTTP-008.1",
            not ended,
            expected="a stream open while the service runs",
            came="its end",
            what="the event stream",
        )
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
            check_equal("HTTP-008.2", 200, response.status_code, "the status of GET /v1/events")
        actors = [counter(http, str(n)) for n in range(6)]
        started = time.monotonic()
        for actor in actors:
            for _ in range(3):
                inc(http, actor)
        settle(http)
        check_equal(
            "HTTP-008.2",
            [3] * 6,
            [count_of(http, a) for a in actors],
            "the counts of six counters after 3 incs each, with event streams left unread",
        )
        took = time.monotonic() - started
        check(
            "HTTP-008.2",
            took < scaled(60),
            expected="the incs served within 60 s: unread streams hold nothing up",
            came=f"{took:.1f} s",
            what="the incs and settle",
        )


@pytest.mark.req("HTTP-008.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_closed_stream_leaves_the_service_serving(http: httpx.Client) -> None:
    for _ in range(5):
        with http.stream("GET", "/v1/events", timeout=httpx.Timeout(scaled(10))) as response:
            check_equal("HTTP-008.1", 200, response.status_code, "the status of GET /v1/events")
    check_equal(
        "HTTP-008.1",
        200,
        http.get("/healthz").status_code,
        "the status of GET /healthz after five closed event streams",
    )
    actor = counter(http)
    inc(http, actor)
    settle(http)
    check_equal(
        "HTTP-008.1", 1, count_of(http, actor), "the count of an inc after the closed streams"
    )

"""Lifecycle events as Server-Sent Events (HTTP-008), and streams that cannot slow the
runtime (HTTP-008.2).

A service whose runtime evicts actors idle for 0.3 s: a counter is run, evicted
(``archived``), then queried, which restores it (``restore-requested``, ``restored``);
the stream shows the three in order.  A stream's buffer that fills is overrun and
ends; a client that reads nothing does not hold up the others.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serve_helpers import Served, created, request_head, send, serving, settle

from gritwit import compute_id
from gritwit.runtime import LifecycleEvent
from gritwit.serve import EngineSettings
from gritwit.serve._events import EventFeed, event_text


@pytest.fixture
def evicting(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path / "store", settings=EngineSettings(idle_after=0.3)) as one:
        yield one


def _read_events(
    url: str, found: list[tuple[str, dict[str, object]]], stop: threading.Event
) -> None:
    with (
        httpx.Client(base_url=url, trust_env=False, timeout=30) as client,
        client.stream("GET", "/v1/events") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line[len("event: ") :]
            elif line.startswith("data: ") and kind is not None:
                found.append((kind, json.loads(line[len("data: ") :])))
            if stop.is_set():
                return


def _wait_for(found: list[tuple[str, dict[str, object]]], kinds: list[str], actor: str) -> None:
    deadline = time.monotonic() + 15
    while [k for k, data in found if data["actor"] == actor] != kinds:
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


@pytest.mark.req("HTTP-008.1")
def test_eviction_and_restore_are_streamed_in_order(evicting: Served) -> None:
    found: list[tuple[str, dict[str, object]]] = []
    stop = threading.Event()
    reader = threading.Thread(target=_read_events, args=(evicting.url, found, stop), daemon=True)
    reader.start()
    time.sleep(0.2)  # the stream is open
    actor = created(evicting.client, test="counter")
    send(evicting.client, actor)
    settle(evicting.client)
    _wait_for(found, ["archived"], actor)
    assert found[-1][1] == {"actor": actor, "reason": found[-1][1]["reason"]}
    assert evicting.client.get(f"/v1/actors/{actor}/queries/count").content == b"1"
    _wait_for(found, ["archived", "restore-requested", "restored"], actor)
    stop.set()
    send(evicting.client, actor)  # one more event wakes the reader to see stop
    reader.join(timeout=10)


@pytest.mark.req("HTTP-008.2")
def test_a_stream_whose_buffer_fills_is_overrun_and_ends() -> None:
    feed = EventFeed(bound=3)
    loop = asyncio.new_event_loop()
    try:
        subscription = feed.subscribe(loop)
        actor = compute_id(b"a")
        for n in range(10):  # the runtime's side: never waits
            feed.publish(LifecycleEvent("archived", actor, f"r{n}"))
        assert subscription.overrun

        async def read_all() -> list[str]:
            return [text async for text in subscription.stream()]

        texts = loop.run_until_complete(asyncio.wait_for(read_all(), 5))
    finally:
        loop.close()
    assert texts[1:] == [event_text(LifecycleEvent("archived", actor, f"r{n}")) for n in range(3)]
    assert texts[1] == f'event: archived\ndata: {{"actor":"{actor.hex()}","reason":"r0"}}\n\n'


@pytest.mark.req("HTTP-008.2", "HTTP-013.5")
def test_a_client_that_reads_nothing_holds_up_no_one(evicting: Served) -> None:
    host, port = evicting.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port))) as stalled:  # never read
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        stalled.sendall(request_head("GET", "/v1/events", evicting.url, {}))
        actors = [
            created(evicting.client, test="counter", state={"n": f"{n:02x}"}) for n in range(20)
        ]
        for actor in actors:
            send(evicting.client, actor)
        settle(evicting.client)
        time.sleep(0.6)  # evicted by now: events offered to the stalled stream too
        for actor in actors:
            assert evicting.client.get(f"/v1/actors/{actor}/queries/count").content == b"1"
        settle(evicting.client)


@pytest.mark.req("HTTP-008.1", "HTTP-001.4")
def test_streams_end_when_the_service_stops(tmp_path: Path) -> None:
    with serving(tmp_path / "store") as one:
        ended = threading.Event()

        def listen() -> None:
            with (
                httpx.Client(base_url=one.url, trust_env=False, timeout=30) as client,
                client.stream("GET", "/v1/events") as stream,
            ):
                for _ in stream.iter_lines():
                    pass
            ended.set()

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.3)
        started = time.monotonic()
    assert ended.wait(10)
    assert time.monotonic() - started < 10


@pytest.mark.req("HTTP-008.1", "HTTP-008.2")
def test_a_stream_the_client_closed_leaves_no_subscription_behind(tmp_path: Path) -> None:
    """Each stream a client opened and closed is unsubscribed from the feed: a feed that
    kept them would offer every event to every stream ever opened, growing without
    bound on a long-running service."""
    with serving(tmp_path / "store") as served:
        feed = served.service.feed
        for _ in range(3):
            with served.client.stream("GET", "/v1/events") as stream:
                assert stream.status_code == 200
                # the stream's first comment: it is subscribed (the iterator is kept: one
                # dropped at once closes the response, and so the stream, under the check)
                lines = stream.iter_lines()
                next(lines)
                assert feed.streams == 1
        deadline = time.monotonic() + 15
        while feed.streams:
            assert time.monotonic() < deadline, f"{feed.streams} stream(s) still subscribed"
            time.sleep(0.05)


@pytest.mark.req("HTTP-008.1")
def test_a_waiting_stream_is_woken_by_the_first_event_offered() -> None:
    """A stream with nothing to send waits for its buffer to fill; the first event
    offered wakes it, long before its keep-alive comment would."""
    feed = EventFeed(bound=8)
    loop = asyncio.new_event_loop()
    event = LifecycleEvent("archived", compute_id(b"a"), "idle")
    try:
        subscription = feed.subscribe(loop)

        async def first_event() -> str:
            stream = subscription.stream(keep_alive=3600)
            assert await anext(stream) == ": gritwit events\n\n"
            waiting = asyncio.ensure_future(anext(stream))
            for _ in range(5):  # the stream takes its empty buffer and waits
                await asyncio.sleep(0)
            assert not waiting.done()
            feed.publish(event)
            # a stream never woken would wait an hour for its keep-alive: 30 s is a hang
            return await asyncio.wait_for(waiting, 30)

        text = loop.run_until_complete(first_event())
    finally:
        loop.close()
    assert text == event_text(event)


@pytest.mark.req("HTTP-008.1", "HTTP-001.4")
def test_a_closed_stream_takes_no_more_events() -> None:
    """Once the service stops a stream, an event published after is not sent on it."""
    feed = EventFeed(bound=8)
    loop = asyncio.new_event_loop()
    try:
        subscription = feed.subscribe(loop)
        subscription.close()
        feed.publish(LifecycleEvent("archived", compute_id(b"a"), "idle"))

        async def read_all() -> list[str]:
            return [text async for text in subscription.stream()]

        texts = loop.run_until_complete(asyncio.wait_for(read_all(), 30))
    finally:
        loop.close()
    assert texts == [": gritwit events\n\n"]

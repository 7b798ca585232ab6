"""Lifecycle events to ``GET /v1/events`` clients, none able to slow the runtime (HTTP-008).

The runtime calls :meth:`EventFeed.publish` in the engine's thread for each lifecycle
event (RUN-014).  It never blocks: each open stream has a bounded buffer of its own, and
a stream whose buffer is full is marked *overrun* and ends, its client disconnected
(HTTP-008.2); nothing waits for a client.  :func:`event_text` is one event in the
Server-Sent Events format.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import AsyncIterator

from ..runtime import LifecycleEvent

__all__ = ["EventFeed", "Subscription", "event_text"]

#: Seconds between the comment lines that keep an idle stream open (HTTP-008.1).
KEEP_ALIVE = 15.0


def event_text(event: LifecycleEvent) -> str:
    """One event of HTTP-008.1: ``event`` its kind, ``data`` ``{"actor", "reason"}``."""
    data = json.dumps({"actor": event.actor.hex(), "reason": event.reason}, separators=(",", ":"))
    return f"event: {event.kind}\ndata: {data}\n\n"


class Subscription:
    """One stream's buffer, filled from any thread and read on the stream's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, bound: int) -> None:
        self._loop = loop
        self._bound = bound
        self._events: deque[LifecycleEvent] = deque()
        self._lock = threading.Lock()
        self._ready = asyncio.Event()
        self.overrun = False
        self.closed = False

    def offer(self, event: LifecycleEvent) -> None:
        """Buffer ``event``; a full buffer marks the stream overrun (HTTP-008.2)."""
        with self._lock:
            if self.closed or self.overrun:
                return
            if len(self._events) >= self._bound:
                self.overrun = True
            else:
                self._events.append(event)
            wake = len(self._events) == 1 or self.overrun
        if wake:
            self._notify()

    def close(self) -> None:
        """End the stream (the service stops)."""
        with self._lock:
            self.closed = True
        self._notify()

    def _notify(self) -> None:
        with contextlib.suppress(RuntimeError):  # the stream's loop is gone
            self._loop.call_soon_threadsafe(self._ready.set)

    def take(self) -> list[LifecycleEvent]:
        with self._lock:
            events = list(self._events)
            self._events.clear()
            self._ready.clear()
        return events

    async def stream(self, keep_alive: float = KEEP_ALIVE) -> AsyncIterator[str]:
        """The stream's text: events as they come, a comment when idle; it ends when the
        client overran its buffer or the service stops."""
        yield ": gritwit events\n\n"
        while True:
            for event in self.take():
                yield event_text(event)
            if self.overrun or self.closed:
                return
            try:
                await asyncio.wait_for(self._ready.wait(), keep_alive)
            except TimeoutError:
                yield ": keep-alive\n\n"


class EventFeed:
    """The open streams; :meth:`publish` is the runtime's observer (RUN-014)."""

    def __init__(self, bound: int) -> None:
        self._bound = bound
        self._lock = threading.Lock()
        self._subscriptions: list[Subscription] = []
        self._closed = False

    def publish(self, event: LifecycleEvent) -> None:
        """Offer ``event`` to every open stream, without waiting for any (HTTP-008.2)."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.offer(event)

    @property
    def streams(self) -> int:
        """How many streams are subscribed: each open ``GET /v1/events``, until it ends."""
        with self._lock:
            return len(self._subscriptions)

    def subscribe(self, loop: asyncio.AbstractEventLoop) -> Subscription:
        subscription = Subscription(loop, self._bound)
        with self._lock:
            if self._closed:
                subscription.closed = True
            self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def close(self) -> None:
        """End every stream: the service stops (HTTP-001.4)."""
        with self._lock:
            self._closed = True
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.close()

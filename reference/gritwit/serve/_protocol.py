"""uvicorn's HTTP/1.1 protocol (h11), with the bounds of HTTP-013.2 and HTTP-013.3.

Stock uvicorn answers a request it cannot parse — a header section past h11's bound
among them — with ``400`` and a text body, and waits for a request head as long as the
client likes.  :func:`guarded_protocol` makes a subclass of its h11 protocol that

* answers a header section past the bound ``431 headers-too-large`` (HTTP-013.2), and
  any other malformed request ``400 bad-request``, both as JSON bodies (HTTP-003.1);
* closes a connection whose request head has not arrived within the read deadline,
  with ``408 request-timeout`` when part of a head came (HTTP-013.3);
* bounds the reading of a refused body's rest after the answer (HTTP-013.6): uvicorn
  discards a body the answer came before, for as long as it comes; this closes the
  connection once :data:`~._limits.DRAIN_BYTES` of it were discarded, or the read
  deadline passed.

A header section that arrives whole in one read is not h11's to refuse; the service's
limits middleware measures it (:mod:`._middleware`).

uvicorn's h11 protocol is an internal class and no public setting does this, so
pyproject bounds uvicorn to the minor versions it was tested on, and
``reference/tests/test_serve_protocol_seam.py`` fails on a uvicorn whose class no longer
has what this one overrides and uses.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ._limits import DRAIN_BYTES

__all__ = ["guarded_protocol"]


def _json(error_class: str, message: str) -> bytes:
    return json.dumps({"error": {"class": error_class, "message": message}}).encode()


class _Guarded(H11Protocol):
    """h11 with JSON refusals and a deadline for request heads."""

    head_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hint: int | None = None
        self._head_timer: asyncio.TimerHandle | None = None
        #: Bytes of a body discarded after its answer, and the deadline of its reading.
        self._drained = 0
        self._drain_timer: asyncio.TimerHandle | None = None
        next_event = self.conn.next_event

        def watched() -> Any:
            try:
                event = next_event()
            except h11.RemoteProtocolError as exc:  # remember why, for the answer
                self._hint = exc.error_status_hint
                raise
            if isinstance(event, h11.Data) and self.conn.our_state is h11.DONE:
                self._drained += len(event.data)  # uvicorn discards it: counted here
            return event

        self.conn.next_event = watched  # type: ignore[method-assign]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_drain()
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        self._stop_drain_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.our_state is h11.DONE and self.conn.their_state is h11.SEND_BODY:
            # answered before the body ended (HTTP-013.6): its rest is read, bounded
            self._drained = 0
            self._drain_timer = self.loop.call_later(self.head_timeout, self._drain_overdue)
        if self.conn.trailing_data[0]:  # the next request's head began: its deadline runs
            self._watch_head()

    def _watch_drain(self) -> None:
        """Close once a refused body's rest passed :data:`DRAIN_BYTES`; stop the drain's
        deadline once it ended."""
        if self._drain_timer is None:
            return
        if self.conn.their_state is not h11.SEND_BODY or self.transport.is_closing():
            self._stop_drain_timer()
        elif self._drained > DRAIN_BYTES:
            self._stop_drain_timer()
            self.transport.close()

    def _stop_drain_timer(self) -> None:
        if self._drain_timer is not None:
            self._drain_timer.cancel()
            self._drain_timer = None

    def _drain_overdue(self) -> None:
        """HTTP-013.6, HTTP-013.3: the body's rest did not end in time: close."""
        self._drain_timer = None
        if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            self.transport.close()

    def _watch_head(self) -> None:
        """Run the head's deadline while a request head is awaited, else stop it."""
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            self._stop_head_timer()
        elif self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_overdue)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_overdue(self) -> None:
        """HTTP-013.3: the head did not arrive in time: 408 if part of it came, then close."""
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0] and self.conn.our_state is h11.IDLE:
            self._answer(408, "request-timeout", "HTTP-013.3: the request head came too late")
        else:
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        if self._hint == 431:
            self._answer(431, "headers-too-large", "HTTP-013.2: the header section is too large")
        else:
            self._answer(400, "bad-request", f"HTTP-002: not an HTTP/1.1 request ({msg})")

    def _answer(self, status: int, error_class: str, message: str) -> None:
        """Answer ``status`` with a JSON error body, then close (HTTP-003.1)."""
        body = _json(error_class, message)
        head = (
            f"HTTP/1.1 {status} {error_class}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        ).encode("ascii")
        self.transport.write(head + body)
        self.transport.close()


def guarded_protocol(head_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with JSON refusals and a request head deadline of
    ``head_timeout`` seconds (HTTP-013.2, HTTP-013.3)."""
    return type("GuardedH11Protocol", (_Guarded,), {"head_timeout": head_timeout})

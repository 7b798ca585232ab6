"""Wrong adapter: ``courier`` sends only a request's method and URL (PORT-010.1).

The courier copies ``mt``, ``port-method`` and ``port-url`` from the ``request`` blob and
drops its other headers (``port-keep``, ``port-time-limit``): the port keeps the default
response headers and a request's own time limit is never asked for.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import HTTP, _forwarder
from gritwit.wit import Send
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-010.1"}),
    "failed",
    "the courier queues only mt, port-method and port-url of the request blob's headers",
)

_real_queued_send = _forwarder.queued_send
_KEPT = ("mt", "port-method", "port-url")


def _queued_send(recipient: ObjectId, content: ObjectId, headers: Mapping[str, str]) -> Send:
    if recipient == HTTP:  # the courier's request; the alarm's, sent by the same code, is kept
        headers = {k: v for k, v in headers.items() if k in _KEPT}  # the bug
    return _real_queued_send(recipient, content, headers)


def install() -> None:
    patch(_forwarder, "queued_send", _queued_send)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

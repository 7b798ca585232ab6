"""Wrong adapter: each sending of a request gets a new ``Idempotency-Key`` (PORT-006.1).

The port makes a fresh random key every time it sends, as a client library does for
each call: a request sent again after a kill is then a new request to a peer that
deduplicates by the key, which acts twice.
"""

from __future__ import annotations

import uuid

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port_send
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-006.1"}),
    "failed",
    "every sending gets a fresh random Idempotency-Key, so a retry is a new request",
)


def _key(request: object, sender: object) -> str:
    return uuid.uuid4().hex  # the bug: not the request's id and its sender's


def install() -> None:
    patch(_port_send, "idempotency_key", _key)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

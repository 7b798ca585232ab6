"""Wrong adapter: a request may set the headers the port sets (PORT-005.1).

The port checks a request's header names for their syntax only: an actor's own
``host`` or ``idempotency-key`` is sent beside the port's instead of refused
``port-invalid``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-005.1"}),
    "failed",
    "a request's own host or idempotency-key header is sent, not refused port-invalid",
)


def install() -> None:
    patch(_port, "_FORBIDDEN", frozenset())  # the bug: no header name is the port's


if __name__ == "__main__":
    run(ReferenceAdapter, install)

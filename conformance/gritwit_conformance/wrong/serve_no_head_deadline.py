"""Wrong adapter: a request head may take an hour to arrive (HTTP-013.3).

The service bounds how long a body takes, not a head: a client that sends half a head
holds its connection as long as it likes (the attack of the tool Slowloris).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-013.3"}),
    "failed",
    "a request head has no deadline (an hour): a half-sent head holds its connection",
)


def install() -> None:
    from gritwit.serve import _server

    original = _server.guarded_protocol

    def guarded_protocol(head_timeout: float) -> Any:
        return original(3600.0)  # the bug

    patch(_server, "guarded_protocol", guarded_protocol)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

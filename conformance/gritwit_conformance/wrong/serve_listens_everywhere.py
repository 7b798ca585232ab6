"""Wrong adapter: its services listen on every address, the URL says so (HTTP-001.3).

A service's default host is ``0.0.0.0``, as many servers' is, instead of loopback:
``http-serve`` answers ``http://0.0.0.0:<port>``, reachable from other machines.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-001.3"}),
    "failed",
    "a service listens on 0.0.0.0 (every interface), not on loopback",
)


def install() -> None:
    from gritwit.serve import _server

    class _Everywhere(_server.Service):  # type: ignore[misc]
        def __init__(self, store: Any, **options: Any) -> None:
            options["host"] = "0.0.0.0"  # the bug: every interface
            super().__init__(store, **options)

    patch(_server, "Service", _Everywhere)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a service starts beyond loopback without a token (HTTP-019.1).

Its check of the address takes any address for loopback, so ``--listen 0.0.0.0:8321``
on a store without tokens starts without a word: anyone who reaches the port may do
anything.  The suite asks for 192.0.2.1, an address of no machine here, so the service
fails to listen, with an error that is not HTTP-019.1's refusal.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-019.1"}),
    "failed",
    "a service asked to listen beyond loopback starts without any token",
)


def install() -> None:
    from gritwit.serve import _server

    def is_loopback(host: str) -> bool:
        return True  # the bug

    patch(_server, "is_loopback", is_loopback)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a service reads its store's tokens once, as it starts (HTTP-018.5).

The tokens are loaded into memory with the rest of the configuration and never read
again: a token another service (or ``gritwit token add``) issues later is unknown here,
one removed is still served, and a service started on a store holding no token stays
open to anyone after one is added.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-018.5"}),
    "failed",
    "a token issued to the store after a service started never reaches that service",
)


def install() -> None:
    from gritwit.serve import _auth

    def stale(self: Any) -> bool:
        return False  # the bug: what was read at the start is never read again

    patch(_auth.TokenBook, "stale", stale)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

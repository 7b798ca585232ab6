"""Wrong adapter: no request is ever answered 429 (HTTP-021.1, HTTP-021.2).

The token buckets are there but never run dry: one token may take the whole service,
and a guesser may try tokens as fast as the service answers.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-021.1", "HTTP-021.2"}),
    "failed",
    "a token past its rate, and an address past its failed tokens, are served all the same",
)


def install() -> None:
    from gritwit.serve import _auth

    def take(self: Any, amount: float = 1.0) -> float:
        return 0.0  # the bug

    def peek(self: Any) -> bool:
        return True

    patch(_auth._Bucket, "take", take)
    patch(_auth._Bucket, "peek", peek)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

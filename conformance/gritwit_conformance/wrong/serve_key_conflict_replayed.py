"""Wrong adapter: a key found on other content is replayed, not a conflict (HTTP-005.5).

The service answers a keyed request whose key it finds with that message, 200
``replayed``, whatever the content, ``mt`` and ``signal`` of the two: the client's
second, different message is silently dropped.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.5"}),
    "failed",
    "a key found on a message of other content, mt or signal is replayed, not key-conflict",
)


def matches(self: Any, other: Any) -> bool:
    return True  # the bug: the key alone decides


def install() -> None:
    from gritwit.serve import _keys

    patch(_keys.Fingerprint, "matches", matches)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

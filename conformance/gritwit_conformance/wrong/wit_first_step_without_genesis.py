"""Wrong adapter: an actor's first transition runs without its genesis message (WIT-012.1).

The genesis creates the actor, but the first transition is not given it among
its pending messages: the genesis stays pending and is read over later as a
duplicate, so every first step, and each one after, differs.
"""

from __future__ import annotations

from gritwit import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit.wit._model import PendingMessage
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-012.1"}),
    "failed",
    "an actor's first transition is not given its genesis among its pending messages",
    smoke=True,
)

_original = _executor._prefixes


def without_genesis(
    found: dict[ObjectId, tuple[PendingMessage, ...]], stop: frozenset[str]
) -> dict[ObjectId, tuple[PendingMessage, ...]]:
    result = _original(found, stop)
    if stop != frozenset({"update"}):  # only a first transition stops at updates alone
        return result
    kept = {s: tuple(i for i in items if i.mt != "genesis") for s, items in result.items()}
    return {s: items for s, items in kept.items() if items}  # the bug: no genesis


def install() -> None:
    patch(_executor, "_prefixes", without_genesis)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

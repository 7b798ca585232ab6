"""Wrong adapter: a genesis queued behind an update does not let the actor start
(WIT-012.6).

Only the messages before each sender's first update are searched for a genesis, so
``update, genesis, update`` to a new actor waits for ever, where the pending genesis
MUST start it (its first step then reads nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-012.6"}),
    "failed",
    "a genesis queued behind an update does not start the actor",
)


def _visible_only(found: Mapping[Any, tuple[Any, ...]]) -> bool:
    for items in found.values():
        for item in items:
            if item.mt == "update":
                break  # the bug: a genesis behind an update is not seen
            if item.mt == "genesis":
                return False
    return True


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(_executor, "_awaiting_genesis", _visible_only))

"""Wrong adapter: an outbox's entry is looked up in its top mailbox only (OBJ-019.1).

A mailbox with ``base`` stands for its base's map with its own entries added; this
runtime reads a chained outbox's entry for a recipient from the top mailbox alone, so a
message queued to a recipient whose entry lies in a lower level starts a new chain
(no ``previous``) instead of following the last one (WIT-004, WIT-005).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _outbox
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"OBJ-019.1"}),
    "failed",
    "reads a chained outbox's entry from its top mailbox only, not along its base chain",
)


def get(self: _outbox.OutboxChain, key: str) -> bytes | None:
    """The top level's entry for ``key``: the bug, the levels below never looked at."""
    return self.levels[0].get(key) if self.levels else None


def install() -> None:
    patch(_outbox.OutboxChain, "get", get)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: the executor hands a sender's pending messages newest first (WIT-005).

The chain walk from the outbox entry is not reversed, so a queue reaches the
actor in the opposite order: echo replies in reverse, counters see ``get``
before the ``inc`` queued ahead of it.
"""

from __future__ import annotations

from gritwit import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor, _pending
from gritwit.wit._model import ObjectReader, PendingMessage
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-005"}),
    "failed",
    "the executor hands each sender's pending messages to the actor newest first",
    smoke=True,
)


def newest_first(
    reader: ObjectReader, outbox_entry: ObjectId | None, inbox_entry: ObjectId | None
) -> list[PendingMessage]:
    return _pending.pending(reader, outbox_entry, inbox_entry)[::-1]  # the bug: no reversal


def install() -> None:
    patch(_executor, "pending", newest_first)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

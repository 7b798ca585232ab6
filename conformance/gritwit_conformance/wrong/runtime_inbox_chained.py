"""Wrong adapter: an inbox is built as an outbox is, a chain of what changed (WIT-008.4).

WIT-009.5's chains are for outboxes only; an inbox is one mailbox without ``base``.
This runtime builds a step's inbox by the outbox's rule: past 256 senders, a read from
a few of them stores a mailbox of only those entries over the last inbox.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._objects import Mailbox, mailbox_with
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _assemble
from gritwit.wit._outbox import SMALL_BASE
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"WIT-008.4"}),
    "failed",
    "builds an inbox past 256 senders as a chain: a few changed entries over the last inbox",
)


def chained_mailbox_with(
    entries: Mapping[str, bytes], changes: Mapping[str, bytes]
) -> Mailbox | None:
    """The reference's ``mailbox_with``, but a mailbox past :data:`SMALL_BASE` entries takes
    a few changes as the outbox rule would: only they are kept in the new mailbox (the
    base the rule would name is left out of the map the reference encodes)."""
    if len(entries) > SMALL_BASE and changes and 2 * len(changes) < len(entries):
        return mailbox_with({}, changes)  # the bug: the rest of the inbox is under "base"
    return mailbox_with(entries, changes)


def install() -> None:
    patch(_assemble, "mailbox_with", chained_mailbox_with)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

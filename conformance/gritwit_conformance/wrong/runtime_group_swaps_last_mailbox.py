"""Wrong adapter: a commit group swaps only the last of the outside's mailboxes its
grouped sends touched (RUN-019.3).

RUN-019.3 swaps *each* of the outside's mailboxes the group's sends touched (RUN-003.4:
one per digit of their recipients).  An implementer who keeps the grouped sends' outbox
as one pending swap, the latest, passes every test whose sends go to recipients of one
digit, and leaves the other digits' mailboxes where they were: their messages are
read in the run, from memory, yet no ref names them.  Grouped sends over
several mailboxes were untested.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _group, _runtime
from gritwit.wit import OutsideBuild, OutsideSend
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-019.3"}),
    "failed",
    "a commit group swaps only the last mailbox its grouped sends touched",
)


class OneMailboxGroup(_group.CommitGroup):
    """The reference's group, whose sends keep one mailbox to swap: the last built."""

    def add_sends(
        self,
        read: dict[str, ObjectId | None],
        built: OutsideBuild,
        requests: list[OutsideSend],
    ) -> None:
        super().add_sends(read, built, requests)
        sends = self.sends
        if sends is not None:
            for ref in [r for r in sends.boxes if r not in built.boxes]:  # the bug
                del sends.boxes[ref]
                sends.expected.pop(ref, None)


def install() -> None:
    patch(_runtime, "CommitGroup", OneMailboxGroup)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

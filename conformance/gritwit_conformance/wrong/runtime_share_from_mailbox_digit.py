"""Wrong adapter: an actor's share is read from the digit of its outside mailbox
(RUN-021.1).

RUN-021 reads the first 8 bytes of the binary id, big-endian, modulo n; RUN-003.4 picks
the outside's mailbox by the 16th hex digit, the low 4 bits of the same 8 bytes, so
that the actors of a share of an n dividing 16 have their entries in that share's
mailboxes.  An implementer who reuses the digit for the share is right for every n
dividing 16 — the 2 and 4 the share tests used — and wrong for any other: a
parameter tested only at values sharing a structure with the reference's.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _share
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.1", "RUN-021.2"}),
    "failed",
    "an actor's share is its outside mailbox's digit (the 16th hex digit) modulo n: "
    "right for every n dividing 16, wrong for 7, 12 or 1000",
)


def owns(self: _share.Share, actor: ObjectId) -> bool:
    return bool((actor.digest[7] & 0xF) % self.n == self.k)  # the bug: one hex digit


def install() -> None:
    patch(_share.Share, "owns", owns)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

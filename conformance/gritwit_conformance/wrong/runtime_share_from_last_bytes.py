"""Wrong adapter: an actor's share is read from the last 8 bytes of its id (RUN-021.1).

RUN-021 reads the first 8 bytes of the binary id, big-endian, modulo n. This runtime
reads the last 8: as evenly spread, and right for about half the actors, but each
runtime then runs actors of another share and leaves some of its own unrun.
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
    "an actor's share is the last 8 bytes of its id modulo n, not the first 8: each "
    "runtime runs some actors of another share and leaves some of its own unrun",
    smoke=True,
)


def owns(self: _share.Share, actor: ObjectId) -> bool:
    return int.from_bytes(actor.digest[-8:], "big") % self.n == self.k  # the bug: [-8:]


def install() -> None:
    patch(_share.Share, "owns", owns)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

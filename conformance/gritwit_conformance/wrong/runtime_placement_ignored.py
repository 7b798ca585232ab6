"""Wrong adapter: a runtime ignores the genesis's placement header (RUN-021.8, RUN-021.6).

RUN-021.8 has the runtime that would start a new actor's first transition record the
placement its genesis names, and every runtime then reads the actor's share from that
key. This runtime never looks at the header: it records nothing and reads every
actor's share from its own id, as before the change, so an actor placed beside another
runs wherever its own id falls and its first transition is started by the wrong share.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _schedule
from gritwit.runtime._attempt import Found
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.6", "RUN-021.8"}),
    "failed",
    "the genesis's placement header is ignored: nothing is recorded and every actor runs "
    "in the share of its own id",
    smoke=True,
)


def places(self: _schedule.Scheduler, actor: ObjectId, found: Found) -> bool:
    share = self.share
    return share is None or share.owns(actor)  # the bug: no record, the id's share


def install() -> None:
    patch(_schedule.Scheduler, "places", places)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

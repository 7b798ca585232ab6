"""Wrong adapter: an actor created by another joins its creator's share (RUN-021.10).

RUN-021.10 places an actor created by another by its own genesis header alone: without
one, its key is its own id. This runtime places it with its creator, the sender of its
genesis, as if the creator had named itself: the child runs in the wrong share.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _schedule
from gritwit.runtime._attempt import Found
from gritwit.runtime._placement import genesis_of, placed_in
from gritwit.wit import OUTSIDE
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.10"}),
    "failed",
    "an actor another actor created without a placement header runs in its creator's share",
)

_places = _schedule.Scheduler.places


def places(self: _schedule.Scheduler, actor: ObjectId, found: Found) -> bool:
    genesis = genesis_of(actor, found)
    share = self.share
    if genesis is None or share is None or "placement" in genesis.message.headers:
        return _places(self, actor, found)
    creator = next(s for s, items in sorted(found.items()) if genesis in items)
    if creator == OUTSIDE:
        return _places(self, actor, found)
    return placed_in(share, {actor: creator}, actor)  # the bug: the creator's share


def install() -> None:
    patch(_schedule.Scheduler, "places", places)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

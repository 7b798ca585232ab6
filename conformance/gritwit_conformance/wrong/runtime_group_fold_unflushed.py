"""Wrong adapter: a group's folded head swaps are never made (RUN-017.9).

The group commit folds the swaps of an actor's later members (RUN-017.9) but
forgets the last swap, to the actor's latest member: an actor with two steps in
one group keeps its head at the first, although ``rt-run`` reports the second.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _group
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-017.9"}),
    "failed",
    "the group commit folds an actor's later swaps but never makes the last one: the "
    "head stays at the actor's first step of the group while rt-run reports its last",
)


def never(self: _group._Swaps) -> None:
    return None  # the bug: the folded swaps stay unmade


def install() -> None:
    patch(_group._Swaps, "flush_all", never)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

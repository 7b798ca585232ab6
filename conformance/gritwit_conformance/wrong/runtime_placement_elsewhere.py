"""Wrong adapter: the placement record is written under another name (RUN-021.7).

RUN-021.7 names the record ``names/placement/<actor>``, the ref every runtime reads a
placed actor's key from. This runtime writes it as ``names/placed/<actor>``: it places
the actor for itself, but no runtime that follows RUN-021.7 ever reads the record.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _placement
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.7"}),
    "failed",
    "the placement record is the ref names/placed/<actor>, which no runtime reads",
)


def placement_ref(actor: ObjectId) -> str:
    return "names/placed/" + actor.hex()  # the bug: not names/placement/


def install() -> None:
    patch(_placement, "placement_ref", placement_ref)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

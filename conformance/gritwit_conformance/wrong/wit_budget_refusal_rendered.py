"""Wrong adapter: ``budget`` refuses a spend that is no decimal with ``None`` (WIT-025.3).

The language-specific rendering the spec used to leave open: the refusal's content is
the text ``None`` (what Python prints for a missing amount) instead of the empty blob.
"""

from __future__ import annotations

import dataclasses

from gritwit import object_id
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit.wit._model import TransitionInput, TransitionOutput, Wit
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-025.3"}),
    "failed",
    "budget refuses a spend that is no decimal with the text None, not the empty blob",
    smoke=False,
)

EMPTY = object_id(Blob(data=b""))
NONE = Blob(data=b"None")


def rendered(transition: Wit) -> Wit:
    def refuses_with_none(inp: TransitionInput) -> TransitionOutput:
        out = transition(inp)
        sends = tuple(
            dataclasses.replace(s, content=object_id(NONE))
            if s.headers.get("mt") == "refused" and s.content == EMPTY
            else s
            for s in out.sends
        )
        return dataclasses.replace(out, sends=sends, new_objects=(*out.new_objects, NONE))

    return refuses_with_none


def install() -> None:
    actor = _actors.TEST_ACTORS["budget"]
    _actors.TEST_ACTORS["budget"] = dataclasses.replace(
        actor,
        transition=fault("TEST_ACTORS[budget]", actor.transition, rendered(actor.transition)),
    )


if __name__ == "__main__":
    run(ReferenceAdapter, install)

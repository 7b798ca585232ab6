"""Wrong adapter: ``budget`` writes its entry in every transition, changed or not (WIT-025.4).

A budget whose value is unchanged is written anyway as its canonical decimal: a
``budget`` actor created without the entry gets ``budget`` = ``0`` at its first step.
"""

from __future__ import annotations

import dataclasses

from gritwit import object_id
from gritwit._objects import Blob, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit.wit._model import TransitionInput, TransitionOutput, Wit
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-025.4"}),
    "failed",
    "budget writes its entry although its value did not change (0 when absent)",
    smoke=False,
)


def always(transition: Wit) -> Wit:
    def writes_unchanged(inp: TransitionInput) -> TransitionOutput:
        out = transition(inp)
        if "budget" in out.core.entries:
            return out
        zero = Blob(data=b"0")  # the bug: an absent budget (value 0) is written
        core = Tree(entries={**out.core.entries, "budget": object_id(zero)})
        kept = tuple(o for o in out.new_objects if o != out.core)
        return dataclasses.replace(out, core=core, new_objects=(*kept, zero, core))

    return writes_unchanged


def install() -> None:
    actor = _actors.TEST_ACTORS["budget"]
    _actors.TEST_ACTORS["budget"] = dataclasses.replace(
        actor,
        transition=fault("TEST_ACTORS[budget]", actor.transition, always(actor.transition)),
    )


if __name__ == "__main__":
    run(ReferenceAdapter, install)

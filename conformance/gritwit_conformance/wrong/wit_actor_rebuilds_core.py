"""Wrong adapter: a test actor rebuilds its core from the entries it knows (WIT-028.8).

When a step changes its state, ``counter``, ``budget`` and ``requester`` write a
new core holding only ``wit`` and their own state entry: any other entry the
genesis core held is dropped, where it must keep its id.
"""

from __future__ import annotations

import dataclasses

from gritwit._objects import Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit.wit._model import TransitionInput, TransitionOutput, Wit
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-028.8"}),
    "failed",
    "counter, budget and requester drop core entries their rows do not name",
    smoke=False,
)

_OWN = {"counter": "count", "budget": "budget", "requester": "answer"}


def rebuilt(transition: Wit, own: str) -> Wit:
    def from_scratch(inp: TransitionInput) -> TransitionOutput:
        out = transition(inp)
        if out.core == inp.core:
            return out
        keep = ("wit", own)  # the bug: only the entries this actor knows
        core = Tree(entries={k: v for k, v in out.core.entries.items() if k in keep})
        kept = tuple(o for o in out.new_objects if o != out.core)
        return dataclasses.replace(out, core=core, new_objects=(*kept, core))

    return from_scratch


def install() -> None:
    for name, own in _OWN.items():
        actor = _actors.TEST_ACTORS[name]
        _actors.TEST_ACTORS[name] = dataclasses.replace(
            actor,
            transition=fault(
                f"TEST_ACTORS[{name}]", actor.transition, rebuilt(actor.transition, own)
            ),
        )


if __name__ == "__main__":
    run(ReferenceAdapter, install)

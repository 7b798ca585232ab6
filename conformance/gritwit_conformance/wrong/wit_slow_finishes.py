"""Wrong adapter: a transition of ``slow`` is not bounded; it ends and is adopted (WIT-027.1).

The runtime lets the overrunning transition finish (here: it returns, reading
everything without effect) instead of treating the overrun as a failure.
"""

from __future__ import annotations

import dataclasses

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit.wit._model import TransitionInput, TransitionOutput
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-027.1"}),
    "failed",
    "a transition of slow is not bounded: it ends and its step is adopted",
    smoke=True,
)


def finishes(inp: TransitionInput) -> TransitionOutput:
    read = {sender: len(items) for sender, items in inp.pending.items()}
    return TransitionOutput(core=inp.core, read=read)  # the bug: the overrun is adopted


def install() -> None:
    actor = _actors.TEST_ACTORS["slow"]
    _actors.TEST_ACTORS["slow"] = dataclasses.replace(
        actor, transition=fault("TEST_ACTORS[slow]", actor.transition, finishes)
    )


if __name__ == "__main__":
    run(ReferenceAdapter, install)

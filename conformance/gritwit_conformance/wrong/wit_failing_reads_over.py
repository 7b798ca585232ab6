"""Wrong adapter: the ``failing`` test actor reads its messages instead of failing (WIT-024).

Its transition succeeds and reads everything without effect, so the actor is
created, gets steps, and nothing stays pending for it.
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
    frozenset({"WIT-024"}),
    "failed",
    "the failing test actor reads its messages instead of failing",
    smoke=True,
)


def reads_over(inp: TransitionInput) -> TransitionOutput:
    read = {sender: len(items) for sender, items in inp.pending.items()}
    return TransitionOutput(core=inp.core, read=read)  # the bug: no failure


def install() -> None:
    actor = _actors.TEST_ACTORS["failing"]
    _actors.TEST_ACTORS["failing"] = dataclasses.replace(
        actor, transition=fault("TEST_ACTORS[failing]", actor.transition, reads_over)
    )


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: ``echo`` keeps the wall-clock time in its core (WIT-011).

A transition that reads the clock is no longer a function of its inputs: the
same operations give different step ids on every run and on every runtime.
"""

from __future__ import annotations

import dataclasses
import time

from gritwit import Blob, Tree, object_id
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit.wit._model import TransitionInput, TransitionOutput
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-011"}),
    "failed",
    "echo keeps the wall-clock time in its core: step ids depend on when it ran",
    smoke=True,
)

_echo = _actors.TEST_ACTORS["echo"].transition


def echo_with_clock(inp: TransitionInput) -> TransitionOutput:
    out = _echo(inp)
    stamp = Blob(data=str(time.time_ns()).encode("utf-8"))  # the bug: outside data, not a message
    core = Tree(entries={**out.core.entries, "seen_at": object_id(stamp)})
    return dataclasses.replace(out, core=core, new_objects=(*out.new_objects, stamp, core))


def install() -> None:
    actor = _actors.TEST_ACTORS["echo"]
    _actors.TEST_ACTORS["echo"] = dataclasses.replace(
        actor, transition=fault("TEST_ACTORS[echo]", actor.transition, echo_with_clock)
    )


if __name__ == "__main__":
    run(ReferenceAdapter, install)

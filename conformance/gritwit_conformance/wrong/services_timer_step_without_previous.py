"""Wrong adapter: every step of the timer party is written as a first step (TIM-001.4).

TIM-001.4 makes a service party's step a step as a transition's is: its ``previous`` is
the party's last step. This timer service writes each step as a snapshot with no
``previous`` (its core holds the whole table, so it "needs" no history): the party's
steps are no chain, and its history is lost.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit._codec import encode_with_id
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import TIMER, _party_step
from gritwit.wit import Assembled
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-001.4"}),
    "failed",
    "each timer step is written with no previous: the party's steps are no chain",
)

_real_assemble = _party_step.assemble


def _assemble(*args: Any, **kwargs: Any) -> Assembled:
    built = _real_assemble(*args, **kwargs)
    if built.step.actor != TIMER:
        return built  # the port party's steps, built by the same code, stay a chain
    step = dataclasses.replace(built.step, previous=None)  # the bug
    encoded = encode_with_id(step)
    return Assembled(
        step,
        encoded[1],
        (*built.objects[:-1], step),
        (*built.encodings[:-1], encoded),
        built.inbox,
        built.outbox,
    )


def install() -> None:
    patch(_party_step, "assemble", _assemble)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

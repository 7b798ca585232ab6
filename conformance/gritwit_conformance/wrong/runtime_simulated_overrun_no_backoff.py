"""Wrong adapter: ``slow``'s simulated overrun is retried after RUN-004.3's delay alone
(WIT-027.1), not RUN-004.10's hundredfold one, as in a runtime whose build of ``slow``
fails its transition at once with a plain error: only a real overrun of the bound backs
off in seconds.  A choice the spec once left to CHANGES.
"""

from __future__ import annotations

import dataclasses

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import TransitionInput, TransitionOutput, _actors
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"WIT-027.1"}),
    "failed",
    "slow's simulated overrun is a plain failure: retried after 10 ms, not 1 s",
)


def _slow_fails_plainly(inp: TransitionInput) -> TransitionOutput:
    raise RuntimeError("slow: a simulated overrun")  # the bug: not an overrun of the bound


def install() -> None:
    old = _actors.TEST_ACTORS["slow"]
    target = "_actors.TEST_ACTORS[slow].transition"
    replaced = fault(target, old.transition, _slow_fails_plainly)
    _actors.TEST_ACTORS["slow"] = dataclasses.replace(old, transition=replaced)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

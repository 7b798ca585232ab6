"""Wrong adapter: the runtime takes the timer party as a candidate of its runs (TIM-001.3).

The runtime forgets that a service party's steps are its service's alone: a request
pending for the timer party makes the party a candidate like any actor, the runtime runs
a transition of it, which its core (a ``service`` wit) cannot give, and marks it failed.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _index, _schedule
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-001.3"}),
    "failed",
    "the timer party is a candidate of the runs: a transition of it runs and fails",
)


def install() -> None:
    # the bug: no party is set apart from the actors a run takes
    patch(_index, "_NOT_RUN", frozenset({_index.OUTSIDE}))
    patch(_schedule, "SERVICE_PARTIES", frozenset())


if __name__ == "__main__":
    run(ReferenceAdapter, install)

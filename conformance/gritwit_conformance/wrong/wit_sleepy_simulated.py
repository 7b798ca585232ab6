"""Wrong adapter: ``sleepy`` simulates its naps instead of sleeping (WIT-030.1).

Sleeping in a test actor looked wasteful, so its naps are recorded without the wait:
``slept`` is set as it should be and the step is the right one, but the transition
takes no time, so no runtime's time bound can be checked with it.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-030.1"}),
    "failed",
    "sleepy records its naps without sleeping: its steps are right but take no time",
    smoke=True,
)


class _NoClock:
    """``time`` as ``sleepy`` uses it, without the wait."""

    @staticmethod
    def sleep(seconds: float) -> None:
        pass  # the bug: the nap is simulated


def install() -> None:
    patch(_actors, "time", _NoClock)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a retry after an overrun waits RUN-004.3's milliseconds (RUN-004.10).

The runtime backs off every failed attempt alike — 10, 20, 40, 80 ms — so a transition
that overran because the machine was busy is tried again before the load can pass, and
five overruns mark its actor failed within a second of load.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _transition
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-004.10"}),
    "failed",
    "a retry after an overrun waits RUN-004.3's 10, 20, 40, 80 ms like any other: five "
    "overruns, as a busy machine makes, mark the actor failed within a second",
)


def delay(first: float, attempt: int, timed: bool) -> float:
    return first * 2.0 ** (attempt - 1)  # the bug: an overrun backs off as any failure


def install() -> None:
    patch(_transition, "_delay", delay)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

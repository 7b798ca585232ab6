"""Wrong adapter: a restored run is charged the interpreter's start-up (SBX-006.4).

The host gives a run restored from the snapshot its fuel minus what the start-up
used, as if the run had started cold and its counter had run from ``_start``: a
small program under a small fuel limit runs out before its first line.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run, _snapshot
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.4"}),
    "failed",
    "charges a restored run the fuel of the interpreter's start-up",
    timeout=STARTUP_TIMEOUT,
)


class ChargedPoint(_snapshot.Point):
    def restore(self, store: Any, instance: Any, snapshot: Any) -> None:
        self.fuel = max(1, self.fuel - snapshot.startup_fuel)  # the bug
        super().restore(store, instance, snapshot)


def install() -> None:
    patch(_run, "Point", ChargedPoint)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a run's bytes are not counted from zero (RUN-023.1).

The count goes on from the last run: once a runtime's runs have added ``max_run_bytes``
in all, every later run stops after its first step.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-023.1"}),
    "failed",
    "a run's bytes are counted on from the runtime's last run, not from zero: once its "
    "runs added max_run_bytes in all, every later run stops after one step",
)


def start_counting(self: _disk.RunBounds) -> None:
    self.halted = False  # the bug: run_bytes is not reset


def install() -> None:
    patch(_disk.RunBounds, "start_counting", start_counting)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

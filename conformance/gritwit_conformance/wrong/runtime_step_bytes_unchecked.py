"""Wrong adapter: ``max_step_bytes`` is taken but no step is checked against it (RUN-022.3).

``rt-open`` answers the bound in ``settings``, and a step of any size is adopted.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk
from gritwit.wit import Assembled
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-022.3"}),
    "failed",
    "max_step_bytes is taken and answered in settings but no step is checked against "
    "it: a step of any size is adopted",
    smoke=True,
)


def bound_step(self: _disk.RunBounds, built: Assembled) -> None:
    return None  # the bug: never step-too-large


def install() -> None:
    patch(_disk.RunBounds, "bound_step", bound_step)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

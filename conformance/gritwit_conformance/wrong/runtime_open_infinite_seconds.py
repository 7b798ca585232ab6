"""Wrong adapter: ``rt-open`` takes ``1e400`` seconds (ADP-015).

``time_limit`` and ``idle_after`` are checked to be numbers above 0, not finite ones:
``1e400``, infinity once read, opens a runtime whose transitions are never bounded.
"""

from __future__ import annotations

import math

from gritwit.adapter import ReferenceAdapter, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"ADP-015"}),
    "failed",
    "rt-open takes time_limit or idle_after 1e400 (infinity once read) as a bound",
)

_real = _runtime._seconds


def _seconds(value: object) -> float | None:
    if isinstance(value, float) and math.isinf(value) and value > 0:
        return value  # the bug
    return _real(value)


def install() -> None:
    patch(_runtime, "_seconds", _seconds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

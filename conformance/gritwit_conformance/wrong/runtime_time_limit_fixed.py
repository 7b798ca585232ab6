"""Wrong adapter: the time bound of a transition cannot be configured (RUN-005.2).

``rt-open`` accepts ``time_limit`` and checks it, but the runtime always uses the
default of 5 s, as if the option were not wired through.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-005.2"}),
    "failed",
    "rt-open checks time_limit but the runtime always bounds transitions by the default 5 s",
    smoke=True,
)

_real = adapter_runtime._time_limit


def time_limit(args: Any) -> float:
    _real(args)  # checked …
    return float(adapter_runtime.TIME_LIMIT)  # … and ignored


def install() -> None:
    patch(adapter_runtime, "_time_limit", time_limit)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

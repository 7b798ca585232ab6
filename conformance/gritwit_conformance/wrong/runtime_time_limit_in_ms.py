"""Wrong adapter: the time bound is taken in the wrong unit (RUN-005.5).

``time_limit`` is given in seconds (ADP-015); the runtime converts it to milliseconds
for a timer API and then hands the number back as seconds divided once more: a bound
of 1 s becomes 1 ms. Settings answer the value given; a transition that takes any
real time (``sleepy``'s nap of 100 ms) fails although it is well within the bound.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-005.5"}),
    "failed",
    "time_limit in seconds is divided by 1000 on its way to the timer: a bound of 1 s "
    "becomes 1 ms and a transition of 100 ms fails",
    smoke=True,
)

_Runtime = adapter_runtime.Runtime


def runtime(store: Any, *, time_limit: float, **options: Any) -> Any:
    return _Runtime(store, time_limit=time_limit / 1000, **options)  # the bug: s -> ms -> "s"


def install() -> None:
    patch(adapter_runtime, "Runtime", runtime)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: ``rt-open`` takes a timer bound of 0 (ADP-023.1).

The adapter reads ``max_timers``, ``max_past``, ``max_delay`` and ``max_fires`` as
integers from 0, the least ``clock`` takes, where 1 is their least: a bound of 0 is taken
(and, being falsy, quietly replaced by its default) instead of answered ``bad-request``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"ADP-023.1"}),
    "failed",
    "rt-open takes a timer bound of 0: every bound read as an integer from 0",
)

_real_whole = adapter_runtime._whole


def _whole(args: Any, name: str, least: int, default: int | None) -> int | None:
    return _real_whole(args, name, 0, default)  # the bug: 0 is the least of every bound


def install() -> None:
    patch(adapter_runtime, "_whole", _whole)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

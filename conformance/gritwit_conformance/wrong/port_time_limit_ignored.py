"""Wrong adapter: a request's own time limit is not kept (PORT-005.5).

The port checks ``port-time-limit`` as it reads a request and then sends every request
with ``max_time``: a request asking for 300 ms waits out a slow peer's 3 s and is
answered with its response instead of ``port-timeout``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-005.5"}),
    "failed",
    "every request is given max_time: its port-time-limit is not kept",
)

_real_perform = _port.perform


def _perform(
    req: _port.Prepared,
    secrets: Any,
    bounds: _port.PortBounds,
    resolve: Callable[[str, int], list[str]] = _port.resolve,
) -> _port.Outcome:
    longest = dataclasses.replace(req, time_limit=bounds.max_time / 1000)  # the bug
    return _real_perform(longest, secrets, bounds, resolve)


def install() -> None:
    patch(_port, "perform", _perform)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a late fire says it fired at the time it was set for (TIM-003.5).

A timer that falls due while the service is not running fires once it runs again, but
its ``timer-fired-at`` is copied from ``timer-set-for``, as if it had fired on time:
the recipient cannot tell how late it came.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-003.5"}),
    "failed",
    "timer-fired-at is the time the timer was set for, not the time it fired",
)

_real_make_headers = _timers.make_headers


def _make_headers(headers: dict[str, str]) -> Any:
    if "timer-fired-at" in headers:  # the bug: a fire claims it came on time
        headers = {**headers, "timer-fired-at": headers["timer-set-for"]}
    return _real_make_headers(headers)


def install() -> None:
    patch(_timers, "make_headers", _make_headers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

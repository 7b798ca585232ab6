"""Wrong adapter: ``rt-run`` lists the timer steps among its ``steps`` (ADP-023.3).

The adapter reports every step adopted during the call, the timer party's included,
where timer steps are no entries of ``steps``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _timers
from gritwit.runtime._parties import TIMER
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"ADP-023.3"}),
    "failed",
    "rt-run's steps list the timer party's steps too",
)

_real_pass = _timers.TimerService.run_pass
_real_run = adapter_runtime._Open.run_with_timers
#: The timer steps adopted by the current rt-run of this process.
_adopted: list[Any] = []


def _run_pass(self: _timers.TimerService) -> Any:
    step = _real_pass(self)
    if step is not None:
        _adopted.append(step)
    return step


async def _run_with_timers(self: Any, bound: int) -> Any:
    _adopted.clear()
    report, first = await _real_run(self, bound)
    extra = tuple((TIMER, step) for step in _adopted)  # the bug: timer steps counted
    return type(report)(report.steps + extra, report.failures, report.quiescent), first


def install() -> None:
    patch(_timers.TimerService, "run_pass", _run_pass)
    patch(adapter_runtime._Open, "run_with_timers", _run_with_timers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

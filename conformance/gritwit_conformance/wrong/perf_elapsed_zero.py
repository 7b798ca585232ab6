"""Wrong adapter: ``perf-run`` times with a millisecond clock (ADP-018.3).

The elapsed time is whole milliseconds converted to nanoseconds, so a run shorter
than a millisecond — a few ``encode`` repetitions — answers ``elapsed_ns: 0``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter, _perf
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("perf",),
    frozenset({"ADP-018.3"}),
    "failed",
    "perf-run times with a millisecond clock: a run under a millisecond answers elapsed_ns 0",
    smoke=True,
)

_real = _perf.PerfCommands.cmd_perf_run


def cmd_perf_run(self: Any, args: Any) -> Any:
    answer = dict(_real(self, args))
    answer["elapsed_ns"] = answer["elapsed_ns"] // 1_000_000 * 1_000_000  # the bug
    return answer


def install() -> None:
    patch(_perf.PerfCommands, "cmd_perf_run", cmd_perf_run)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

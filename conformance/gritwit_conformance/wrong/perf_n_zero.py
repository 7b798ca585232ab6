"""Wrong adapter: ``perf-run`` takes ``n`` = 0 (ADP-018.4).

The lower bound of ``n`` is checked as ``n >= 0``: zero repetitions are "run",
answering a minimal time and the all-zero id as ``check``, instead of being
refused with ``bad-request``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter, _perf
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("perf",),
    frozenset({"ADP-018.4"}),
    "failed",
    "perf-run checks n >= 0: n = 0 is answered (a minimal time, the all-zero check) "
    "instead of refused",
)

_real = _perf.PerfCommands.cmd_perf_run


def cmd_perf_run(self: Any, args: Any) -> Any:
    if args.get("n") == 0 and args.get("workload") in _perf.WORKLOADS:
        return {"elapsed_ns": 1, "check": "00" * 32}  # the bug: nothing to do, done
    return _real(self, args)


def install() -> None:
    patch(_perf.PerfCommands, "cmd_perf_run", cmd_perf_run)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

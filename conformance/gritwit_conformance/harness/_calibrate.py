"""The scale of the answer limits, calibrated once per run when not given (ADP-012.2).

The harness times a fixed CPU workload of its own and compares it with the
workload's nominal time, the time it takes on one idle core of the machine the
suite is developed on; it also reads the 1-minute load average per core.  The
larger of the two ratios, bounded to [:data:`MIN_SCALE`, :data:`MAX_SCALE`], is
the scale: a slower or busier machine gets proportionally longer limits, a
faster one never shorter ones.  The measurement takes about 0.1 s on an idle
core (:data:`REPEATS` × :data:`NOMINAL_SECONDS`), and stops after the run that passes
:data:`BUDGET` on a busy one.
"""

from __future__ import annotations

import functools
import math
import os
import statistics
import time
from dataclasses import dataclass

__all__ = [
    "MAX_SCALE",
    "MIN_SCALE",
    "NOMINAL_SECONDS",
    "Calibration",
    "calibrate",
    "scale_from",
]

#: The calibrated scale is at least this and at most that (ADP-012.2).
MIN_SCALE = 1.0
MAX_SCALE = 10.0
#: Wall-clock seconds :func:`_workload` takes on one idle core of the reference machine
#: (2 cores, 2026-11-25: 20 ms of CPU time, measured with ``time.thread_time``).
NOMINAL_SECONDS = 0.020
#: Times the workload runs; the median counts (one unlucky time slice is no verdict).
REPEATS = 5
#: … but no more runs once they took this many seconds: a busy machine is known busy.
BUDGET = 0.5
_ITERATIONS = 400_000


def _workload() -> int:
    """A fixed amount of pure-Python CPU work, the unit of the calibration."""
    total = 0
    for i in range(_ITERATIONS):
        total = (total * 31 + i) % 1_000_003
    return total


def scale_from(workload_ratio: float, load_per_core: float) -> float:
    """The scale for a workload ``workload_ratio`` × its nominal time and a load (ADP-012.2).

    The larger ratio, rounded up to a tenth and bounded to [1, 10]; a ratio that is
    not a finite number counts as 1.
    """
    ratios = [r for r in (workload_ratio, load_per_core) if math.isfinite(r)]
    raw = max(ratios, default=MIN_SCALE)
    return min(MAX_SCALE, max(MIN_SCALE, math.ceil(raw * 10 - 1e-9) / 10))


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibration:
    """A calibrated scale and the two figures it came from (ADP-012.2)."""

    scale: float
    workload_ratio: float
    load_per_core: float

    def describe(self) -> str:
        return (
            f"calibrated: a fixed workload took {self.workload_ratio:.1f}× its nominal "
            f"time, load {self.load_per_core:.1f} per core"
        )


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _load_per_core() -> float:
    try:
        return os.getloadavg()[0] / _cores()
    except OSError:  # no load average on this platform
        return float("nan")


@functools.cache
def calibrate() -> Calibration:
    """Measure this machine now, once per process (ADP-012.2)."""
    times: list[float] = []
    while len(times) < REPEATS and sum(times) < BUDGET:
        started = time.perf_counter()
        _workload()
        times.append(time.perf_counter() - started)
    ratio = statistics.median(times) / NOMINAL_SECONDS
    load = _load_per_core()
    return Calibration(
        scale=scale_from(ratio, load),
        workload_ratio=ratio,
        load_per_core=load if math.isfinite(load) else 0.0,
    )

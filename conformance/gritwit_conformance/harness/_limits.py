"""The answer limit: how long the harness waits for a response, as a rule (ADP-012.1–ADP-012.4).

Pure: no clock, no ``/proc``.  :class:`AnswerLimit` turns the base limit and the
scale into the times the harness waits; :func:`judge` decides from two
:class:`Sample` s of the adapter's process group, taken one progress interval
apart, whether the adapter still makes progress (keep waiting) or hangs
(time out), and says what was seen.  The transport takes the samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "HARD_CAP_FACTOR",
    "MAX_INTERVAL",
    "MIN_CPU_SHARE",
    "AnswerLimit",
    "Sample",
    "check_scale",
    "judge",
    "limit_line",
    "progress",
]

#: The hard cap is this many times the scaled limit (ADP-012.4).
HARD_CAP_FACTOR = 10.0
#: The longest progress interval, in seconds (ADP-012.3); shorter when the limit is.
MAX_INTERVAL = 1.0
#: CPU time that counts as progress: this share of one core over an interval (ADP-012.3).
#: Below it, an idle runtime's housekeeping (timers, a garbage collector) is no progress.
MIN_CPU_SHARE = 0.02


def check_scale(value: float, option: str = "--timeout-scale") -> float:
    """``value`` as a scale of the answer limit, or ValueError naming ``option`` (ADP-012.2)."""
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{option} must be a finite number more than 0, not {value} (ADP-012.2)")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerLimit:
    """The base limit (``--timeout``) and its scale (``--timeout-scale``) (ADP-012.1, ADP-012.2)."""

    base: float
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.base) and self.base > 0):
            raise ValueError(f"the answer limit must be more than 0 s, not {self.base} (ADP-012.1)")
        check_scale(self.scale)

    @property
    def limit(self) -> float:
        """Seconds every adapter may take to answer, progress or not (ADP-012.1)."""
        return self.base * self.scale

    @property
    def interval(self) -> float:
        """Seconds between two samples of progress once the limit has passed (ADP-012.3)."""
        return min(MAX_INTERVAL, self.limit)

    @property
    def hard_cap(self) -> float:
        """Seconds after which no progress keeps the harness waiting (ADP-012.4)."""
        return HARD_CAP_FACTOR * self.limit

    def describe(self) -> str:
        """``10 s`` or ``10 s × scale 2.5 = 25 s``, for reasons and the run header."""
        if self.scale == 1:
            return f"{self.limit:g} s"
        return f"{self.base:g} s × scale {self.scale:g} = {self.limit:.4g} s"


def limit_line(base: float, scale: float, note: str) -> str:
    """The answer limit of a run in one line, for its header (ADP-012); ``note``: whence."""
    limit = AnswerLimit(base=base, scale=scale)
    whence = f" ({note})" if note else ""
    return (
        f"answer limit {limit.describe()}{whence}; longer while the adapter makes "
        f"progress, up to {limit.hard_cap:.4g} s (ADP-012)"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """What the adapter's process group had done by ``at`` seconds after the request.

    ``cpu``: seconds of CPU time of its processes, None where the platform gives none;
    ``stdout``/``stderr``: bytes written so far; ``disk_wait``: a process of it waits
    for the disk (uninterruptible sleep), which is no hang.
    """

    at: float
    cpu: float | None
    stdout: int
    stderr: int
    disk_wait: bool = False


def progress(before: Sample, after: Sample) -> str | None:
    """What progress the adapter made between two samples, or None (ADP-012.3)."""
    span = after.at - before.at
    if after.stdout > before.stdout:
        return "output on standard output"
    if after.stderr > before.stderr:
        return "output on standard error"
    if (
        before.cpu is not None
        and after.cpu is not None
        and after.cpu - before.cpu >= max(MIN_CPU_SHARE * span, 1e-9)
    ):
        return "CPU time"
    if after.disk_wait:
        return "waiting for the disk"
    return None


def judge(before: Sample, after: Sample, limit: AnswerLimit) -> str | None:
    """None to keep waiting, else the hang seen, for the reason text (ADP-012.3, ADP-012.4).

    ``before`` and ``after`` are consecutive samples taken after the limit passed.
    No progress between them is a hang; progress keeps the harness waiting until the
    hard cap.
    """
    if progress(before, after) is None:
        span = after.at - before.at
        used = "no CPU used" if after.cpu is not None else "no CPU time known"
        return f"{used} and no output in the last {span:.2g} s"
    if after.at >= limit.hard_cap:
        return f"CPU used or output written throughout, hard cap {limit.hard_cap:.4g} s"
    return None

"""The interleaved ratio every ``track_..._over_...`` benchmark reports.

Both sides run in turn, round after round, in one process, so the load of a shared
machine weighs on both alike; the ratio of their medians holds where separate
``time_`` results of a busy machine do not.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["interleaved_ratio"]


def interleaved_ratio(
    numerator: Callable[[], object],
    denominator: Callable[[], object],
    *,
    rounds: int,
    calls: int = 1,
    clock: Callable[[], float] = time.thread_time,
) -> float:
    """Median time of ``calls`` calls of ``numerator`` over that of ``denominator``.

    ``clock`` is the thread's CPU time by default, for sides that only compute (a
    preempted round does not count); wall time (:func:`time.perf_counter`) for sides
    that wait for a disk.
    """
    tops: list[float] = []
    bottoms: list[float] = []
    for _ in range(rounds):
        for call, times in ((numerator, tops), (denominator, bottoms)):
            start = clock()
            for _ in range(calls):
                call()
            times.append(clock() - start)
    return statistics.median(tops) / statistics.median(bottoms)

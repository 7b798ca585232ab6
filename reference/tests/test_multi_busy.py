"""The multi-runtime tool's CPU busy column (measure what decides the scaling).

``asv_bench/_multi_fleet.py`` reads the machine's busy and total CPU ticks around each timed
round (``/proc/stat``); a round near 100 % was bound by the cores, so more runtime
processes could not add throughput on that machine (RUN-021, DUR-005).
"""

from __future__ import annotations

import os
import time

import pytest

from asv_bench._multi import Measured, Round, busy_between, cpu_times

pytestmark = pytest.mark.req("RUN-021", "DUR-005")


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@pytest.mark.skipif(cpu_times() is None, reason="no /proc/stat")
def test_a_busy_loop_shows_as_busy_cpu() -> None:
    before = cpu_times()
    _spin(0.3)
    busy = busy_between(before, cpu_times())
    assert busy is not None
    # this process kept one core busy: at least its share of the machine's cores
    assert busy >= 0.5 / (os.cpu_count() or 1)
    assert busy <= 1.0


def test_no_reading_or_no_time_between_gives_none() -> None:
    assert busy_between(None, (5, 10)) is None
    assert busy_between((5, 10), None) is None
    assert busy_between((5, 10), (5, 10)) is None  # no tick went by
    assert busy_between((5, 10), (8, 14)) == pytest.approx(0.75)


def test_a_configurations_busy_is_its_median_round_and_skips_unknown() -> None:
    def rounds(*busy: float | None) -> list[Round]:
        return [Round(1.0, 1, 1, 0, 0, 0.0, busy=b) for b in busy]

    measured = Measured("postgres", "disjoint", 1, 1, rounds(0.2, None, 0.9, 0.5), rounds(1.0))
    assert measured.busy() == pytest.approx(0.5)
    assert Measured("postgres", "disjoint", 1, 1, rounds(None), rounds(1.0)).busy() is None


@pytest.mark.parametrize("n", [2, 4])
def test_half_has_as_many_pairs_within_a_share_as_across(n: int) -> None:
    """``multi_runtime -w half`` ("half the sends crossing shares"): each
    process's pairs are half within its share, half across; ``cross`` has none within."""
    from asv_bench._multi import HALF, Plan, pair_shares

    half = Plan(workload=HALF, processes=n, shares=True, pairs=8 * n)
    cross = Plan(workload="cross", processes=n, shares=True, pairs=8 * n)
    for p in range(n):
        ends = [pair_shares(half, j) for j in range(half.pairs) if j % n == p]
        assert sum(a == b for a, b in ends) == sum(a != b for a, b in ends) == 4
        assert all(a == p for a, _ in ends)
        assert all(a != b for a, b in (pair_shares(cross, j) for j in range(cross.pairs)))

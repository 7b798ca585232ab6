"""Print how far the in-memory runtime is from its library floor (``bench_floor``).

Usage (from the repository root, with the ``bench`` extra installed)::

    python -m asv_bench.tools.floor_ratios                 # time bench_floor here, now
    python -m asv_bench.tools.floor_ratios --results FILE  # from one saved asv run

Directly, it sets up :class:`~asv_bench.bench_floor.CounterFloor` and
:class:`~asv_bench.bench_floor.PingPongFloor`, times the runtime and the floor in
alternating rounds (``track_runtime_over_floor``) and prints, per workload, the
CPU time per transition of both (median of rounds) and their ratio, with the work counts of
``bench_counts`` beside them.  With ``--results`` it reads an asv results file
(``asv run --python=same --set-commit-hash $(git rev-parse HEAD) -b bench_floor``
saves one under ``.asv/results/<machine>/``) and prints the same ratios from the
``time_`` and ``track_`` results of that one run.  The target is a
ratio ≤ 3 for both.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parents[2]
#: The target's bound.
BOUND = 3.0
#: (class in bench_floor, transitions per timed call, its counting class in bench_counts)
WORKLOADS = (("CounterFloor", 1, "CounterCounts"), ("PingPongFloor", None, "PingPongCounts"))


def _median_time(fn: Callable[[], object], calls: int, rounds: int = 15) -> float:
    times = []
    for _ in range(rounds):
        start = time.thread_time()
        for _ in range(calls):
            fn()
        times.append((time.thread_time() - start) / calls)
    return statistics.median(times)


class _Counts(Protocol):
    """What this tool uses of a ``bench_counts`` benchmark class (found by its name)."""

    def setup(self, backend: str) -> None: ...
    def teardown(self, backend: str) -> None: ...
    def measure(self) -> dict[str, float]: ...


def _counts(name: str) -> dict[str, float]:
    from asv_bench import bench_counts

    bench: _Counts = getattr(bench_counts, name)()
    bench.setup("memory")
    try:
        return bench.measure()
    finally:
        bench.teardown("memory")


def direct() -> list[str]:
    """Time both workloads in this process; one line each."""
    from asv_bench import bench_floor

    lines = []
    for cls_name, per_call, counts_name in WORKLOADS:
        bench = getattr(bench_floor, cls_name)()
        bench.setup()
        try:
            n = per_call or bench_floor.BATCH
            calls = 20 if per_call else 1
            runtime = _median_time(bench.time_runtime, calls) / n
            floor = _median_time(bench.time_floor, calls) / n
            ratio = bench.track_runtime_over_floor()
        finally:
            bench.teardown()
        counts = _counts(counts_name)
        lines.append(_line(cls_name, runtime, floor, ratio, counts))
    return lines


def _line(
    name: str, runtime: float, floor: float, ratio: float, counts: dict[str, float] | None
) -> str:
    verdict = "ok" if ratio <= BOUND else f"above {BOUND:g}"
    text = (
        f"{name:14} runtime {runtime * 1e6:7.1f} µs/transition   floor {floor * 1e6:5.1f} µs"
        f"   ratio {ratio:5.2f} ({verdict})"
    )
    if counts:
        text += "   per transition: " + ", ".join(f"{k} {v:g}" for k, v in counts.items())
    return text


def from_results(path: Path) -> list[str]:
    """The ratios from one asv results file."""
    data = json.loads(path.read_text())
    column = data.get("result_columns", ["result"]).index("result")
    results = {name: row[column] for name, row in data["results"].items()}
    lines = []
    for cls_name, per_call, _ in WORKLOADS:
        base = f"bench_floor.{cls_name}."
        try:
            runtime = results[base + "time_runtime"][0]
            floor = results[base + "time_floor"][0]
            ratio = results[base + "track_runtime_over_floor"][0]
        except (KeyError, IndexError, TypeError):
            lines.append(f"{cls_name:14} not in {path}")
            continue
        n = per_call or _batch()
        lines.append(_line(cls_name, runtime / n, floor / n, ratio, None))
        lines.append(f"{'':14} ratio of the separate time_ results: {runtime / floor:.2f}")
    return lines


def _batch() -> int:
    from asv_bench import bench_floor

    return bench_floor.BATCH


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=Path, help="an asv results JSON file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    lines = from_results(args.results) if args.results else direct()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

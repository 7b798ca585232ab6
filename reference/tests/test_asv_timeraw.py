"""Every ``timeraw_`` benchmark runs under asv's own timer: asv reads the timed
interpreter's standard output as the time taken, so a benchmark whose command prints
(``gritwit --version`` prints its version, ``actor send`` the id it sent) fails asv's
run with ``could not convert string to float`` — CI's asv step failed so.

Each benchmark runs once (``number=1``) through ``asv_runner``'s separate-process timer,
the code asv runs, and must come back with a time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
timeraw = pytest.importorskip(
    "asv_runner.benchmarks.timeraw",
    reason="asv is not installed: python -m pip install -e '.[bench]'",
)
sys.path.insert(0, str(ROOT))
from asv_bench import bench_cli  # noqa: E402

BENCHMARKS: dict[str, Callable[[], object]] = {
    name: getattr(bench_cli, name) for name in dir(bench_cli) if name.startswith("timeraw_")
}


def test_the_command_line_benchmarks_are_found() -> None:
    assert set(BENCHMARKS) >= {"timeraw_python", "timeraw_version", "timeraw_actor_send"}, (
        "expected the three timeraw benchmarks of asv_bench/bench_cli.py, "
        f"found {sorted(BENCHMARKS)}"
    )


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_a_timeraw_benchmark_yields_a_time_under_asvs_timer(name: str) -> None:
    timer = timeraw._SeparateProcessTimer(BENCHMARKS[name])
    seconds = timer.timeit(1)
    assert isinstance(seconds, float) and seconds > 0, (
        f"{name}: expected asv's timer to read a positive time, read {seconds!r}"
    )

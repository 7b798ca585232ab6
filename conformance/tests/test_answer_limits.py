"""The answer-limit rule as pure functions, its calibration and its options (ADP-012.1–ADP-012.4).

:func:`judge` decides from two samples of the adapter's session whether it still
makes progress; :func:`scale_from` bounds the calibrated scale; bad scales are
refused with a usage error naming the option and the clause.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit_conformance.harness import _calibrate
from gritwit_conformance.harness._limits import (
    MIN_CPU_SHARE,
    AnswerLimit,
    Sample,
    check_scale,
    judge,
    limit_line,
    progress,
)

LIMIT = AnswerLimit(base=10.0, scale=2.0)


def sample(
    at: float, cpu: float | None = 1.0, out: int = 0, err: int = 0, disk: bool = False
) -> Sample:
    return Sample(at=at, cpu=cpu, stdout=out, stderr=err, disk_wait=disk)


@pytest.mark.req("ADP-012.1", "ADP-012.3", "ADP-012.4")
def test_the_limit_interval_and_hard_cap_follow_from_base_and_scale() -> None:
    assert (LIMIT.limit, LIMIT.interval, LIMIT.hard_cap) == (20.0, 1.0, 200.0)
    short = AnswerLimit(base=0.5)
    assert (short.limit, short.interval, short.hard_cap) == (0.5, 0.5, 5.0)
    assert LIMIT.describe() == "10 s × scale 2 = 20 s" and short.describe() == "0.5 s"
    assert "up to 200 s" in limit_line(10.0, 2.0, "given")


@pytest.mark.req("ADP-012.3")
def test_no_progress_between_two_samples_is_a_hang() -> None:
    hang = judge(sample(20.0), sample(21.0), LIMIT)
    assert hang == "no CPU used and no output in the last 1 s"


@pytest.mark.req("ADP-012.3")
@pytest.mark.parametrize(
    ("after", "seen"),
    [
        (sample(21.0, out=1), "output on standard output"),
        (sample(21.0, err=1), "output on standard error"),
        (sample(21.0, cpu=1.0 + MIN_CPU_SHARE), "CPU time"),
        (sample(21.0, disk=True), "waiting for the disk"),
    ],
)
def test_each_kind_of_progress_keeps_the_harness_waiting(after: Sample, seen: str) -> None:
    assert progress(sample(20.0), after) == seen
    assert judge(sample(20.0), after, LIMIT) is None


@pytest.mark.req("ADP-012.3")
def test_cpu_below_its_share_is_no_progress() -> None:
    """An idle runtime's housekeeping (a timer, a collector) does not keep a hung one alive."""
    after = sample(21.0, cpu=1.0 + MIN_CPU_SHARE / 2)
    assert judge(sample(20.0), after, LIMIT) is not None


@pytest.mark.req("ADP-012.3")
def test_without_cpu_figures_only_output_counts() -> None:
    """Where /proc gives no CPU time, silence is a hang and output is progress."""
    assert judge(sample(20.0, cpu=None), sample(21.0, cpu=None), LIMIT) == (
        "no CPU time known and no output in the last 1 s"
    )
    assert judge(sample(20.0, cpu=None), sample(21.0, cpu=None, out=5), LIMIT) is None


@pytest.mark.req("ADP-012.4")
def test_progress_ends_at_the_hard_cap() -> None:
    assert judge(sample(198.0), sample(199.0, cpu=2.0), LIMIT) is None
    hang = judge(sample(199.0), sample(200.0, cpu=2.0), LIMIT)
    assert hang is not None and "hard cap 200 s" in hang


@pytest.mark.req("ADP-012.2")
@pytest.mark.parametrize(
    ("ratio", "load", "scale"),
    [
        (0.4, 0.2, 1.0),  # a fast, idle machine: never below 1
        (2.31, 1.0, 2.4),  # rounded up to a tenth
        (1.0, 4.5, 4.5),  # the load per core when larger
        (30.0, 1.0, 10.0),  # never above 10
        (math.nan, 3.0, 3.0),  # no workload figure: the load
        (1.5, math.nan, 1.5),  # no load average (not every platform has one)
    ],
)
def test_the_calibrated_scale_is_the_larger_ratio_bounded(
    ratio: float, load: float, scale: float
) -> None:
    assert _calibrate.scale_from(ratio, load) == scale


@pytest.mark.req("ADP-012.2")
def test_calibration_times_the_workload_and_reads_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(100))
    # each run of the workload "takes" 3 nominal times: perf_counter advances by 0.06 s
    monkeypatch.setattr(_calibrate.time, "perf_counter", lambda: next(ticks) * 0.06)
    monkeypatch.setattr(_calibrate, "_workload", lambda: 0)
    monkeypatch.setattr(_calibrate.os, "getloadavg", lambda: (4.0, 0.0, 0.0))
    monkeypatch.setattr(_calibrate, "_cores", lambda: 2)
    _calibrate.calibrate.cache_clear()
    try:
        found = _calibrate.calibrate()
    finally:
        _calibrate.calibrate.cache_clear()
    assert (found.scale, round(found.workload_ratio, 6), found.load_per_core) == (3.0, 3.0, 2.0)
    assert "3.0× its nominal time, load 2.0 per core" in found.describe()


@pytest.mark.req("ADP-012.2")
def test_calibration_on_a_busy_machine_stops_within_its_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs of 20 nominal times each: two runs pass the budget, and the scale is capped."""
    ticks = iter(range(100))
    runs: list[int] = []
    monkeypatch.setattr(_calibrate.time, "perf_counter", lambda: next(ticks) * 0.4)
    monkeypatch.setattr(_calibrate, "_workload", lambda: runs.append(1) or 0)
    monkeypatch.setattr(_calibrate.os, "getloadavg", lambda: (1.0, 0.0, 0.0))
    _calibrate.calibrate.cache_clear()
    try:
        found = _calibrate.calibrate()
    finally:
        _calibrate.calibrate.cache_clear()
    assert len(runs) == 2 and found.scale == _calibrate.MAX_SCALE, (runs, found)


@pytest.mark.req("ADP-012.2")
@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_a_scale_that_is_not_a_finite_positive_number_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match=r"--timeout-scale must be a finite number.*ADP-012.2"):
        check_scale(bad)
    with pytest.raises(ValueError, match="ADP-012"):
        AnswerLimit(base=10.0, scale=bad)


@pytest.mark.slow  # three command lines started per value
@pytest.mark.req("ADP-012.2")
@pytest.mark.parametrize("bad", ["0", "-2", "inf", "nan"])
def test_the_command_lines_refuse_a_bad_scale(bad: str, tmp_path: Path) -> None:
    conform = subprocess.run(
        [sys.executable, "-m", "gritwit_conformance", "conform", "--timeout-scale", bad],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert conform.returncode == 2 and "--timeout-scale" in conform.stderr, conform.stderr
    perf = subprocess.run(
        [sys.executable, "-m", "gritwit_conformance", "perf", "--timeout-scale", bad],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert perf.returncode == 2 and "ADP-012.2" in perf.stderr, perf.stderr
    plugin = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--gritwit-timeout-scale", bad],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert plugin.returncode == 4, plugin.stdout + plugin.stderr  # pytest's usage error
    assert "--gritwit-timeout-scale must be a finite number" in plugin.stderr, plugin.stderr


WORKER_TEST = """
import os
from gritwit_conformance.harness import current_plan


def test_scale(tmp_path_factory):
    out = os.environ["SCALES_OUT"]
    with open(out, "a") as f:
        f.write(f"{os.environ.get('PYTEST_XDIST_WORKER')} {current_plan().timeout_scale} "
                f"{current_plan().scale_note}\\n")
"""


@pytest.mark.req("ADP-012.2")
def test_the_workers_use_the_scale_the_controller_calibrated(tmp_path: Path) -> None:
    """Calibrated once per run: every xdist worker gets the controller's figure."""
    (tmp_path / "test_w.py").write_text(WORKER_TEST, encoding="utf-8")
    (tmp_path / "test_x.py").write_text(WORKER_TEST, encoding="utf-8")
    out = tmp_path / "scales.txt"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "--impl",
            "my-adapter",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env={**os.environ, "SCALES_OUT": str(out)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split(" ", 2) for line in out.read_text().splitlines()]
    assert len(rows) == 2 and {row[0] for row in rows} <= {"gw0", "gw1"}, rows
    assert all(row[2] == "from the controller" for row in rows), rows
    scale = float(rows[0][1])
    assert all(float(row[1]) == scale for row in rows) and 1 <= scale <= 10
    header = f"answer limit 10 s × scale {scale:g} = " if scale != 1 else "answer limit 10 s ("
    assert header in done.stdout and "calibrated:" in done.stdout, done.stdout

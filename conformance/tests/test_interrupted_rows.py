"""An interrupted run's rows sum to a complete run's (ADP-020.5).

Every test an interrupted run never reached sits in its own profile's row (the first
name of its closest ``profile`` marker, as a test that ran), not in its folder's,
with or without xdist (the workers hand the controller each test's row); and the
summary names as *never reached* only the profiles that have such tests.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_harness_interrupt import HANGS, WAIT, wait_until

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
#: A quick selection holding tests of several rows: codec, harness and protocol.
SELECT = ["--smoke", "--profile", "codec"]


def row_sizes(report: dict[str, Any]) -> dict[str, int]:
    """Tests per row of a report's summary, whatever their outcomes."""
    return {
        name: sum(v for k, v in row.items() if isinstance(v, int) and not isinstance(v, bool))
        for name, row in report["profiles"].items()
    }


def complete_rows(tmp_path: Path) -> dict[str, int]:
    out = tmp_path / "complete"
    subprocess.run(
        [*GRITWIT, "conform", *SELECT, "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
    )  # fmt: skip
    return row_sizes(json.loads(out.with_suffix(".json").read_text("utf-8")))


@pytest.mark.slow
@pytest.mark.req("ADP-020.5", "ADP-020.1")
@pytest.mark.parametrize("workers", ["2", "0"], ids=["xdist", "in-process"])
def test_an_interrupted_runs_rows_sum_to_a_complete_runs(tmp_path: Path, workers: str) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    script = tmp_path / "hangs.py"
    script.write_text(HANGS, encoding="utf-8")
    impl = shlex.join([sys.executable, str(script), str(marks)])
    out = tmp_path / "report"
    run = subprocess.Popen(
        [*GRITWIT, "conform", "--impl", impl, *SELECT, "-n", workers, "--timeout", "60",
         "--timeout-scale", "1", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert wait_until(lambda: any(marks.glob("busy-*")), WAIT), "no adapter got a command"
        run.send_signal(signal.SIGTERM)
        output, _ = run.communicate(timeout=WAIT)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    report = json.loads(out.with_suffix(".json").read_text("utf-8"))
    assert report["interrupted"] == "SIGTERM", output
    assert not [p for p in tmp_path.iterdir() if ".rows" in p.name]  # the workers' hand-over
    complete = complete_rows(tmp_path)
    assert row_sizes(report) == complete, output
    assert len(complete) > 1, complete
    never = sorted({r["profile"] for r in report["results"] if r["outcome"] == "not-run"})
    line = next(li for li in output.splitlines() if "never reached:" in li)
    assert line.endswith(f"never reached: {', '.join(never)}"), (line, never)
    reached = {r["profile"] for r in report["results"]} - set(never)
    for name in reached:
        assert name not in line.partition("never reached:")[2].split(", "), (name, line)

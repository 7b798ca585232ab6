"""One mutation worker: runs conformance tests against mutants behind the stdio adapter.

Started by :mod:`._run` as ``python -m gritwit_conformance.mutate._worker COPY``
where ``COPY`` holds a private copy of the ``gritwit`` package.  It reads one
job per line on standard input (JSON: the mutant's module, its mutated source
and the tests to run), writes the mutant into the copy, runs pytest
*in this process* — the harness and its oracle import the pristine
``gritwit`` — against an adapter started as
``env PYTHONPATH=COPY python -m gritwit adapter`` (only the adapter sees the
mutant), restores the module and answers one JSON line on its own channel.
pytest's console output goes to /dev/null.

A time-out alone kills no mutant (issue 35): when the first failing test failed
only because the adapter gave no answer within the limit (the harness's structured
``timedOut``, ADP-020.1), the job runs again once — that test first, then the rest —
with every limit raised :data:`RERUN_FACTOR` times.  A real failure then *kills*
the mutant; a second time-out is a mutant that hangs (*timeout*, detected: no
implementation may leave a request unanswered, ADP-012); a clean pass is a
*survivor* (the first time-out was the machine's, not the mutant's).  The result's
``rerun`` says what was done.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["RERUN_FACTOR", "adapter_command", "main"]

SUITE_ROOT = Path(__file__).resolve().parent.parent
#: How many times the answer limit is raised for the one re-run after a time-out.
RERUN_FACTOR = 4


def adapter_command(copy: Path) -> str:
    """The adapter command line that imports ``gritwit`` from ``copy``."""
    return shlex.join(
        [
            "env",
            # No bytecode cache elsewhere: a mutant's source can keep its original's
            # size and mtime second, so only the copy's own __pycache__, which each job
            # empties for its module, may be read.
            "-u",
            "PYTHONPYCACHEPREFIX",
            f"PYTHONPATH={copy}",
            "PYTHONDONTWRITEBYTECODE=1",
            sys.executable,
            "-m",
            "gritwit",
            "adapter",
        ]
    )


class _Outcome:
    """A pytest plugin: the first failing test, and a deadline for the whole mutant."""

    def __init__(self, deadline: float, selected: list[str]) -> None:
        self.deadline = deadline
        self.selected = selected
        self.failed: str | None = None
        self.reason = ""
        #: The first failure was a time-out (the harness's ``timedOut``), not an assertion.
        self.timed_out = False
        self.ran = 0
        self.out_of_time = False
        #: pytest's exit status.
        self.status = 0

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        if time.monotonic() > self.deadline:
            self.out_of_time = True
            item.session.shouldstop = "mutant deadline"
            return True
        self.ran += 1
        return (yield)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Keep the selected tests only, in the order given (fastest first)."""
        rank = {nodeid: index for index, nodeid in enumerate(self.selected)}

        def place(item: pytest.Item) -> int | None:
            # a selected entry is a node id, or a whole file ("suite/x/test_y.py")
            found = rank.get(item.nodeid)
            return rank.get(item.nodeid.split("::", 1)[0]) if found is None else found

        keep = sorted((i for i in items if place(i) is not None), key=lambda i: place(i) or 0)
        config.hook.pytest_deselected(items=[i for i in items if place(i) is None])
        items[:] = keep

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and self.failed is None:
            self.failed = report.nodeid
            text = str(report.longrepr) if report.longrepr is not None else ""
            self.reason = text[-600:]
            self.timed_out = dict(report.user_properties).get("timedOut") == "1"


def _pytest(
    job: dict[str, Any], tests: list[str], timeout: float, ini: Path, copy: Path
) -> _Outcome:
    """Run ``tests`` (in that order, stopping at the first failure) against the mutant."""
    outcome = _Outcome(time.monotonic() + float(job["deadline"]), tests)
    files = sorted({str(SUITE_ROOT / nodeid.split("::", 1)[0]) for nodeid in tests})
    args = [
        *files,
        "-c",
        str(ini),
        "--rootdir",
        str(SUITE_ROOT),
        "-p",
        "no:cacheprovider",
        # pytest's faulthandler restores the default SIGILL/SIGSEGV handlers when a
        # session ends, over wasmtime's: a guest trap in the in-process oracle in the
        # worker's next session then kills the worker (a false "hard deadline" error).
        "-p",
        "no:faulthandler",
        "-x",
        "-q",
        "--capture=no",
        "--impl",
        adapter_command(copy),
        "--gritwit-timeout",
        str(timeout),
    ]
    if job.get("examples") is not None:
        args += ["--gritwit-examples", str(job["examples"])]
    outcome.status = int(pytest.main(args, plugins=[outcome]))
    return outcome


def _rerun(
    job: dict[str, Any], first: _Outcome, ini: Path, copy: Path
) -> tuple[_Outcome, dict[str, Any]]:
    """Run the job again after a time-out: that test first, every limit raised."""
    assert first.failed is not None
    limit = float(job.get("timeout", 10.0)) * RERUN_FACTOR
    tests = [first.failed, *(t for t in job["tests"] if t != first.failed)]
    again = _pytest(job, tests, limit, ini, copy)
    if again.failed is None:
        ended = "passed" if not again.out_of_time and again.ran else "not finished"
    else:
        ended = "timed-out" if again.timed_out else "failed"
    note = {"test": first.failed, "limit": limit, "outcome": ended, "failed": again.failed}
    return again, note


def _describe(note: dict[str, Any]) -> str:
    first = f"{note['test']} timed out; re-run with the limit ×{RERUN_FACTOR} ({note['limit']:g} s)"
    return {
        "failed": f"{first}: a real failure",
        "timed-out": f"{first}: timed out again, the mutant hangs",
        "passed": f"{first}: every test passed (the time-out was the machine's)",
    }.get(note["outcome"], f"{first}: {note['outcome']}")


def _run_job(job: dict[str, Any], copy: Path, ini: Path) -> dict[str, Any]:
    target = copy / job["module"]
    original = target.read_text(encoding="utf-8")
    cached = target.parent / "__pycache__"
    for pyc in cached.glob(target.stem + ".*.pyc") if cached.is_dir() else ():
        pyc.unlink()
    started = time.monotonic()
    target.write_text(job["source"], encoding="utf-8")
    rerun: dict[str, Any] | None = None
    try:
        outcome = _pytest(job, list(job["tests"]), float(job.get("timeout", 10.0)), ini, copy)
        if outcome.failed is not None and outcome.timed_out:
            outcome, rerun = _rerun(job, outcome, ini, copy)
    finally:
        target.write_text(original, encoding="utf-8")
    result = _classify(job, outcome, round(time.monotonic() - started, 3))
    if rerun is not None:
        result["rerun"] = rerun
        result["reason"] = f"{result['reason']}\n{_describe(rerun)}".strip()
    return result


def _classify(job: dict[str, Any], outcome: _Outcome, seconds: float) -> dict[str, Any]:
    status = outcome.status
    if outcome.failed is not None:
        return {
            "status": "timeout" if outcome.timed_out else "killed",
            "test": outcome.failed,
            "reason": outcome.reason,
            "ran": outcome.ran,
            "seconds": seconds,
        }
    if outcome.out_of_time:
        # The budget ran out with no test failed: nothing was detected. (A mutant that
        # hangs the adapter fails a test with a time-out first.) Rerun it.
        return {
            "status": "error",
            "test": None,
            "reason": f"mutant deadline: {outcome.ran} of {len(job['tests'])} tests ran, "
            "none failed",
            "ran": outcome.ran,
            "seconds": seconds,
        }
    if int(status) not in (0, 5):
        return {
            "status": "error",
            "test": None,
            "reason": f"pytest exit {int(status)}",
            "ran": outcome.ran,
            "seconds": seconds,
        }
    if outcome.ran == 0:
        # Nothing selected ran (a path that names no test file, an id that matches no
        # test): no test passed, so nothing says the mutant survived.
        return {
            "status": "error",
            "test": None,
            "reason": f"no selected test ran (pytest exit {int(status)}): {job['tests'][:3]}",
            "ran": 0,
            "seconds": seconds,
        }
    return {
        "status": "survived",
        "test": None,
        "reason": "",
        "ran": outcome.ran,
        "seconds": seconds,
    }


def _no_shrinking() -> None:
    """A failing example kills the mutant; shrinking it would only repeat adapter time-outs."""
    from hypothesis import Phase
    from hypothesis import settings as hsettings

    hsettings.register_profile(
        "gritwit-mutate", phases=(Phase.explicit, Phase.reuse, Phase.generate), print_blob=False
    )
    hsettings.load_profile("gritwit-mutate")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    _no_shrinking()  # before the test modules build their settings from the default
    copy = Path(args[0])
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as we do
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        for line in sys.stdin:
            job = json.loads(line)
            try:
                result = _run_job(job, copy, ini)
            except Exception as exc:  # report, keep serving
                result = {
                    "status": "error",
                    "test": None,
                    "reason": repr(exc)[:600],
                    "ran": 0,
                    "seconds": 0.0,
                }
            result["id"] = job["id"]
            channel.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

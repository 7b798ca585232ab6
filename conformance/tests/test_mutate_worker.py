"""The mutation worker judges a mutant by the typed verdicts of its run.

Each case runs the worker's own judging (:func:`judge`: the plan handed to pytest, the
verdicts read back, the re-run after a time-out) on a small test file of its own, in a
fresh interpreter as the worker is one (a pytest session nested in this one would share
the plugin's per-process run state).  The test file's tests end each way a verdict can
fail a run: *failed* in the call, *errored* in setup, *timed-out* (an adapter that never
answers ``hello``); the worker must kill, re-run or keep the mutant accordingly.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.runs import Outcome, Verdict, VerdictBook

pytestmark = pytest.mark.req("CONV-005")

CASES = textwrap.dedent(
    """
    import pytest


    @pytest.fixture
    def broken_fixture():
        raise RuntimeError("the fixture broke in setup")


    def test_passes():
        assert 1 + 1 == 2


    def test_fails():
        assert 1 + 1 == 3, "one and one made three"


    def test_errors_in_setup(broken_fixture):
        pass


    def test_asks_the_adapter(impl):
        impl.info()


    def test_passes_later():
        assert True
    """
)

#: Runs the worker's judging of one job, with the scale pinned to 1 (no calibration: the
#: limits below are the ones the assertions name), and writes the answer as JSON.
_DRIVER = textwrap.dedent(
    """
    import json, sys
    from dataclasses import replace
    from pathlib import Path
    from gritwit_conformance.mutate._worker import job_plan, judge

    job, impl = json.loads(sys.argv[1]), sys.argv[2]
    root, ini, out = Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5])
    plan = replace(job_plan(job, impl), timeout_scale=1.0)
    out.write_text(json.dumps(judge(job, plan, ini, root)), encoding="utf-8")
    """
)

#: An adapter that never answers: no output, alive for longer than any limit here.
HANGS = "sleep 60"


def _judge(
    tmp_path: Path,
    tests: list[str],
    impl: str = "reference",
    timeout: float = 5.0,
    *,
    entries: list[str] | None = None,
) -> Any:
    """The worker's answer to a job running ``tests`` of :data:`CASES` against ``impl``
    (or the job's ``entries`` as given: files, folders); the file is ``cases/in/``'s."""
    root = tmp_path / "cases"
    (root / "in").mkdir(parents=True, exist_ok=True)
    (root / "in" / "test_cases.py").write_text(CASES, encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    ini = run / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    out = run / "answer.json"
    job = {
        "id": "m-case",
        "tests": entries or [f"in/test_cases.py::{name}" for name in tests],
        "deadline": 120,
        "timeout": timeout,
        "examples": None,
    }
    argv = [sys.executable, "-c", _DRIVER, json.dumps(job), impl, str(root), str(ini), str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_failed_test_kills_the_mutant_and_names_it(tmp_path: Path) -> None:
    """The first test whose verdict is *failed* kills it; the tests after it do not run."""
    answer = _judge(tmp_path, ["test_passes", "test_fails", "test_passes_later"])
    assert answer["status"] == "killed", answer
    assert answer["test"] == "in/test_cases.py::test_fails", answer
    assert answer["ran"] == 2, answer
    assert "one and one made three" in answer["reason"], answer
    assert "rerun" not in answer, answer


@pytest.mark.slow
@pytest.mark.parametrize("entry", ["in", "in/", "in/test_cases.py"])
def test_a_folder_or_a_file_runs_its_tests_in_their_order(tmp_path: Path, entry: str) -> None:
    """A job's entry may be a folder (``--against suite/codec``) or a file: its tests run
    in their collection order, so the first failure (the file's second test) kills the
    mutant. A folder once selected no test, and the mutant was not judged."""
    answer = _judge(tmp_path, [], entries=[entry])
    assert answer["status"] == "killed", answer
    assert (answer["test"], answer["ran"]) == ("in/test_cases.py::test_fails", 2), answer


@pytest.mark.slow
def test_tests_that_all_pass_leave_a_survivor(tmp_path: Path) -> None:
    """The other side: every verdict *passed* is no detection."""
    answer = _judge(tmp_path, ["test_passes", "test_passes_later"])
    assert answer["status"] == "survived", answer
    assert answer["test"] is None and answer["ran"] == 2 and answer["reason"] == "", answer


@pytest.mark.slow
@pytest.mark.req("ADP-020.1")
def test_a_test_errored_in_setup_kills_the_mutant(tmp_path: Path) -> None:
    """A verdict *errored* (the test never reached its call) fails the run, so it kills:
    a worker reading only call-phase failures would keep this mutant alive."""
    answer = _judge(tmp_path, ["test_errors_in_setup", "test_passes"])
    assert answer["status"] == "killed", answer
    assert answer["test"] == "in/test_cases.py::test_errors_in_setup", answer
    assert answer["ran"] == 1, answer
    assert "the fixture broke in setup" in answer["reason"], answer


@pytest.mark.slow
@pytest.mark.req("ADP-020.1")
def test_a_timed_out_test_is_re_run_and_a_second_time_out_is_a_hang(tmp_path: Path) -> None:
    """A verdict *timed-out* kills nothing alone: the job runs again, that test first, with
    the limit ×4; timed out again, the mutant hangs (*timeout*, not *killed*)."""
    answer = _judge(tmp_path, ["test_passes", "test_asks_the_adapter"], impl=HANGS, timeout=0.5)
    assert answer["status"] == "timeout", answer
    assert answer["test"] == "in/test_cases.py::test_asks_the_adapter", answer
    rerun = answer["rerun"]
    assert rerun["test"] == "in/test_cases.py::test_asks_the_adapter", answer
    assert rerun["limit"] == 2.0 and rerun["outcome"] == "timed-out", answer
    # the re-run put the timed-out test first: it was the only one to run
    assert answer["ran"] == 1, answer
    assert "timed out again, the mutant hangs" in answer["reason"], answer


@pytest.mark.slow
@pytest.mark.req("ADP-020.1")
def test_a_time_out_then_an_error_kills_the_mutant(tmp_path: Path, tmp_path_factory: Any) -> None:
    """The other side of the re-run: the adapter hangs at its first start and exits at
    once at its second, so the re-run's verdict is *errored*, a real failure: killed."""
    mark = tmp_path_factory.mktemp("adapter") / "started"
    once = (
        f"[ -e {shlex.quote(str(mark))} ] && exit 3; touch {shlex.quote(str(mark))}; exec sleep 60"
    )
    answer = _judge(
        tmp_path, ["test_asks_the_adapter"], impl=f"sh -c {shlex.quote(once)}", timeout=0.5
    )
    assert answer["status"] == "killed", answer
    assert answer["rerun"]["outcome"] == "failed", answer
    assert answer["rerun"]["failed"] == "in/test_cases.py::test_asks_the_adapter", answer
    assert "a real failure" in answer["reason"], answer


@pytest.mark.req("ADP-020.2")
def test_the_first_failing_verdict_is_the_first_to_report_that_fails() -> None:
    """The seam the worker reads: passed, skipped and expected failures fail nothing; of
    the failing ones the first to report counts, by pytest's node id."""
    book = VerdictBook()
    book.verdicts["a.py::ok"] = Verdict(test="a.py::ok", outcome=Outcome.PASSED)
    book.verdicts["a.py::skip"] = Verdict(test="a.py::skip", outcome=Outcome.SKIPPED)
    book.verdicts["a.py::x"] = Verdict(test="a.py::x", outcome=Outcome.EXPECTED_FAILURE)
    assert book.first_failing() is None
    for outcome in (Outcome.TIMED_OUT, Outcome.ERRORED, Outcome.FAILED, Outcome.UNEXPECTED_PASS):
        book.verdicts["a.py::bad"] = Verdict(test="a.py::bad", outcome=outcome)
        book.verdicts["a.py::later"] = Verdict(test="a.py::later", outcome=Outcome.FAILED)
        found = book.first_failing()
        assert found is not None and found[0] == "a.py::bad" and found[1].outcome is outcome
        del book.verdicts["a.py::bad"], book.verdicts["a.py::later"]


def test_a_stopped_worker_takes_the_adapters_of_other_sessions_with_it(tmp_path: Path) -> None:
    """A worker killed at the budget's end (or its hard deadline) leaves no adapter behind:
    the harness starts each in a session of its own, out of the worker's group's reach, and
    a mutant adapter stuck in a loop reads no input and would spin on after the run."""
    import os
    import time

    from gritwit_conformance.mutate._pool import Worker as _Worker

    if not Path("/proc/self/stat").is_file():
        pytest.skip("reads a process's state from /proc (Linux)")

    pid_file = tmp_path / "adapter.pid"
    spawner = textwrap.dedent(
        f"""
        import subprocess, sys, time
        child = subprocess.Popen(
            [sys.executable, "-c", "import time\\nwhile True: time.sleep(0.1)"],
            start_new_session=True, stdin=subprocess.DEVNULL,
        )
        open({str(pid_file)!r}, "w").write(str(child.pid))
        time.sleep(120)
        """
    )
    worker = _Worker(tmp_path)
    worker.proc = subprocess.Popen(
        [sys.executable, "-c", spawner], start_new_session=True, text=True
    )
    deadline = time.monotonic() + 60
    while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    adapter = int(pid_file.read_text())
    worker.stop()
    for _ in range(100):  # reaped by init: gone, or a zombie for a moment
        try:
            state = Path(f"/proc/{adapter}/stat").read_text().split()[2]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        os.kill(adapter, 9)
        pytest.fail(f"expected the worker's adapter {adapter} killed with it; it still runs")


@pytest.mark.parametrize(
    ("given", "job_entry"),
    [
        (".", "suite"),
        ("./", "suite"),
        ("suite", "suite"),
        ("conformance/gritwit_conformance/suite", "suite"),
        ("conformance/gritwit_conformance/suite/", "suite"),
        ("conformance/gritwit_conformance/suite/codec", "suite/codec"),
        ("suite/codec/test_limits.py::t", "suite/codec/test_limits.py::t"),
    ],
)
def test_against_the_whole_suite_is_the_suite_folder(given: str, job_entry: str) -> None:
    """``--against .`` (or the suite's own path) names the whole suite: the job's entry is
    the folder ``suite``, whose tests a job selects by prefix (above). ``.`` was passed on
    as it came, and no test's node id starts with ``./``: it selected nothing."""
    from gritwit_conformance.cli._mutate import _suite_relative

    assert _suite_relative(given) == job_entry, (
        f"--against {given!r}: expected the job's entry {job_entry!r}, got "
        f"{_suite_relative(given)!r}"
    )

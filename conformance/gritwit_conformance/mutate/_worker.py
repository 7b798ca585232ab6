"""One mutation worker: runs conformance tests against mutants behind the stdio adapter.

Started by :mod:`._run` as ``python -m gritwit_conformance.mutate._worker COPY``
where ``COPY`` holds a private copy of the ``gritwit`` package.  It reads one
job per line on standard input (JSON: the mutant's module, its mutated source
and the tests to run), writes the mutant into the copy, runs pytest
*in this process* — the harness and its oracle import the pristine
``gritwit`` — against an adapter started as
``env PYTHONPATH=COPY python -m gritwit adapter`` (only the adapter sees the
mutant; a job's ``store_url``, a ``postgres`` group mutant's, adds ``--store-url``),
restores the module and answers one JSON line on its own channel.
pytest's console output goes to /dev/null.

Each run is one frozen plan handed to pytest, as ``gritwit conform`` hands its own
(:func:`job_plan`, :class:`..harness.PlanPlugin`), and the worker reads how each test
ended from the typed verdicts the runs package folds (:class:`..runs.VerdictBook`,
ADP-020.1), never from pytest's reports: the first test whose verdict fails the run
(*failed*, *errored*, *timed-out*) kills the mutant.

A time-out alone kills no mutant: when the first failing test failed
only because the adapter gave no answer within the limit (its verdict *timed-out*,
ADP-020.1), the job runs again once — that test first, then the rest —
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from ..harness import ConformPlan, PlanPlugin
from ..runs import Outcome, Verdict, VerdictBook

__all__ = ["RERUN_FACTOR", "Session", "adapter_command", "job_plan", "judge", "main", "run_session"]

SUITE_ROOT = Path(__file__).resolve().parent.parent
#: How many times the answer limit is raised for the one re-run after a time-out.
RERUN_FACTOR = 4


def adapter_command(copy: Path, store_url: str | None = None) -> str:
    """The adapter command line that imports ``gritwit`` from ``copy``; with ``store_url``
    (a ``postgres`` group's mutant) every durable store it opens is a schema of that
    PostgreSQL database (``--store-url``, ADP-010.6), and it has a store server (ADP-022)."""
    store = [] if store_url is None else ["--store-url", store_url]
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
            *store,
        ]
    )


def job_plan(job: dict[str, Any], impl: str) -> ConformPlan:
    """The plan of a job's runs, as ``gritwit conform`` hands one to pytest (ADP-020.10).

    ``impl``: the adapter command of the mutant's copy (:func:`adapter_command`); the
    job's answer limit (``timeout``, ADP-012.1) and hypothesis examples (the plan's
    default when the job names none).  The scale is left open: the plugin calibrates it
    as each run starts (ADP-012.2), as it did when the worker passed options.
    """
    plan = ConformPlan(impl=impl, timeout=float(job.get("timeout", 10.0)))
    examples = job.get("examples")
    return plan if examples is None else replace(plan, examples=int(examples))


class _JobOrder:
    """A pytest plugin: the job's tests only, in its order, and a deadline for the mutant."""

    def __init__(self, deadline: float, selected: list[str]) -> None:
        self.deadline = deadline
        self.selected = selected
        self.ran = 0
        self.out_of_time = False

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
        # a folder's tests keep their collection order (the sort below is stable)
        folders = [
            (entry.rstrip("/") + "/", index)
            for index, entry in enumerate(self.selected)
            if "::" not in entry and not entry.endswith(".py")
        ]

        def place(item: pytest.Item) -> int | None:
            # a selected entry is a node id, a whole file ("suite/x/test_y.py") or a
            # folder ("suite/x"): an ``--against`` of a folder once selected no test
            found = rank.get(item.nodeid)
            if found is None:  # a parametrized test named without its case: every case
                found = rank.get(item.nodeid.split("[", 1)[0])
            if found is None:
                found = rank.get(item.nodeid.split("::", 1)[0])
            if found is None:
                found = next((i for f, i in folders if item.nodeid.startswith(f)), None)
            return found

        keep = sorted((i for i in items if place(i) is not None), key=lambda i: place(i) or 0)
        config.hook.pytest_deselected(items=[i for i in items if place(i) is None])
        items[:] = keep


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """What one pytest run of a job's tests gave: its first failing test's typed verdict."""

    #: pytest's node id of the first test whose verdict fails the run, and that verdict
    #: (:meth:`..runs.VerdictBook.first_failing`); None when no test failed.
    failed: str | None = None
    verdict: Verdict | None = None
    #: Tests started before the mutant's deadline, and whether it stopped the run.
    ran: int = 0
    out_of_time: bool = False
    #: pytest's exit status.
    status: int = 0

    @property
    def timed_out(self) -> bool:
        """The first failure was no answer within the limit (*timed-out*, ADP-020.1)."""
        return self.verdict is not None and self.verdict.outcome is Outcome.TIMED_OUT

    @property
    def reason(self) -> str:
        """The end of the failing verdict's message, as the answer line carries it."""
        return "" if self.verdict is None else self.verdict.message[-_REASON_CHARS:]


#: Characters of a failure's message an answer line carries (its end: the last lines).
_REASON_CHARS = 600


def run_session(
    plan: ConformPlan, tests: list[str], deadline: float, ini: Path, root: Path = SUITE_ROOT
) -> Session:
    """Run ``tests`` (node ids or files under ``root``, in that order, stopping at the
    first failure, for at most ``deadline`` seconds) with ``plan`` handed to pytest, and
    read how they ended from their typed verdicts (:class:`..runs.VerdictBook`)."""
    order = _JobOrder(time.monotonic() + deadline, tests)
    book = VerdictBook()
    files = sorted({str(root / nodeid.split("::", 1)[0]) for nodeid in tests})
    args = [
        *files,
        "-c",
        str(ini),
        "--rootdir",
        str(root),
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
        # The run's own temporary folder, as gritwit conform's (ADP-020.5): otherwise
        # each job numbers one under /tmp/pytest-of-<user> and prunes other sessions'.
        "--basetemp",
        str(ini.parent / "basetemp"),
    ]
    status = int(pytest.main(args, plugins=[PlanPlugin(plan), order, book]))
    first = book.first_failing()
    return Session(
        failed=None if first is None else first[0],
        verdict=None if first is None else first[1],
        ran=order.ran,
        out_of_time=order.out_of_time,
        status=status,
    )


def _rerun(
    job: dict[str, Any], plan: ConformPlan, first: Session, ini: Path, root: Path
) -> tuple[Session, dict[str, Any]]:
    """Run the job again after a time-out: that test first, every limit raised."""
    assert first.failed is not None
    raised = replace(plan, timeout=plan.timeout * RERUN_FACTOR)
    tests = [first.failed, *(t for t in job["tests"] if t != first.failed)]
    again = run_session(raised, tests, float(job["deadline"]), ini, root)
    if again.failed is None:
        ended = "passed" if not again.out_of_time and again.ran else "not finished"
    else:
        ended = "timed-out" if again.timed_out else "failed"
    note = {"test": first.failed, "limit": raised.timeout, "outcome": ended, "failed": again.failed}
    return again, note


def _describe(note: dict[str, Any]) -> str:
    first = f"{note['test']} timed out; re-run with the limit ×{RERUN_FACTOR} ({note['limit']:g} s)"
    return {
        "failed": f"{first}: a real failure",
        "timed-out": f"{first}: timed out again, the mutant hangs",
        "passed": f"{first}: every test passed (the time-out was the machine's)",
    }.get(note["outcome"], f"{first}: {note['outcome']}")


def judge(
    job: dict[str, Any], plan: ConformPlan, ini: Path, root: Path = SUITE_ROOT
) -> dict[str, Any]:
    """The answer to ``job`` (without its id): its tests run with ``plan``, then once
    more with the limits raised when the first failure was a time-out (module doc)."""
    started = time.monotonic()
    session = run_session(plan, list(job["tests"]), float(job["deadline"]), ini, root)
    rerun: dict[str, Any] | None = None
    if session.timed_out:
        session, rerun = _rerun(job, plan, session, ini, root)
    result = _classify(job, session, round(time.monotonic() - started, 3))
    if rerun is not None:
        result["rerun"] = rerun
        result["reason"] = f"{result['reason']}\n{_describe(rerun)}".strip()
    return result


def _run_job(job: dict[str, Any], copy: Path, ini: Path) -> dict[str, Any]:
    target = copy / job["module"]
    original = target.read_text(encoding="utf-8")
    cached = target.parent / "__pycache__"
    for pyc in cached.glob(target.stem + ".*.pyc") if cached.is_dir() else ():
        pyc.unlink()
    plan = job_plan(job, adapter_command(copy, job.get("store_url")))
    target.write_text(job["source"], encoding="utf-8")
    try:
        return judge(job, plan, ini)
    finally:
        target.write_text(original, encoding="utf-8")


def _classify(job: dict[str, Any], session: Session, seconds: float) -> dict[str, Any]:
    """The answer line's fields for a job whose (last) run ended as ``session`` did."""
    status = session.status
    if session.failed is not None:
        return {
            "status": "timeout" if session.timed_out else "killed",
            "test": session.failed,
            "reason": session.reason,
            "ran": session.ran,
            "seconds": seconds,
        }
    if session.out_of_time:
        # The budget ran out with no test failed: nothing was detected. (A mutant that
        # hangs the adapter fails a test with a time-out first.) Rerun it.
        return {
            "status": "error",
            "test": None,
            "reason": f"mutant deadline: {session.ran} of {len(job['tests'])} tests ran, "
            "none failed",
            "ran": session.ran,
            "seconds": seconds,
        }
    if int(status) not in (0, 5):
        return {
            "status": "error",
            "test": None,
            "reason": f"pytest exit {int(status)}",
            "ran": session.ran,
            "seconds": seconds,
        }
    if session.ran == 0:
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
        "ran": session.ran,
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

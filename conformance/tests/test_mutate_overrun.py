"""A mutant whose worker outruns its hard deadline is run once more before it is judged.

A test bounded by its own limits (a settle of a service that never drains waits a scaled
minute, then fails) can take longer than the hard deadline of a job whose tests take
seconds on the reference: the worker is stopped, and the mutant was recorded as an error,
not judged. Now the job runs once more with its budget and deadline raised four times: a
second overrun is a hang (*timeout*, detected), else the second run's verdict stands.
The workers here are stand-ins (``Worker.run`` replaced): what is checked is the run's
decision on what they answer, not a worker's timing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.mutate import Options, run_mutation
from gritwit_conformance.mutate import _run as mutate_run
from gritwit_conformance.mutate._coverage import Coverage
from gritwit_conformance.mutate._pool import HARD_DEADLINE
from gritwit_conformance.mutate._run import collect_mutants

pytestmark = pytest.mark.req("CONV-005")

TEST = "suite/codec/test_limits.py::test_x"
OVERRUN = {"status": "error", "test": None, "reason": HARD_DEADLINE, "ran": 0, "seconds": 72.0}
KILLED = {"status": "killed", "test": TEST, "reason": "it failed", "ran": 1, "seconds": 90.0}
PASSED = {"status": "survived", "test": None, "reason": "", "ran": 1, "seconds": 5.0}


def _run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[tuple[dict[str, Any], float]]]:
    """One codec mutant's result when the worker answers ``answers`` in turn, and the
    jobs it was given with their hard deadlines."""
    mutant = collect_mutants(["codec"])[0]
    given: list[tuple[dict[str, Any], float]] = []

    def answer(
        _self: object, job: dict[str, Any], hard_deadline: float, cut: float | None = None
    ) -> dict[str, Any] | None:
        given.append((job, hard_deadline))
        return dict(answers[len(given) - 1])

    monkeypatch.setattr(mutate_run.Worker, "run", answer)
    reach = [[mutant.module, [mutant.line]]]
    coverage = Coverage(
        {"key": "test", "tests": {TEST: {"lines": reach, "seconds": 2.0, "requirements": []}}}
    )
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    options = Options(groups=("codec",), only=(mutant.id,), workers=1, root=tmp_path)
    run = run_mutation(options, log=lambda _: None, coverage=coverage)
    return run.results[mutant.id], given


def test_a_second_overrun_is_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, given = _run(tmp_path, monkeypatch, [OVERRUN, OVERRUN])
    assert result["status"] == "timeout", result
    assert "the mutant hangs" in result["reason"], result
    (first, hard), (second, longer) = given
    assert (second["deadline"], longer) == (first["deadline"] * 4, hard * 4), given
    assert result["rerun"]["outcome"] == "timed-out", result
    assert result["seconds"] == pytest.approx(hard + OVERRUN["seconds"]), result


@pytest.mark.parametrize(("again", "status"), [(KILLED, "killed"), (PASSED, "survived")])
def test_the_second_run_s_verdict_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, again: dict[str, Any], status: str
) -> None:
    """The other side: a second run that ends, failed or passed, is the verdict; the
    reason says the deadline passed once."""
    result, given = _run(tmp_path, monkeypatch, [OVERRUN, again])
    assert (result["status"], len(given)) == (status, 2), result
    assert "hard deadline" in result["reason"] and "re-run" in result["reason"], result


def test_a_job_that_ends_in_time_runs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No overrun, no second run: an ended job's verdict is the first."""
    result, given = _run(tmp_path, monkeypatch, [KILLED])
    assert (result["status"], len(given)) == ("killed", 1), result
    assert "rerun" not in result, result

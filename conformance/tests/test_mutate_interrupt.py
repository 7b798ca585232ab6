"""A mutation run stopped by SIGTERM or Ctrl-C keeps the verdicts it reached.

A run of a backlog takes hours; one stopped by a signal used to write nothing, and its
verdicts were read back from its progress file by hand. Now an interrupt ends it as the
end of a time budget does: the mutants judged before it keep their verdicts, the one under
way has none (its worker was stopped under it, which reads as a worker that died, and that
is no verdict on the mutant), the rest are not run, and ``--write-baseline`` with
``--mutant``, ``--new`` or ``--survivors`` records what was reached; the command exits 130.
The workers are stand-ins (``Worker.run`` replaced): what is checked is the run's decision.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.mutate import Options, run_mutation
from gritwit_conformance.mutate import _pool as mutate_pool
from gritwit_conformance.mutate._coverage import Coverage
from gritwit_conformance.mutate._run import MutationRun, collect_mutants

pytestmark = pytest.mark.req("CONV-005")

TEST = "suite/codec/test_limits.py::test_x"
KILLED = {"status": "killed", "test": TEST, "reason": "it failed", "ran": 1, "seconds": 3.0}
DIED = {"status": "error", "test": None, "reason": "worker died (exit status -9)", "ran": 0}


def _interrupted_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> tuple[MutationRun, list[str], list[str]]:
    """Three codec mutants on one worker: the first is killed, ``signum`` comes to this
    process while the second runs (its worker answers only once stopped, as a killed
    worker does). The run, the mutants sent to the worker, and the three ids."""
    mutants = collect_mutants(["codec"])[:3]
    stopped = threading.Event()
    sent: list[str] = []

    def answer(
        _self: object, job: dict[str, Any], hard_deadline: float, cut: float | None = None
    ) -> dict[str, Any] | None:
        sent.append(job["id"])
        if len(sent) == 1:
            return dict(KILLED)
        os.kill(os.getpid(), signum)
        stopped.wait(30)
        return dict(DIED)

    monkeypatch.setattr(mutate_pool.Worker, "run", answer)
    monkeypatch.setattr(mutate_pool.Worker, "stop", lambda _self: stopped.set())
    reach = [[m.module, [m.line]] for m in mutants]
    coverage = Coverage(
        {"key": "test", "tests": {TEST: {"lines": reach, "seconds": 2.0, "requirements": []}}}
    )
    (tmp_path / "conformance/mutation").mkdir(parents=True, exist_ok=True)
    ids = [m.id for m in mutants]
    options = Options(groups=("codec",), only=tuple(ids), workers=1, root=tmp_path)
    # both signals raise KeyboardInterrupt, as ``gritwit mutate`` sets them (a process
    # started in the background inherits SIGINT ignored, so the test sets it here too)
    before = {s: signal.signal(s, signal.default_int_handler) for s in (signal.SIGINT, signum)}
    try:
        run = run_mutation(options, log=lambda _: None, coverage=coverage)
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
    return run, sent, ids


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_run_keeps_the_verdicts_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    run, sent, ids = _interrupted_run(tmp_path, monkeypatch, signum)
    assert run.interrupted and run.cut and not run.complete, (
        f"expected an interrupted, incomplete run, got interrupted={run.interrupted} "
        f"cut={run.cut} complete={run.complete}"
    )
    assert sent == ids[:2], f"expected the third mutant never sent, sent {sent} of {ids}"
    assert list(run.results) == [ids[0]], (
        f"expected the first mutant's verdict alone (the second's worker was stopped under "
        f"it: no verdict), got {run.results}"
    )
    assert run.results[ids[0]]["status"] == "killed", run.results


def test_the_command_records_them_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the command: ``--mutant ... --write-baseline`` writes the verdict reached,
    not the mutant under way, and the exit status says the run did not end."""
    import gritwit_conformance.mutate as mutate

    holder: dict[str, Any] = {}

    def interrupted(options: Options, coverage: Any = None) -> MutationRun:
        run, _, ids = _interrupted_run(tmp_path, monkeypatch, signal.SIGTERM)
        holder["ids"] = ids
        return run

    (tmp_path / "conformance/mutation").mkdir(parents=True)
    base_path = tmp_path / "conformance/mutation/baseline.json"
    base_path.write_text(json.dumps({"mutants": {}}), "utf-8")
    monkeypatch.setattr(mutate, "run_mutation", interrupted)
    monkeypatch.setattr(mutate, "_sandbox_available", lambda: True)
    first_three = tuple(m.id for m in collect_mutants(["codec"])[:3])
    options = dataclasses.replace(
        Options(groups=("codec",), root=tmp_path, workers=1), only=first_three
    )
    status = mutate.main(options, out=tmp_path / "r.json", write_baseline=True)
    out = capsys.readouterr().out
    assert status == 130, f"expected exit 130 for an interrupted run, got {status}\n{out}"
    written = json.loads(base_path.read_text("utf-8"))["mutants"]
    ids = holder["ids"]
    assert written.get(ids[0]) == "killed" and ids[1] not in written, (
        f"expected the baseline to hold the first mutant's kill alone, got {written}"
    )
    assert "INCOMPLETE (interrupted" in out, f"expected the summary to say why, got\n{out}"

"""``gritwit teleport``: actors move between two implementations and keep their step ids.

Run as a user runs it — the command in a child process, with two separately started
reference adapters (``python -m gritwit adapter`` twice) — the scenarios pass both
ways, each with answers compared after both moves.  An implementation that does not
claim ``runtime`` gets *not run*, with the reason, never a pass (exit status 4).  The
Node example adapter's pairs run as soon as it claims ``runtime``.  The JSON report
renders as a matrix of pairs in ``gritwit report``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_report import alpha, write

from gritwit_conformance.report import render_reports
from gritwit_conformance.report._model import ReportError
from gritwit_conformance.report._teleport import load_teleport, pair_status
from gritwit_conformance.teleport import SCENARIOS, direction_status
from gritwit_conformance.teleport._check import Outcome

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
REFERENCE = shlex.join([sys.executable, "-m", "gritwit", "adapter"])
NODE_ADAPTER = Path(__file__).resolve().parents[1] / "adapters" / "node" / "adapter.mjs"
#: A bound on one run: reached only if something hangs.
LIMIT = 300.0
DEEP = os.environ.get("GRITWIT_PROFILE") == "deep"

CODEC_ONLY = """
from gritwit.adapter import ReferenceAdapter, serve


class CodecOnly(ReferenceAdapter):
    profiles = ("codec",)


raise SystemExit(serve(CodecOnly()))
"""


def teleport(tmp: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run ``gritwit teleport ARGS --out tmp/report`` in a child that cannot outlive LIMIT."""
    out = tmp / "report"
    proc = subprocess.Popen(
        [*GRITWIT, "teleport", *args, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=tmp,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"gritwit teleport {args} ran past {LIMIT} s:\n{output[-3000:]}")
    path = out.with_suffix(".json")
    document = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return proc.returncode, document, output


#: The scenarios of the default run: all but the sandboxed actor, whose interpreter each
#: adapter process loads anew (10 s on a loaded machine); the suite's own teleport tests
#: run it in-process, and GRITWIT_PROFILE=deep runs it here too.
CHOSEN = [name for name in SCENARIOS if DEEP or name != "sandbox"]


@pytest.fixture(scope="module")
def reference_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    """Reference to reference, two adapter processes, the chosen scenarios, both ways."""
    chosen = [arg for name in CHOSEN for arg in ("--scenario", name)]
    return teleport(tmp_path_factory.mktemp("pair"), "--a", REFERENCE, "--b", REFERENCE, *chosen)


@pytest.mark.slow
@pytest.mark.req("RUN-009.7", "RUN-009.8", "RUN-009.9", "RUN-009.10", "RUN-009.11", "RUN-009.12")
def test_reference_to_reference_over_two_processes_passes_both_ways(
    reference_pair: tuple[int, dict[str, Any], str],
) -> None:
    status, document, output = reference_pair
    assert status == 0, output[-4000:]
    assert document["format"] == "gritwit-teleport/1"
    impls = document["implementations"]
    for role in ("a", "b"):
        assert impls[role]["name"] == "gritwit-reference" and impls[role]["kind"] == "stdio"
        assert "runtime" in impls[role]["profiles"]
    assert [(d["from"], d["to"]) for d in document["directions"]] == [("a", "b"), ("b", "a")]
    for direction in document["directions"]:
        assert [s["scenario"] for s in direction["scenarios"]] == CHOSEN
        for item in direction["scenarios"]:
            if item["scenario"] == "sandbox" and item["status"] == "not-run":
                assert "interpreter" in item["reason"], item  # the only allowed not-run
                continue
            assert item["status"] == "passed", item
            assert item["compared"] >= 10 and len(item["bundle_bytes"]) >= 2, item
        assert direction["status"] in ("pass", "partial")
    assert "A → B → A: PASS" in output or "A → B → A: PARTIAL" in output


@pytest.mark.req("RUN-009.7")
def test_an_implementation_without_runtime_is_not_run_never_passed(tmp_path: Path) -> None:
    script = tmp_path / "codec_only.py"
    script.write_text(CODEC_ONLY, encoding="utf-8")
    codec_only = shlex.join([sys.executable, str(script)])
    status, document, output = teleport(
        tmp_path, "--a", "reference", "--b", codec_only, "--scenario", "counter"
    )
    assert status == 4, output[-3000:]
    for direction in document["directions"]:
        assert direction["status"] == "not-run"
        (item,) = direction["scenarios"]
        assert (
            item["status"] == "not-run" and "does not claim the profile runtime" in item["reason"]
        )
    assert "PASS" not in output and "NOT RUN" in output


@pytest.mark.req("RUN-009.7")
def test_a_handshake_that_fails_stops_the_run_without_a_report(tmp_path: Path) -> None:
    status, document, output = teleport(
        tmp_path, "--a", "reference", "--b", shlex.join([sys.executable, "-c", "pass"])
    )
    assert status == 3 and document == {}, output[-3000:]
    assert "handshake" in output


@pytest.mark.req("RUN-009.7")
def test_statuses_never_count_a_scenario_that_did_not_run_as_passed() -> None:
    def outcomes(*statuses: str) -> list[Outcome]:
        return [Outcome("x", s) for s in statuses]  # type: ignore[arg-type]

    assert direction_status(outcomes("passed", "passed")) == "pass"
    assert direction_status(outcomes("passed", "not-run")) == "partial"
    assert direction_status(outcomes("not-run", "not-run")) == "not-run"
    assert direction_status(outcomes()) == "not-run"
    assert direction_status(outcomes("passed", "errored")) == "errored"
    assert direction_status(outcomes("errored", "failed", "passed")) == "fail"
    as_json = [{"status": o.status} for o in outcomes("not-run")]
    assert pair_status(as_json) == "not-run" and pair_status([]) == "none"
    assert pair_status([{"status": "passed"}, {"status": "not-run"}]) == "partial"


@pytest.mark.req("RUN-009.7")
def test_the_html_report_shows_a_matrix_of_pairs(tmp_path: Path) -> None:
    status, document, output = teleport(
        tmp_path, "--a", "reference", "--b", "reference", "--scenario", "counter"
    )
    assert status == 0, output[-3000:]
    conform = write(tmp_path, "conform.json", alpha())  # any valid conformance report
    passed = tmp_path / "pair.json"
    passed.write_text(json.dumps(document), encoding="utf-8")
    unclaimed = json.loads(json.dumps(document))
    unclaimed["implementations"]["b"].update(name="codec-only", command="codec-only")
    for direction in unclaimed["directions"]:
        for item in direction["scenarios"]:
            item.update(status="not-run", reason="B does not claim the profile runtime")
    other = tmp_path / "unclaimed.json"
    other.write_text(json.dumps(unclaimed), encoding="utf-8")
    page = render_reports([conform], teleport=[passed, other])
    section = page[page.index('id="teleport-title"') :]
    assert section.count('<th scope="row"') == 2  # the reference, the codec-only one
    assert section.count('class="cell s-pass"') == 1  # reference → reference: the diagonal
    assert section.count('class="cell s-not-claimed"') == 2  # either way with codec-only
    assert section.count('class="cell s-none"') == 1  # codec-only → itself: never run
    assert "does not claim the profile runtime" in section


@pytest.mark.req("RUN-009.7")
def test_a_file_that_is_not_a_teleport_report_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "gritwit-report/2"}), encoding="utf-8")
    with pytest.raises(ReportError, match="gritwit-teleport/1"):
        load_teleport(path)


@pytest.mark.slow
@pytest.mark.req("RUN-009.7")
def test_node_pairs_run_once_node_claims_runtime(tmp_path: Path) -> None:
    """Not run (exit 4) while the Node adapter does not claim ``runtime``; a pass after."""
    node = shutil.which("node")
    if node is None or not (NODE_ADAPTER.parent / "node_modules").is_dir():
        pytest.skip("node or the Node adapter's packages (npm ci) are not installed here")
    command = shlex.join([node, str(NODE_ADAPTER)])
    chosen = [] if DEEP else ["--scenario", "in-flight"]
    status, document, output = teleport(
        tmp_path, "--a", "reference", "--b", command, *chosen, "--timeout", "60"
    )
    claims = document["implementations"]["b"]["profiles"] if document else []
    if "runtime" not in claims:
        assert status == 4, output[-3000:]
        assert {d["status"] for d in document["directions"]} == {"not-run"}
        return
    assert status == 0, f"the Node adapter claims runtime, so its moves must pass:\n{output}"

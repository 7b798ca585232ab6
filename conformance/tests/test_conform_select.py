"""``gritwit conform --rerun / --requirement / --test``: some tests, and the reports say so.

* after a run against a wrong adapter, re-running its failing tests alone, and the tests
  of one requirement (with its sub-clauses) alone, gives those tests the outcomes the
  full run gave them;
* every report form says how many tests of how many ran and what chose them
  (``selected N of M tests``: the summary, the JSON ``selection``, a JUnit property,
  the HTML card; ADP-020);
* a report without failing tests leaves nothing to re-run; a file that is not a report,
  or a requirement that is not an ID, is a usage error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.report import render
from gritwit_conformance.report._load import parse_report
from gritwit_conformance.report._story import selection_line
from gritwit_conformance.runs._select import Selection, cites

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
WRONG = f"{sys.executable} -m gritwit_conformance.wrong.accepts_trailing_bytes"
FAILING = ("failed", "errored", "timed-out", "unexpected-pass")


def conform(where: Path, out: str, *args: str) -> tuple[int, str, dict[str, Any]]:
    done = subprocess.run(
        [*GRITWIT, "conform", "--examples", "25", "--out", out, *args],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=where,
        stdin=subprocess.DEVNULL,
    )
    output = done.stdout + done.stderr
    path = where / f"{out}.json"
    assert path.is_file(), f"no report (exit {done.returncode}):\n{output[-3000:]}"
    return done.returncode, output, json.loads(path.read_text(encoding="utf-8"))


def outcomes(document: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in document["results"]}


def _the_loop(tmp_path: Path, *scope: str) -> None:
    """Full run, its failures re-run, one requirement's tests: the same outcomes."""
    status, output, full = conform(tmp_path, "full", "--impl", WRONG, *scope)
    assert status == 1, output[-3000:]
    whole = outcomes(full)
    failing = {t for t, o in whole.items() if o in FAILING}
    assert failing, "the wrong adapter failed nothing: no loop to check"

    status, output, rerun = conform(tmp_path, "rerun", "--rerun", "full.json")
    assert status == 1, output[-3000:]
    assert outcomes(rerun) == {t: whole[t] for t in failing}, output[-3000:]
    line = f"selected {len(failing)} of {full['collected']} tests: the failing tests of full.json"
    assert line in output, output[-3000:]
    assert rerun["selection"]["selected"] == len(failing)
    assert rerun["selection"]["of"] == full["collected"]
    assert rerun["selection"]["rerun"] == "full.json" and rerun["selection"]["missing"] == []
    junit = ET.parse(tmp_path / "rerun.xml").getroot()
    props = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert props.get("selection", "").startswith(line), props

    # One requirement, named by its parent ID: its sub-clauses' tests come too.
    cited = sorted(
        {rid for r in full["results"] if r["id"] in failing for rid in r["requirements"]}
    )
    clause = next(rid for rid in cited if "." in rid)
    parent = clause.split(".")[0]
    status, output, chosen = conform(
        tmp_path, "req", "--impl", WRONG, *scope, "--requirement", parent
    )
    expected = {
        r["id"] for r in full["results"] if any(cites(parent, rid) for rid in r["requirements"])
    }
    assert set(outcomes(chosen)) == expected, output[-3000:]
    assert outcomes(chosen) == {t: whole[t] for t in expected}, output[-3000:]
    assert f"selected {len(expected)} of {full['collected']} tests: citing {parent}" in output
    print(
        f"full {full['duration']:.1f} s ({full['collected']} tests), rerun "
        f"{rerun['duration']:.1f} s ({len(failing)}), {parent} {chosen['duration']:.1f} s "
        f"({len(expected)})"
    )


@pytest.mark.req("ADP-020", "CONV-005")
@pytest.mark.slow
def test_rerun_and_requirement_give_the_full_runs_outcomes_smoke(tmp_path: Path) -> None:
    """The loop on a smoke run of the codec profile (a quarter of a minute)."""
    _the_loop(tmp_path, "--profile", "codec", "--smoke")


@pytest.mark.req("ADP-020", "CONV-005")
@pytest.mark.heavy
@pytest.mark.skipif(
    os.environ.get("GRITWIT_PROFILE") != "deep",
    reason="GRITWIT_PROFILE=deep runs it (CI runs the smoke case above: the same loop)",
)
def test_rerun_and_requirement_give_the_full_runs_outcomes(tmp_path: Path) -> None:
    """The loop on the whole codec profile: 158 s of CI's heavy step (a local CI run of
    5cab6af, at load), for the loop its smoke case checks in the default run."""
    _the_loop(tmp_path, "--profile", "codec")


# --- selection, pure ----------------------------------------------------------------------


@pytest.mark.req("CONV-005")
def test_a_requirement_selects_its_sub_clauses_not_its_neighbours() -> None:
    assert cites("RUN-021", "RUN-021") and cites("RUN-021", "RUN-021.3")
    assert not cites("RUN-021", "RUN-0210") and not cites("RUN-021.3", "RUN-021")
    assert not cites("RUN-02", "RUN-021")


@pytest.mark.req("ADP-020")
def test_kinds_combine_as_and_values_as_or() -> None:
    chosen = Selection(tests=("a.py::x", "a.py::y"), requirements=("ENC-001", "ID-004"))
    assert chosen.keeps("a.py::x", {"ENC-001.2"})
    assert chosen.keeps("a.py::y", {"ID-004"})
    assert not chosen.keeps("a.py::z", {"ENC-001"}), "not a re-run test"
    assert not chosen.keeps("a.py::x", {"ENC-002"}), "cites neither ID"
    named = Selection(names=("vector", "hex"))
    assert named.keeps("suite/codec/test_vectors.py::test_vector[1]", set())
    assert not named.keeps("suite/codec/test_codec.py::test_x", set())
    assert Selection().keeps("anything", set())


def _document(selection: dict[str, Any] | None) -> dict[str, Any]:
    result = {"id": "suite/codec/t.py::t", "profile": "codec", "requirements": ["ENC-001"],
              "outcome": "failed", "reason": "x", "duration": 0.1}  # fmt: skip
    summary = {"claimed": True, "passed": 0, "failed": 1, "errored": 0, "timedOut": 0,
               "notClaimed": 0, "notApplicable": 0, "expectedFailures": 0,
               "unexpectedPasses": 0, "skipped": 0, "notRun": 0,
               "failedRequirements": ["ENC-001"]}  # fmt: skip
    document: dict[str, Any] = {
        "format": "gritwit-report/3",
        "suite": {"name": "gritwit-conformance", "version": "0.3.0"},
        "specVersion": "0.3.0",
        "claimedSpec": None,
        "appliedSpec": None,
        "protocol": 1,
        "implementation": {"name": "x", "profiles": ["codec"], "command": "x"},
        "started": "2026-01-01T00:00:00+00:00",
        "duration": 1.0,
        "profiles": {"codec": summary},
        "collected": 1,
        "results": [result],
    }
    if selection is not None:
        document["selection"] = selection
    return document


@pytest.mark.req("ADP-020")
def test_every_form_says_what_was_left_out() -> None:
    selection = {"selected": 1, "of": 120, "rerun": "full.json", "requirements": ["ENC-001"],
                 "tests": ["t"], "missing": ["suite/codec/gone.py::g"]}  # fmt: skip
    document = _document(selection)
    line = selection_line(document)
    assert line.startswith("selected 1 of 120 tests: the failing tests of full.json, citing ")
    assert "ENC-001 (or a sub-clause)" in line and "named like 't'" in line
    assert "119 left out" in line and "1 re-run test(s) no longer in the suite" in line
    report = parse_report("r.json", json.dumps(document).encode())  # the schema takes it
    assert report.selection == line
    assert "selected 1 of 120 tests" in render([report])
    from gritwit_conformance.report._junit import junit_xml
    from gritwit_conformance.runs._run_report import render_summary

    assert line in render_summary(document).splitlines()
    assert 'name="selection" value="selected 1 of 120 tests' in junit_xml(document)
    # A whole run says nothing of a selection.
    assert selection_line(_document(None)) == ""
    assert parse_report("w.json", json.dumps(_document(None)).encode()).selection == ""


@pytest.mark.req("ADP-020")
def test_the_schema_refuses_a_selection_without_counts() -> None:
    from gritwit_conformance.report import ReportError

    with pytest.raises(ReportError, match="selected"):
        parse_report("r.json", json.dumps(_document({"of": 3})).encode())


# --- the command line ---------------------------------------------------------------------


def run(where: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run([*GRITWIT, *args], capture_output=True, text=True, timeout=120, cwd=where)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.req("ADP-020")
def test_a_report_without_failures_leaves_nothing_to_rerun(tmp_path: Path) -> None:
    document = _document(None)
    document["results"][0]["outcome"] = "passed"
    codec = document["profiles"]["codec"]
    codec.update(passed=1, failed=0, failedRequirements=[])
    (tmp_path / "ok.json").write_text(json.dumps(document), encoding="utf-8")
    status, output = run(tmp_path, "conform", "--rerun", "ok.json")
    assert status == 0 and "nothing to re-run: ok.json has no failing test" in output, output
    assert not (tmp_path / "ok-rerun.json").exists()


@pytest.mark.req("ADP-020")
def test_a_rerun_of_tests_the_suite_no_longer_has_is_refused(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(json.dumps(_document(None)), encoding="utf-8")
    status, output = run(tmp_path, "conform", "--rerun", "r.json")
    assert status == 2, output
    assert "none of the 1 failing test(s) of r.json is in this suite" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rerun", "nope.json"], "--rerun: nope.json: not a valid gritwit-report/3 report"),
        (["--requirement", "run-21"], "argument --requirement: not a requirement ID: 'run-21'"),
        (["--bogus"], "gritwit conform: error: unrecognized arguments: --bogus"),
    ],
)
def test_bad_selections_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    status, output = run(tmp_path, "conform", *args)
    assert status == 2 and message in output, output


@pytest.mark.req("ADP-020")
def test_a_selection_that_keeps_no_test_is_a_usage_error(tmp_path: Path) -> None:
    status, output = run(tmp_path, "conform", "--profile", "codec", "--test", "no-such-test-zz")
    assert status == 2, output[-3000:]
    assert "NO TEST SELECTED: nothing ran, not a verdict" in output
    assert "selected 0 of " in output and "PASS" not in output
    assert "the selection keeps no test" in output


def test_an_unknown_option_gets_its_commands_usage(tmp_path: Path) -> None:
    """``gritwit conform --bogus``: conform's usage, not the top-level one."""
    status, output = run(tmp_path, "conform", "--bogus")
    assert status == 2
    assert output.startswith("usage: gritwit conform "), output
    assert "COMMAND" not in output, "the top-level usage"


def test_conform_help_gives_every_exit_status(tmp_path: Path) -> None:
    status, output = run(tmp_path, "conform", "--help")
    text = " ".join(output.split())
    assert status == 0
    for code in ("0 all", "1 a test failed", "2 bad arguments", "3 the adapter", "4 the run did"):
        assert f"{code}" in text, code
    assert "130/143 interrupted" in text
    assert "--rerun REPORT.json" in text and "--requirement ID" in text and "--test NAME" in text

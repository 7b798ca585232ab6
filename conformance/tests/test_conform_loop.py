"""The implementer's loop never misleads (ADP-012.5, ADP-020.8).

* ``--rerun X --requirement R`` reports only what it selected: a re-run test the
  requirement left out is *left out*, never "no longer in the suite"; a test the suite
  no longer has still is (both sides);
* a report path that cannot be written, and a well-formed requirement ID the spec does
  not define, are refused before any test runs: one line, exit 2, nothing written, the
  refusal naming the spec version;
* an adapter that times out on 3 tests in a row is declared hung and the rest of the run
  is *not run*, with the reason: a hung adapter's codec run costs three limits, not
  one per test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit
from gritwit_conformance.harness._state import HUNG_AFTER, NOT_RUN, RunState
from gritwit_conformance.runs._precheck import out_problem, unknown_requirements
from gritwit_conformance.runs._select import Selection

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]


def run(where: Path, *args: str, timeout: float = 600) -> tuple[int, str]:
    done = subprocess.run(
        [*GRITWIT, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=where,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode, done.stdout + done.stderr


# --- --rerun with another selector ----------------------------------------------------------

BOUNDARIES = "suite/codec/test_codec_boundaries.py"
#: Three tests of one small suite file: only the last cites OBJ-017.2.
SIXTEEN = f"{BOUNDARIES}::test_an_object_encoding_of_exactly_16_mib_is_encoded"
PLUS_ONE = f"{BOUNDARIES}::test_an_object_encoding_of_16_mib_plus_one_is_too_large"
RULE_FIRST = f"{BOUNDARIES}::test_an_object_rule_is_reported_before_the_size_limit"
GONE = f"{BOUNDARIES}::test_the_suite_no_longer_has"


def _failing_report(ids: list[str]) -> dict[str, Any]:
    results = [
        {"id": test, "profile": "codec", "requirements": ["OBJ-018.4"], "outcome": "failed",
         "reason": "x", "duration": 0.1}
        for test in ids
    ]  # fmt: skip
    summary = {"claimed": True, "passed": 0, "failed": len(ids), "errored": 0, "timedOut": 0,
               "notClaimed": 0, "notApplicable": 0, "expectedFailures": 0,
               "unexpectedPasses": 0, "skipped": 0, "notRun": 0,
               "failedRequirements": ["OBJ-018.4"]}  # fmt: skip
    return {
        "format": "gritwit-report/3",
        "suite": {"name": "gritwit-conformance", "version": gritwit.SPEC_VERSION},
        "specVersion": gritwit.SPEC_VERSION,
        "claimedSpec": None,
        "appliedSpec": None,
        "protocol": 1,
        "implementation": {"name": "x", "profiles": ["codec"], "command": "in-process reference"},
        "started": "2026-01-01T00:00:00+00:00",
        "duration": 1.0,
        "profiles": {"codec": summary},
        "collected": len(ids),
        "results": results,
    }


@pytest.mark.req("ADP-020.8")
@pytest.mark.slow
def test_a_rerun_with_a_requirement_reports_only_what_it_selected(tmp_path: Path) -> None:
    """The tests ``--requirement`` left out were called "no longer in the suite"."""
    report = _failing_report([SIXTEEN, PLUS_ONE, RULE_FIRST, GONE])
    (tmp_path / "full.json").write_text(json.dumps(report), encoding="utf-8")
    status, output = run(tmp_path, "conform", "--rerun", "full.json", "--requirement", "OBJ-017.2")
    assert status == 0, output[-3000:]
    document = json.loads((tmp_path / "full-rerun.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in document["results"]] == [RULE_FIRST]
    chosen = document["selection"]
    assert chosen["selected"] == 1 and chosen["of"] == 4
    # The other side: the one test the suite does not hold is still named, alone.
    assert chosen["missing"] == [GONE], chosen
    assert f"1 re-run test(s) no longer in the suite: {GONE}" in output
    junit = (tmp_path / "full-rerun.xml").read_text(encoding="utf-8")
    assert "1 re-run test(s) no longer in the suite" in junit
    assert SIXTEEN not in output and SIXTEEN not in junit


@pytest.mark.req("ADP-020.8")
def test_a_selection_record_counts_missing_only_what_the_suite_lacks() -> None:
    chosen = Selection(tests=("a::x", "a::y", "a::gone"), rerun="r.json", rerun_of=9)
    record = chosen.record(["a::x"], 2, frozenset({"a::x", "a::y"}))
    assert record["missing"] == ["a::gone"], "a::y is left out by another selector, not gone"
    assert record["selected"] == 1 and record["of"] == 9
    # Without the collected ids (an older caller), every unselected test counts as missing.
    assert chosen.record(["a::x"], 2)["missing"] == ["a::y", "a::gone"]


# --- refused before the run ------------------------------------------------------------------


@pytest.mark.req("ADP-020.8")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--requirement", "ENC-999"], "--requirement: ENC-999: no such requirement in spec"),
        (
            ["--requirement", "ENC-001", "--requirement", "RUN-021.99"],
            "--requirement: RUN-021.99: no such requirement in spec",
        ),
        (["--requirement", "ZZZ-999"], "--requirement: ZZZ-999: no such requirement in spec"),
        (["--out", "no-such-folder/report"], "--out: no-such-folder/report.json: no folder"),
        (["--out", "taken"], "--out: taken.json is a folder, not a file"),
    ],
)
def test_what_cannot_succeed_is_refused_before_any_test(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "taken.json").mkdir()
    status, output = run(tmp_path, "conform", "--profile", "codec", *args, timeout=120)
    assert status == 2, output[-3000:]
    lines = output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], output[-3000:]
    assert "Traceback" not in output and "collected" not in output
    if "--requirement" in args:
        assert f"spec {gritwit.SPEC_VERSION}" in lines[0], "the refusal names the spec version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.json"], "nothing written"


@pytest.mark.req("ADP-020.8")
def test_known_ids_and_their_parents_pass_unknown_ones_do_not() -> None:
    assert unknown_requirements(["ENC-001", "ENC-007.2", "RUN-021", "ADP-012.5"]) == []
    assert unknown_requirements(["ENC-999", "ENC-001.99", "ENC-00", "ENC-001"]) == [
        "ENC-999",
        "ENC-001.99",
        "ENC-00",
    ]


@pytest.mark.req("ADP-020.8")
def test_a_writable_report_path_passes_the_check(tmp_path: Path) -> None:
    assert out_problem([tmp_path / "r.json", tmp_path / "r.xml"]) == ""
    assert list(tmp_path.iterdir()) == [], "the probe leaves nothing behind"
    (tmp_path / "r.json").write_text("old", encoding="utf-8")
    assert out_problem([tmp_path / "r.json"]) == "", "an old report is written over"
    assert "no folder" in out_problem([tmp_path / "sub" / "r.json"])


# --- a hung adapter --------------------------------------------------------------------------


@given(st.lists(st.booleans(), max_size=30))
@pytest.mark.req("ADP-012.5")
def test_hung_exactly_after_three_time_outs_in_a_row(outcomes: list[bool]) -> None:
    state = RunState()
    declared_at = None
    for index, timed_out in enumerate(outcomes):
        state.note_test(timed_out=timed_out)
        if state.hung is not None and declared_at is None:
            declared_at = index
    runs = [0]
    for timed_out in outcomes:
        runs.append(runs[-1] + 1 if timed_out else 0)
    first = next((i for i, n in enumerate(runs[1:]) if n >= HUNG_AFTER), None)
    assert declared_at == first
    if state.hung is not None:
        assert state.hung.startswith(NOT_RUN) and "ADP-012.5" in state.hung


HANGS = textwrap.dedent(
    """
    import sys
    from gritwit.adapter import ReferenceAdapter
    from gritwit_conformance.wrong import run


    class Adapter(ReferenceAdapter):
        # Answers hello and shutdown; every other command waits for input that never comes.
        def handle(self, request):
            if request.get("cmd") not in ("hello", "shutdown"):
                sys.stdin.read()
                raise SystemExit(0)
            return super().handle(request)


    run(Adapter)
    """
)


@pytest.mark.req("ADP-012.5", "ADP-020.2")
@pytest.mark.slow
def test_a_hung_adapters_codec_run_ends_after_three_limits(tmp_path: Path) -> None:
    """A hung adapter cost the full limit on every test, a smoke run took hours."""
    adapter = tmp_path / "hangs.py"
    adapter.write_text(HANGS, encoding="utf-8")
    impl = f"{sys.executable} {adapter}"
    status, output = run(
        tmp_path, "conform", "--profile", "codec", "--impl", impl, "--timeout", "2",
        "--timeout-scale", "1", "--out", "hung",
    )  # fmt: skip
    assert status == 4, output[-3000:]
    document = json.loads((tmp_path / "hung.json").read_text(encoding="utf-8"))
    outcomes = [r["outcome"] for r in document["results"]]
    assert outcomes.count("timed-out") == HUNG_AFTER, output[-3000:]
    assert set(outcomes) == {"timed-out", "not-run"}, set(outcomes)
    reason = f"the adapter was declared hung after {HUNG_AFTER} consecutive tests timed out"
    assert reason in document["incomplete"]
    assert all(reason in r["reason"] for r in document["results"] if r["outcome"] == "not-run")
    assert f"INCOMPLETE ({reason}" in output
    print(f"hung codec run: {document['duration']:.1f} s for {len(outcomes)} tests")


# --- the in-process run's time margins --------------------------------------------------------

#: One quick suite test, enough for a report.
ONE = "test_an_object_rule_is_reported_before_the_size_limit"


@pytest.mark.req("ADP-012.2")
@pytest.mark.parametrize("given", [None, "2.5"], ids=["calibrated", "given"])
def test_the_in_process_run_scales_its_margins_as_stdio_does(
    tmp_path: Path, given: str | None
) -> None:
    """In-process, a 7.5 s margin was 7.5 s at load 25; over stdio it was ×10."""
    scale = ["--timeout-scale", given] if given else []
    status, output = run(
        tmp_path, "conform", "--profile", "codec", "--test", ONE, "--out", "r", *scale
    )
    assert status == 0, output[-3000:]
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert document["implementation"]["command"] == "in-process reference"
    if given:
        assert document["timeoutScale"] == float(given)
    else:
        assert 1.0 <= document["timeoutScale"] <= 10.0, "calibrated, within ADP-012.2's bounds"

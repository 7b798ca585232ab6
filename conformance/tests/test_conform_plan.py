"""A conform run is one frozen plan, and each test ends in one typed verdict (ADP-020.10).

The plan (:mod:`gritwit_conformance.harness._plan`) is made and checked once, before
any test runs, whether ``gritwit conform`` makes it from its arguments or the plugin
from a plain ``pytest`` run's options; the two runs of one selection give the same
verdicts.  A verdict (:mod:`gritwit_conformance.runs._verdict`) is folded from pytest's
phase reports once, by the rules of ADP-020.1.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.harness._plan import (
    ConformPlan,
    PlanError,
    Selection,
    current_plan,
    installed,
)
from gritwit_conformance.harness._state import NOT_APPLICABLE, NOT_CLAIMED, NOT_RUN
from gritwit_conformance.runs._conform import SUITE_DIR, run_conform
from gritwit_conformance.runs._verdict import Outcome, Verdict, fold

# --- the plan -------------------------------------------------------------------------


@pytest.mark.req("ADP-020.10")
def test_a_plan_is_frozen() -> None:
    plan = ConformPlan(impl="reference", selection=Selection(requirements=("ENC-010",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.impl = "node adapter.mjs"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.selection.names = ("x",)  # type: ignore[misc, union-attr]
    hello = {"implementation": {"spec": "0.2.0"}}
    given_hello = plan.with_hello(hello)
    given_hello.hello["implementation"]["spec"] = "9.9.9"  # type: ignore[index]
    assert given_hello.hello == hello, "a reader's copy of hello never changes the plan's"
    assert plan.hello is None, "with_hello makes a new plan"


_paths = st.none() | st.sampled_from([Path("r.json"), Path("a b/ünï.json")])
_texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@st.composite
def _plans(draw: st.DrawFn) -> ConformPlan:
    json_report = draw(_paths)
    selection = draw(
        st.none()
        | st.builds(
            Selection,
            tests=st.none() | st.tuples(_texts, _texts),
            rerun=st.none() | _texts,
            rerun_of=st.integers(0, 10**6),
            requirements=st.lists(st.sampled_from(["ENC-010", "RUN-021.3"])).map(tuple),
            names=st.lists(_texts, max_size=3).map(tuple),
        )
    )
    return ConformPlan(
        impl=draw(st.sampled_from(["reference", "node adapter.mjs", "./a 'b c'"])),
        timeout=draw(st.floats(1e-3, 1e6)),
        timeout_scale=draw(st.none() | st.floats(1e-3, 1e3)),
        scale_note=draw(_texts),
        examples=draw(st.integers(1, 10**4)),
        smoke=draw(st.booleans()),
        spec_version=draw(st.none() | st.sampled_from(["0.2.0", "0.3.0"])),
        vectors=draw(st.none() | st.just(Path("/v"))),
        selection=selection,
        profiles=tuple(draw(st.lists(st.sampled_from(["codec", "store", "wit"]), unique=True))),
        json_report=json_report,
        junit_report=None if json_report is None else draw(_paths),
        progress=draw(st.booleans()),
        hello_json=draw(st.none() | st.just('{"implementation": {"spec": "0.3.0"}}')),
    )


@given(_plans())
@pytest.mark.req("ADP-020.10")
def test_a_plan_crosses_to_an_xdist_worker_whole(plan: ConformPlan) -> None:
    """The worker reads back exactly the controller's plan: every field, equal and typed."""
    back = ConformPlan.from_json(plan.to_json())
    assert back == plan
    assert [type(getattr(back, f.name)) for f in dataclasses.fields(back)] == [
        type(getattr(plan, f.name)) for f in dataclasses.fields(plan)
    ]


#: (field, a value refused, the nearest value accepted, what the refusal names)
_LIMITS: list[tuple[str, Any, Any, str]] = [
    ("timeout", 0.0, 1e-9, "--timeout must be more than 0"),
    ("timeout", math.inf, 1e300, "--timeout must be more than 0"),
    ("timeout", math.nan, 10.0, "--timeout must be more than 0"),
    ("timeout_scale", 0.0, 1e-9, "--timeout-scale must be a finite number more than 0"),
    ("timeout_scale", math.inf, 1e300, "--timeout-scale must be a finite number"),
    ("timeout_scale", -1.0, None, "--timeout-scale must be a finite number"),
    ("examples", 0, 1, "--examples must be at least 1"),
    ("impl", "  ", "x", "--impl: empty command"),
]


@pytest.mark.parametrize(("name", "refused", "accepted", "said"), _LIMITS)
@pytest.mark.req("ADP-020.10", "ADP-012.1", "ADP-012.2")
def test_a_plan_is_checked_on_both_sides_of_each_limit(
    name: str, refused: Any, accepted: Any, said: str
) -> None:
    with pytest.raises(PlanError) as refusal:
        ConformPlan(**{name: refused})
    assert said in str(refusal.value) and "\n" not in str(refusal.value)
    assert getattr(ConformPlan(**{name: accepted}), name) == accepted


@pytest.mark.req("ADP-020.10", "ADP-020.4")
def test_the_junit_report_needs_the_json_report_it_is_written_from() -> None:
    with pytest.raises(PlanError, match="written from the JSON report"):
        ConformPlan(junit_report=Path("r.xml"))
    plan = ConformPlan(junit_report=Path("r.xml"), json_report=Path("r.json"))
    assert plan.junit_report == Path("r.xml")


@pytest.mark.req("ADP-020.10")
def test_current_plan_is_the_installed_one_and_the_outer_again_after() -> None:
    outer, inner = ConformPlan(examples=7), ConformPlan(examples=3)
    before = current_plan()
    with installed(outer):
        assert current_plan() is outer
        with installed(inner):
            assert current_plan() is inner
        assert current_plan() is outer
    assert current_plan() is before


def _write_marker_adapter(tmp_path: Path) -> tuple[str, Path]:
    """An adapter command that leaves a file when it starts (it must never start here)."""
    marker = tmp_path / "started"
    script = tmp_path / "adapter.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    return f"{sys.executable} {script}", marker


@pytest.mark.req("ADP-020.10", "ADP-005.6")
def test_an_unknown_spec_version_is_refused_before_the_adapter_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line, status 2, no adapter started and no report written (ADP-020.10)."""
    command, marker = _write_marker_adapter(tmp_path)
    out = tmp_path / "r"
    status = run_conform(
        impl=command,
        json_path=out.with_suffix(".json"),
        junit_path=out.with_suffix(".xml"),
        spec_version="9.9.9",
    )
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and "9.9.9" in err, err
    assert not marker.exists(), "the adapter was started before the plan was checked"
    assert not out.with_suffix(".json").exists() and not out.with_suffix(".xml").exists()


@pytest.mark.req("ADP-020.10")
def test_an_invalid_plan_is_refused_in_one_line_with_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command, marker = _write_marker_adapter(tmp_path)
    out = tmp_path / "r"
    earlier = out.with_suffix(".json")
    earlier.write_text("{}", encoding="utf-8")  # a refused run removes nothing either
    status = run_conform(
        impl=command,
        json_path=earlier,
        junit_path=out.with_suffix(".xml"),
        timeout_scale=math.nan,
    )
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("gritwit conform: --timeout-scale") and "ADP-012.2" in err, err
    assert not marker.exists() and earlier.read_text(encoding="utf-8") == "{}"


@pytest.mark.req("ADP-020.10")
def test_a_plain_pytest_run_refuses_its_bad_options_before_any_test(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    open('ran', 'w')\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--gritwit-examples", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error
    assert "--gritwit-examples must be at least 1, not 0" in done.stderr
    assert not (tmp_path / "ran").exists()


# --- one verdict per test ---------------------------------------------------------------


def _phase(when: str, outcome: str, longrepr: Any = None, **props: str) -> pytest.TestReport:
    return pytest.TestReport(
        "suite/codec/test_x.py::test_y",
        ("test_x.py", 1, "test_y"),
        {},
        outcome,  # type: ignore[arg-type]
        longrepr,
        when,  # type: ignore[arg-type]
        user_properties=list(props.items()),
    )


def _verdict(*phases: pytest.TestReport) -> Verdict:
    verdict = Verdict(test="suite/codec/test_x.py::test_y")
    for phase in phases:
        verdict = fold(verdict, phase)
    return verdict


_SETUP = _phase("setup", "passed", requirements="ENC-010 ID-003", profile="codec")


@pytest.mark.req("ADP-020.1")
def test_a_verdict_is_passed_only_when_the_call_passed() -> None:
    assert _verdict().outcome == Outcome.NOT_RUN, "no phase reported: not run"
    assert _verdict(_SETUP).outcome == Outcome.NOT_RUN, "set up but never called: not run"
    done = _verdict(_SETUP, _phase("call", "passed"), _phase("teardown", "passed"))
    assert done.outcome == Outcome.PASSED and done.requirements == ("ENC-010", "ID-003")
    assert done.profile == "codec" and done.message == ""


@pytest.mark.req("ADP-020.1")
def test_a_failure_outside_the_call_is_errored_unless_the_test_had_failed() -> None:
    broken_teardown = _phase("teardown", "failed", "E   boom")
    after_pass = _verdict(_SETUP, _phase("call", "passed"), broken_teardown)
    assert after_pass.outcome == Outcome.ERRORED and "boom" in after_pass.message
    after_fail = _verdict(_SETUP, _phase("call", "failed", "E   wrong bytes"), broken_teardown)
    assert after_fail.outcome == Outcome.FAILED and "wrong bytes" in after_fail.message
    setup = _verdict(_phase("setup", "failed", "E   no fixture", requirements="ENC-010"))
    assert setup.outcome == Outcome.ERRORED


@pytest.mark.req("ADP-020.1", "ADP-012.1")
def test_a_time_out_is_its_own_outcome_filed_under_the_broken_rule() -> None:
    call = _phase(
        "call", "failed", "no response to encode within 10 s", broken="1", timedOut="1",
        blame="ADP-012", exchange='{"exchanges": []}',
    )  # fmt: skip
    verdict = _verdict(_SETUP, call, _phase("teardown", "failed", "E   late"))
    assert verdict.outcome == Outcome.TIMED_OUT and verdict.outcome.failing
    assert verdict.requirements == ("ADP-012",) and verdict.blamed
    assert "(while checking ENC-010, ID-003)" in verdict.message
    assert verdict.as_result()["exchange"] == {"exchanges": []}
    broken = _verdict(_SETUP, _phase("call", "failed", "bad line", broken="1", blame="ADP-003"))
    assert broken.outcome == Outcome.ERRORED and broken.requirements == ("ADP-003",)


@pytest.mark.parametrize(
    ("reason", "when", "outcome"),
    [
        (f"{NOT_CLAIMED}: profile store", "setup", Outcome.NOT_CLAIMED),
        (f"{NOT_CLAIMED}: profile store", "call", Outcome.SKIPPED),
        (f"{NOT_APPLICABLE}: newer than 0.2.0", "setup", Outcome.NOT_APPLICABLE),
        (f"{NOT_RUN}: the adapter was declared hung", "setup", Outcome.NOT_RUN),
        ("no sandbox here", "call", Outcome.SKIPPED),
    ],
)
@pytest.mark.req("ADP-020.1", "ADP-006", "ADP-005.6", "ADP-012.5")
def test_a_skip_is_never_passed_and_its_reason_names_its_kind(
    reason: str, when: str, outcome: Outcome
) -> None:
    skipped = _phase(when, "skipped", ("test_x.py", 1, f"Skipped: {reason}"))
    verdict = _verdict(skipped) if when == "setup" else _verdict(_SETUP, skipped)
    assert verdict.outcome == outcome and verdict.message == reason
    assert not verdict.outcome.failing


# --- the same verdicts, however the run starts ---------------------------------------


def _verdicts(report: Path) -> tuple[dict[str, Any], list[tuple[str, str, tuple[str, ...], str]]]:
    document = json.loads(report.read_text(encoding="utf-8"))
    rows = [
        (r["id"], r["outcome"], tuple(r["requirements"]), r["reason"]) for r in document["results"]
    ]
    return document["selection"], rows


@pytest.mark.slow
@pytest.mark.req("ADP-020.10", "ADP-020.8")
def test_a_plugin_run_and_a_conform_run_of_one_selection_give_the_same_verdicts(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "GRITWIT_CONFORMANCE_EXAMPLES": "5"}
    cli = tmp_path / "cli"
    conform = subprocess.run(
        [
            sys.executable, "-m", "gritwit_conformance", "conform", "--profile", "codec",
            "--requirement", "ENC-010", "--examples", "5", "--out", str(cli),
        ],
        capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert conform.returncode == 0, conform.stdout[-3000:] + conform.stderr[-3000:]
    chosen = tmp_path / "selection.json"
    Selection(requirements=("ENC-010",)).write(chosen)
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    plain = tmp_path / "plain.json"
    run = subprocess.run(
        [
            sys.executable, "-m", "pytest", str(SUITE_DIR / "protocol"), str(SUITE_DIR / "codec"),
            "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(SUITE_DIR.parent),
            "-p", "no:cacheprovider", "-q", "-m", "not heavy",
            "--gritwit-only-profiles", "codec", "--gritwit-select", str(chosen),
            "--gritwit-examples", "5", "--gritwit-json", str(plain),
        ],
        capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    cli_selection, cli_rows = _verdicts(cli.with_suffix(".json"))
    plain_selection, plain_rows = _verdicts(plain)
    assert cli_selection["selected"] > 0 and len(cli_rows) == cli_selection["selected"]
    assert all(any(r.startswith("ENC-010") for r in row[2]) for row in cli_rows), cli_rows
    assert plain_selection == cli_selection
    assert plain_rows == cli_rows

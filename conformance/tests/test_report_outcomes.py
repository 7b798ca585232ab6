"""The reports tell the truth: one outcome per test, the same in JSON, JUnit, terminal and HTML.

A small suite of its own (``suite/codec/test_fake.py`` in a temporary directory)
runs under the conformance plugin against a fake adapter that claims only
``codec``.  Its tests pass, skip in their body, need an unclaimed profile, fail
with text no report can carry as it is (lone surrogates, terminal escapes, bytes
that are not UTF-8 on the adapter's stderr), error in setup, send a command of a
profile they do not declare, and are expected failures that fail or pass.  Each
run is checked for:

* exactly one outcome per collected test, the one the test earned: a skip is never
  a pass, a test of an unclaimed profile is *not claimed*;
* the JSON report, the JUnit file, the terminal summary and the HTML matrix agree,
  outcome by outcome (ADP-020): a time-out (*timed-out*) is an ``<error type="timeout">``,
  never a failure; a test left out by ``--spec-version`` (*not-applicable*) is skipped;
  an adapter that broke is an ``<error>`` (pytest's own JUnit wrote it as a failure);
* an implementation claiming an older spec gets the same version note in the
  terminal, JUnit and HTML, and each failure its ``since`` notes in every form;
* the text survives every path (xdist workers included) as visible escapes;
* a run stopped by SIGTERM, or by a worker that died, is *incomplete*: it names the
  tests it never reached, carries the number collected, and is never green.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.report import load_report, render_reports
from gritwit_conformance.report._model import SUMMARY_KEY
from gritwit_conformance.runs._conform import _failures
from gritwit_conformance.runs._run_report import render_summary, run_status

pytestmark = [
    pytest.mark.req("ADP-005.3", "ADP-006", "ADP-012", "ADP-020"),
    pytest.mark.slow,
]

#: A fake adapter: claims codec; ``hash`` answers; ``id`` fails with hostile text.
ADAPTER = r"""
import json, sys, time
sys.stderr.buffer.write(b"adapter log: \xff\xfe not utf-8 \x1b[31m\n")
sys.stderr.flush()
for line in sys.stdin:
    r = json.loads(line)
    if r["cmd"] == "hello":
        out = {"seq": r["seq"], "ok": True, "protocol": 1, "profiles": ["codec"],
               "implementation": {"name": "fake", "version": "1", "language": "python",
                                  "homepage": "", "spec": "0.1.0"}}
    elif r["cmd"] == "decode":  # hangs: the harness's time limit ends it
        time.sleep(30)
        sys.exit(0)
    elif r["cmd"] == "hash":
        out = {"seq": r["seq"], "ok": True, "digest": "00" * 32}
    elif r["cmd"] == "shutdown":
        out = {"seq": r["seq"], "ok": True}
    else:
        out = {"seq": r["seq"], "ok": False,
               "error": {"class": "invalid-object", "message": "bad \ud800 \x1b]0;t\x07 end"}}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    if r["cmd"] == "shutdown":
        break
"""

#: The fake suite: every way a test can end.  ``STOP`` in the environment makes
#: ``test_m_stops`` stop the run (``sigterm``: the controller gets SIGTERM; ``exit``:
#: the worker process dies).
SUITE = r"""
import os, signal
import pytest

# Requirement IDs of the fake suite, made at run time: it cites no spec clause.
FAKE = {i: f"FAKE-{i:03d}" for i in range(1, 20)}

pytestmark = pytest.mark.profile("codec")


@pytest.fixture
def broken_fixture():
    raise RuntimeError("the harness could not set this test up")


@pytest.mark.req(FAKE[1])
def test_a_passes(impl):
    assert impl.call("hash", bytes="00").ok


@pytest.mark.req(FAKE[2])
def test_b_skips_in_its_body(impl):
    pytest.skip("cannot kill an in-process adapter")


@pytest.mark.req(FAKE[3])
@pytest.mark.profile("store")
def test_c_needs_an_unclaimed_profile(impl):
    impl.call("store-open", kind="memory")


@pytest.mark.req(FAKE[4])
@pytest.mark.profile("codec", "wasm")
def test_d_needs_two_profiles(impl):
    impl.call("wasm-load", module="00")


@pytest.mark.req(FAKE[5])
def test_e_fails_with_hostile_text(impl):
    answer = impl.call("id", bytes="00")
    assert answer.ok, answer.error["message"]


@pytest.mark.req(FAKE[6])
@pytest.mark.parametrize("text", ["\ud800", "\udcff\x1b[2K"])
def test_f_id_with_surrogate(impl, text):
    assert text == "", f"got {text}"


@pytest.mark.req(FAKE[7])
def test_g_errors_in_setup(impl, broken_fixture):
    pass


@pytest.mark.req(FAKE[8])
def test_h_sends_an_undeclared_command(impl):
    impl.call("store-open", kind="memory")


@pytest.mark.req(FAKE[9])
@pytest.mark.xfail(reason="known", strict=True)
def test_i_expected_failure(impl):
    assert False


@pytest.mark.req(FAKE[10])
@pytest.mark.xfail(reason="known", strict=True)
def test_j_unexpected_pass(impl):
    pass


@pytest.mark.req(FAKE[11])
def test_k_skips_in_setup_for_a_reason(impl):
    pytest.skip("no interpreter to compare with")


@pytest.mark.req(FAKE[12])
def test_m_stops(impl):
    how = os.environ.get("STOP", "")
    if how == "sigterm":
        os.kill(os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid(),
                signal.SIGTERM)
        import time
        time.sleep(30)
    elif how == "exit":
        os._exit(3)
    elif how == "foreign":  # SIGINT while "wasmtime" runs this process's test
        import importlib.util
        spec = importlib.util.spec_from_file_location("fake_call", os.environ["FOREIGN"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.call()


@pytest.mark.req(FAKE[13])
def test_n_after(impl):
    assert impl.call("hash", bytes="00").ok


@pytest.mark.req(FAKE[14])
def test_o_after(impl):
    assert impl.call("hash", bytes="00").ok


@pytest.mark.req(FAKE[15])
def test_p_gets_no_answer(impl):
    impl.call("decode", bytes="00")


@pytest.mark.req(FAKE[16])
def test_q_left_out_by_version(impl):
    pytest.skip("not applicable: every clause it cites is newer than 0.1.0 (FAKE-016)")
"""

#: Stands in for the version helper's plugin: ``--spec-version 0.1.0`` applied, and
#: ``since`` notes on the failures of a test citing FAKE-005 (what the harness attaches
#: to a failing test of a clause changed since the claimed version).
VERSIONS = r"""
import dataclasses

import pytest
from gritwit_conformance.harness._plan import PLAN_KEY
from gritwit_conformance.runs._options import plan_from_options


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # Hands the gritwit plugin its plan, as gritwit conform does (harness._plan.PlanPlugin).
    plan = plan_from_options(config)
    config.stash[PLAN_KEY] = dataclasses.replace(plan, spec_version="0.1.0")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    cites = [rid for m in item.iter_markers("req") for rid in m.args]
    if report.failed and "FAKE-005" in cites:
        report.user_properties.append(
            ("since", "changed in 0.2.0: FAKE-005 added\nchanged in 0.2.0: FAKE-005 wording")
        )
    return report
"""

#: What each test must end as in a complete run.
EXPECTED = {
    "test_a_passes": "passed",
    "test_b_skips_in_its_body": "skipped",
    "test_c_needs_an_unclaimed_profile": "not-claimed",
    "test_d_needs_two_profiles": "not-claimed",
    "test_e_fails_with_hostile_text": "failed",
    "test_f_id_with_surrogate[\\ud800]": "failed",
    "test_f_id_with_surrogate[\\udcff\\x1b[2K]": "failed",
    "test_g_errors_in_setup": "errored",
    "test_h_sends_an_undeclared_command": "errored",
    "test_i_expected_failure": "expected-failure",
    "test_j_unexpected_pass": "unexpected-pass",
    "test_k_skips_in_setup_for_a_reason": "skipped",
    "test_m_stops": "passed",
    "test_n_after": "passed",
    "test_o_after": "passed",
    "test_p_gets_no_answer": "timed-out",
    "test_q_left_out_by_version": "not-applicable",
}
#: JSON outcome -> the JUnit element a test case holds and its type (None: none, it passed).
#: Written out here, not imported: the harness's table is what is checked.
JUNIT: dict[str, tuple[str, str] | None] = {
    "passed": None,
    "failed": ("failure", "failed"),
    "unexpected-pass": ("failure", "unexpected-pass"),
    "errored": ("error", "errored"),
    "timed-out": ("error", "timeout"),
    "skipped": ("skipped", "skipped"),
    "not-claimed": ("skipped", "not-claimed"),
    "not-applicable": ("skipped", "not-applicable"),
    "expected-failure": ("skipped", "expected-failure"),
    "not-run": ("skipped", "not-run"),
}
#: The outcomes that fail a run (ADP-020.2).
JUNIT_FAILING = ("failed", "errored", "timed-out", "unexpected-pass")
#: JUnit's totals: the JSON outcomes each one counts.
JUNIT_TOTALS = {
    "failures": ("failed", "unexpected-pass"),
    "errors": ("errored", "timed-out"),
    "skipped": ("skipped", "not-claimed", "not-applicable", "expected-failure", "not-run"),
}


#: Stands in for wasmtime's ``Func.__call__``: a SIGINT arrives during a call into native
#: code that takes a while and then returns (a host callback must not raise through it).
FOREIGN_CALL = r"""
import os, signal, time

def call():
    os.kill(os.getpid(), signal.SIGINT)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        time.sleep(0.05)
"""

#: A test file that cannot be collected (as when the vectors a module loads are missing).
UNCOLLECTABLE = r"""
raise RuntimeError("no golden vectors found: run from a gritwit checkout")
"""


def run_fake(
    tmp_path: Path, *args: str, stop: str = "", broken_file: bool = False
) -> tuple[int, str, dict[str, Any], Path]:
    adapter = tmp_path / "adapter.py"
    adapter.write_text(ADAPTER, encoding="utf-8")
    suite = tmp_path / "suite" / "codec"
    suite.mkdir(parents=True, exist_ok=True)
    (suite / "test_fake.py").write_text(textwrap.dedent(SUITE), encoding="utf-8")
    if broken_file:
        (suite / "test_broken.py").write_text(UNCOLLECTABLE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "fake_versions.py").write_text(VERSIONS, encoding="utf-8")
    json_path, junit = tmp_path / "report.json", tmp_path / "report.xml"
    foreign = tmp_path / "wasmtime" / "_func.py"
    foreign.parent.mkdir(exist_ok=True)
    foreign.write_text(FOREIGN_CALL, encoding="utf-8")
    env = {**os.environ, "STOP": stop, "FOREIGN": str(foreign)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [
            sys.executable, "-m", "pytest", str(suite), "-c", str(tmp_path / "pytest.ini"),
            "--rootdir", str(tmp_path), "-p", "no:cacheprovider", "-q",
            "--impl", f"{sys.executable} {adapter}", "--gritwit-json", str(json_path),
            "--gritwit-junit", str(junit), "--gritwit-progress", "-p", "fake_versions",
            "--gritwit-timeout", "2", *args,
        ],
        capture_output=True, text=True, errors="backslashreplace", timeout=240, cwd=tmp_path,
        env=env,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert json_path.is_file(), f"no JSON report (exit {done.returncode}):\n{output[-4000:]}"
    document = json.loads(json_path.read_text(encoding="utf-8"))
    return done.returncode, output, document, junit


def outcomes(document: dict[str, Any]) -> dict[str, str]:
    return {r["id"].partition("::")[2]: r["outcome"] for r in document["results"]}


def junit_elements(path: Path) -> dict[str, tuple[str, str] | None]:
    """Test name -> the one (element, type) its case holds, None when it holds none."""
    found: dict[str, tuple[str, str] | None] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        tags = [
            (c.tag, c.get("type", "")) for c in case if c.tag in ("failure", "error", "skipped")
        ]
        assert len(tags) <= 1, (case.get("name"), tags)
        found[case.get("name", "")] = tags[0] if tags else None
    return found


def junit_properties(element: ET.Element) -> list[tuple[str, str]]:
    return [(p.get("name", ""), p.get("value", "")) for p in element.iter("property")]


def check_agreement(tmp_path: Path, document: dict[str, Any], junit: Path) -> str:
    """JSON, JUnit, terminal summary and HTML say the same; returns the HTML page."""
    path = tmp_path / "report.json"
    report = load_report(path)  # schema and internal consistency, collected included
    assert report.collected == document["collected"] == len(document["results"])
    by_name = junit_elements(junit)
    assert set(by_name) == set(outcomes(document)), "one JUnit test case per JSON result"
    for name, outcome in outcomes(document).items():
        assert by_name[name] == JUNIT[outcome], (name, outcome, by_name[name])
    # The totals every form states: JSON summary, JUnit attributes, terminal row, HTML card.
    entry = document["profiles"]["codec"]
    root = ET.parse(junit).getroot()
    (suite,) = root.iter("testsuite")
    for attribute, counted in JUNIT_TOTALS.items():
        expected = sum(e[SUMMARY_KEY[o]] for e in document["profiles"].values() for o in counted)
        assert int(suite.get(attribute, "-1")) == int(root.get(attribute, "-1")) == expected
    assert int(suite.get("tests", "-1")) == document["collected"]
    summary = render_summary(document)
    row = next(line for line in summary.splitlines() if line.startswith("codec "))
    keys = ("passed", "failed", "errored", "timedOut", "skipped", "notRun", "notClaimed")
    keys += ("notApplicable", "expectedFailures", "unexpectedPasses")
    assert row.split()[1:] == [str(entry[k]) for k in keys], (row, entry)
    header = next(line for line in summary.splitlines() if line.startswith("profile "))
    for head in ("timed out", "n/a", "not claimed", "not run"):
        assert f" {head} " in f"{header} ", header
    props = dict(junit_properties(next(suite.iter("properties"))))
    for key in keys:
        assert props[key] == str(sum(e[key] for e in document["profiles"].values())), key
    assert props["status"] == run_status(document)
    page = render_reports([path])
    words = {"skipped": "skipped", "failed": "failed", "timedOut": "timed out"}
    words |= {"notApplicable": "not applicable", "errored": "errored"}
    for key, word in words.items():
        if entry[key]:
            assert f"{entry[key]} {word}" in page, word
    return page


def check_versions(tmp_path: Path, document: dict[str, Any], junit: Path, page: str) -> None:
    """The claimed and applied versions, the note and the ``since`` marks, in every form."""
    import gritwit

    assert document["claimedSpec"] == "0.1.0" and document["appliedSpec"] == "0.1.0"
    failing = [r for r in document["results"] if r["outcome"] in JUNIT_FAILING]
    marked = [r for r in failing if r.get("since")]
    assert [r["id"].partition("::")[2] for r in marked] == ["test_e_fails_with_hostile_text"]
    notes = ["changed in 0.2.0: FAKE-005 added", "changed in 0.2.0: FAKE-005 wording"]
    assert marked[0]["since"] == notes
    assert not any("since" in r for r in document["results"] if r not in marked)
    note = [
        f"implementation claims spec 0.1.0; this suite is {gritwit.SPEC_VERSION}: 1 of the "
        f"{len(failing)} failing test(s) concern clauses added or changed since 0.1.0 "
        "(marked 'since')",
        "--spec-version 0.1.0 applied: 1 test(s) of clauses added since 0.1.0 left out as "
        "not applicable",
    ]
    summary = render_summary(document).splitlines()
    assert summary[2:4] == note, summary
    root = ET.parse(junit).getroot()
    (suite,) = root.iter("testsuite")
    props = junit_properties(next(suite.iter("properties")))
    assert [value for name, value in props if name == "versionNote"] == note
    case = next(
        c for c in root.iter("testcase") if c.get("name") == "test_e_fails_with_hostile_text"
    )
    assert [v for n, v in junit_properties(case) if n == "since"] == notes
    (failure,) = case.iter("failure")
    assert notes[0] in failure.get("message", "") and notes[1] in (failure.text or "")
    listed = "\n".join(_failures(document, 20))
    assert f"since: {notes[0]}" in listed and f"since: {notes[1]}" in listed
    assert html.escape(note[0]) in page and f"since: {notes[1]}" in page


@pytest.mark.req("ADP-020.1", "ADP-020.2", "ADP-020.3", "ADP-020.4")
@pytest.mark.parametrize("workers", ["0", "2"])
def test_every_test_gets_the_outcome_it_earned(tmp_path: Path, workers: str) -> None:
    status, output, document, junit = run_fake(tmp_path, "-n", workers)
    assert status == pytest.ExitCode.TESTS_FAILED, output[-3000:]
    assert outcomes(document) == EXPECTED, output[-3000:]
    assert document["collected"] == len(EXPECTED)
    assert "incomplete" not in document and run_status(document) == "fail"
    page = check_agreement(tmp_path, document, junit)
    # Hostile text survives as visible escapes everywhere; nothing raw reaches a report.
    reasons = {r["id"].partition("::")[2]: r["reason"] for r in document["results"]}
    assert "bad \\ud800 \\x1b]0;t\\x07 end" in reasons["test_e_fails_with_hostile_text"]
    assert "suite bug" in reasons["test_h_sends_an_undeclared_command"]
    assert reasons["test_b_skips_in_its_body"] == "cannot kill an in-process adapter"
    raw = (tmp_path / "report.json").read_text(encoding="utf-8") + junit.read_text("utf-8")
    assert "\x1b" not in raw and "\\ud800" in raw
    assert "\x1b" not in page and "\ud800" not in page
    assert "PytestUnknownMarkWarning" not in output
    # A time-out is told apart, with the transport's words, and blamed on ADP-012.
    timed_out = next(r for r in document["results"] if r["outcome"] == "timed-out")
    assert timed_out["reason"].startswith("no response to decode within"), timed_out
    assert "ADP-012" in timed_out["requirements"]
    assert reasons["test_q_left_out_by_version"].startswith("not applicable:")
    check_versions(tmp_path, document, junit, page)
    # The progress lines say what they count; the final line of each is the folder's.
    assert re.search(rf"suite/codec/ +{len(EXPECTED)}/{len(EXPECTED)} +tests ended", output)


@pytest.mark.req("ADP-020.2", "ADP-020.5")
def test_a_sigterm_makes_the_run_incomplete_and_names_what_never_ran(tmp_path: Path) -> None:
    status, output, document, _ = run_fake(tmp_path, "-n", "0", stop="sigterm")
    assert status != 0 and document["interrupted"] == "SIGTERM", output[-2000:]
    assert document["incomplete"] == "interrupted by SIGTERM"
    assert run_status(document) == "incomplete"
    ended = outcomes(document)
    assert ended["test_n_after"] == ended["test_o_after"] == "not-run", ended
    assert ended["test_a_passes"] == "passed"
    assert document["collected"] == len(EXPECTED) == len(document["results"])
    assert document["profiles"]["codec"]["notRun"] >= 2
    report = load_report(tmp_path / "report.json")
    assert not report.complete and report.not_run_profiles == ("codec",)
    page = render_reports([tmp_path / "report.json"])
    assert "INCOMPLETE run (interrupted by SIGTERM)" in page
    assert 'class="overall s-pass"' not in page
    assert "KeyboardInterrupt" not in output and "--full-trace" not in output, output[-2000:]
    assert "gritwit conform: interrupted by SIGTERM" in output


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_stopped_run_of_passing_tests_is_never_green(tmp_path: Path, workers: str) -> None:
    only = "test_a_passes or test_m_stops or test_n_after or test_o_after"
    status, output, document, _ = run_fake(tmp_path, "-n", workers, "-k", only, stop="sigterm")
    assert status != 0 and run_status(document) == "incomplete", output[-2000:]
    assert document["collected"] == 4 and document["incomplete"] == "interrupted by SIGTERM"
    assert not any(r["outcome"] in ("failed", "errored") for r in document["results"])
    page = render_reports([tmp_path / "report.json"])
    assert 'class="overall s-incomplete"' in page and 'class="overall s-pass"' not in page
    summary = render_summary(document)
    assert summary.splitlines()[1].startswith("INCOMPLETE (interrupted by SIGTERM)"), summary


def test_a_worker_that_dies_makes_the_run_incomplete(tmp_path: Path) -> None:
    status, output, document, junit = run_fake(
        tmp_path, "-n", "1", "--max-worker-restart", "0", stop="exit"
    )
    assert status != 0, output[-2000:]
    ended = outcomes(document)
    assert ended["test_m_stops"] == "errored", ended
    assert "not-run" in ended.values(), ended
    assert "never ran" in document["incomplete"]
    assert run_status(document) == "incomplete"
    assert document["collected"] == len(EXPECTED)
    check_agreement(tmp_path, document, junit)


@pytest.mark.req("ADP-020.2")
@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_collection_failure_is_named_not_taken_for_a_signal(tmp_path: Path, workers: str) -> None:
    """The words "INCOMPLETE (interrupted by SIGINT): 0 of 4,385 collected test(s) ran" were
    printed though nobody interrupted anything: pytest ends a session whose collection
    failed as INTERRUPTED, like a Ctrl-C. The report names the real cause."""
    status, output, document, junit = run_fake(tmp_path, "-n", workers, broken_file=True)
    # Without xdist pytest stops at once; with it, the files that were collected run.
    # Either way a file's tests are missing: the run is incomplete, never a verdict.
    assert status != 0, output[-3000:]
    assert "interrupted" not in document, document.get("interrupted")
    cause = document["incomplete"]
    assert cause == (
        "collection failed: suite/codec/test_broken.py: RuntimeError: no golden vectors "
        "found: run from a gritwit checkout"
    ), cause
    assert run_status(document) == "incomplete"
    summary = render_summary(document)
    assert summary.splitlines()[1].startswith(f"INCOMPLETE ({cause}): not a verdict"), summary
    assert "SIGINT" not in summary and "gritwit conform: interrupted" not in output
    assert f"INCOMPLETE run ({cause})" in render_reports([tmp_path / "report.json"])
    (suite,) = ET.parse(junit).getroot().iter("testsuite")
    props = dict(junit_properties(suite))
    assert props["status"] == "incomplete" and props["incomplete"] == cause


@pytest.mark.req("ADP-020.5")
def test_a_signal_inside_native_code_stops_the_run_after_that_test(tmp_path: Path) -> None:
    """A SIGINT while the in-process reference runs inside wasmtime aborted the process
    ("Fatal Python error: Aborted", no report): the handler now lets that test end and
    stops the run then (ADP-020.5)."""
    status, output, document, _ = run_fake(tmp_path, "-n", "0", stop="foreign")
    assert status == pytest.ExitCode.INTERRUPTED, output[-3000:]
    assert document["interrupted"] == "SIGINT" and run_status(document) == "incomplete"
    ended = outcomes(document)
    assert ended["test_m_stops"] == "passed", output[-3000:]  # no KeyboardInterrupt inside it
    assert ended["test_n_after"] == ended["test_o_after"] == "not-run", ended
    assert "gritwit conform: interrupted by SIGINT" in output
    assert "KeyboardInterrupt" not in output and "Fatal Python error" not in output

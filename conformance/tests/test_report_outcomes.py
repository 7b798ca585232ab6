"""The reports tell the truth: one outcome per test, the same in JSON, JUnit, terminal and HTML.

A small suite of its own (``suite/codec/test_fake.py`` in a temporary directory)
runs under the conformance plugin against a fake adapter that claims only
``codec``.  Its tests pass, skip in their body, need an unclaimed profile, fail
with text no report can carry as it is (lone surrogates, terminal escapes, bytes
that are not UTF-8 on the adapter's stderr), error in setup, send a command of a
profile they do not declare, and are expected failures that fail or pass.  Each
run is checked for:

* exactly one outcome per collected test, the one the test earned: a skip is never
  a pass (issue 24), a test of an unclaimed profile is *not claimed*;
* the JSON report, the JUnit file, the terminal summary and the HTML matrix agree;
* the text survives every path (xdist workers included) as visible escapes;
* a run stopped by SIGTERM, or by a worker that died, is *incomplete*: it names the
  tests it never reached, carries the number collected, and is never green.
"""

from __future__ import annotations

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

from gritwit_conformance._report import render_summary, run_status
from gritwit_conformance.report import load_report, render_reports

pytestmark = [pytest.mark.req("ADP-005.3", "ADP-006", "ADP-012"), pytest.mark.slow]

#: A fake adapter: claims codec; ``hash`` answers; ``id`` fails with hostile text.
ADAPTER = r"""
import json, sys
sys.stderr.buffer.write(b"adapter log: \xff\xfe not utf-8 \x1b[31m\n")
sys.stderr.flush()
for line in sys.stdin:
    r = json.loads(line)
    if r["cmd"] == "hello":
        out = {"seq": r["seq"], "ok": True, "protocol": 1, "profiles": ["codec"],
               "implementation": {"name": "fake", "version": "1", "language": "python",
                                  "homepage": "", "spec": "0.2.0"}}
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


@pytest.mark.req(FAKE[13])
def test_n_after(impl):
    assert impl.call("hash", bytes="00").ok


@pytest.mark.req(FAKE[14])
def test_o_after(impl):
    assert impl.call("hash", bytes="00").ok
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
}
#: JSON outcome -> the JUnit element a test case holds (None: none, it passed).
JUNIT = {
    "passed": {None},
    "failed": {"failure"},
    "errored": {"error", "failure"},
    "skipped": {"skipped"},
    "not-claimed": {"skipped"},
    "expected-failure": {"skipped"},
    "unexpected-pass": {"failure"},
}


def run_fake(
    tmp_path: Path, *args: str, stop: str = "", signal_on_run: bool = False
) -> tuple[int, str, dict[str, Any], Path]:
    adapter = tmp_path / "adapter.py"
    adapter.write_text(ADAPTER, encoding="utf-8")
    suite = tmp_path / "suite" / "codec"
    suite.mkdir(parents=True, exist_ok=True)
    (suite / "test_fake.py").write_text(textwrap.dedent(SUITE), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    json_path, junit = tmp_path / "report.json", tmp_path / "report.xml"
    env = {**os.environ, "STOP": stop}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [
            sys.executable, "-m", "pytest", str(suite), "-c", str(tmp_path / "pytest.ini"),
            "--rootdir", str(tmp_path), "-p", "no:cacheprovider", "-q",
            "--impl", f"{sys.executable} {adapter}", "--gritwit-json", str(json_path),
            "--junitxml", str(junit), "--gritwit-progress", *args,
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


def junit_elements(path: Path) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        tags = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
        found[case.get("name", "")] = tags[0] if tags else None
    return found


def check_agreement(tmp_path: Path, document: dict[str, Any], junit: Path) -> str:
    """JSON, JUnit, terminal summary and HTML say the same; returns the HTML page."""
    path = tmp_path / "report.json"
    report = load_report(path)  # schema and internal consistency, collected included
    assert report.collected == document["collected"] == len(document["results"])
    by_name = junit_elements(junit)
    for name, outcome in outcomes(document).items():
        if outcome == "not-run":
            continue
        assert by_name.get(name, "absent") in JUNIT[outcome], (name, outcome, by_name.get(name))
    summary = render_summary(document)
    row = next(line for line in summary.splitlines() if line.startswith("codec "))
    entry = document["profiles"]["codec"]
    keys = ("passed", "failed", "errored", "skipped", "notRun", "notClaimed")
    keys += ("expectedFailures", "unexpectedPasses")
    assert row.split()[1:] == [str(entry[k]) for k in keys], (row, entry)
    page = render_reports([path])
    for outcome, key in (("skipped", "skipped"), ("failed", "failed")):
        if entry[key]:
            assert f"{entry[key]} {outcome}" in page, outcome
    return page


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
    # The progress lines say what they count; the final line of each is the folder's.
    assert re.search(rf"suite/codec/ +{len(EXPECTED)}/{len(EXPECTED)} +tests ended", output)


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

"""A wrong step id is explained in every output of ``gritwit conform`` (ADP-017.2).

``wit_counter_adds_two`` counts each ``inc`` twice, so only the core entry
``count`` of a counter's steps is wrong.  The terminal summary, the JUnit XML
and the HTML matrix rendered from the JSON report must all show that entry
with the reference's value and the implementation's, decoded — not only that
two hashes differ.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # one `gritwit conform` run of half a minute

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
WRONG = f"{sys.executable} -m gritwit_conformance.wrong.wit_counter_adds_two"
#: The divergence of a counter step: path to the entry, then expected and got, decoded.
DIVERGENCE = re.compile(
    r"first divergence \(WIT-020[^)]*\): step #\d+ of the run \(actor [0-9a-f]{12}…\) → core"
    r" → entry `count` → data\s+expected \"(\d+)\"\s+got\s+\"(\d+)\""
)


def _pairs(text: str) -> set[tuple[int, int]]:
    return {(int(want), int(got)) for want, got in DIVERGENCE.findall(text)}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    where = tmp_path_factory.mktemp("diff-reports")
    args = [*GRITWIT, "conform", "--impl", WRONG, "--profile", "wit", "--smoke", "-n", "1"]
    args += ["--out", str(where / "report")]
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, f"the wrong counter must fail the run:\n{proc.stdout[-3000:]}"
    return proc.stdout, where


def _check(text: str, where: str) -> None:
    pairs = _pairs(text)
    assert pairs, f"{where} does not show the entry count with expected and got:\n{text[-3000:]}"
    for want, got in pairs:  # every inc counted twice: the got count is further from 0
        assert got > want, f"{where}: expected {want}, got {got}: not what the bug gives"
    assert not re.search(r"\bdiffers?\b", text), f"{where} has a bare 'differs'"


@pytest.mark.req("ADP-017.2", "WIT-020")
def test_terminal_shows_the_count_entry(run: tuple[str, Path]) -> None:
    _check(run[0], "the terminal summary")


@pytest.mark.req("ADP-017.2", "WIT-020")
def test_junit_shows_the_count_entry(run: tuple[str, Path]) -> None:
    root = ET.parse(run[1] / "report.xml").getroot()
    texts = [
        f"{element.get('message', '')}\n{element.text or ''}"
        for element in root.iter()
        if element.tag in ("failure", "error")
    ]
    assert texts, "the JUnit report has no failure"
    _check("\n".join(texts), "the JUnit report")


@pytest.mark.req("ADP-017.2", "WIT-020")
def test_json_and_html_show_the_count_entry(run: tuple[str, Path]) -> None:
    report = json.loads((run[1] / "report.json").read_text("utf-8"))
    reasons = [r["reason"] for r in report["results"] if r["outcome"] == "failed"]
    _check("\n".join(reasons), "the JSON report")
    page = run[1] / "matrix.html"
    subprocess.run(
        [*GRITWIT, "report", str(run[1] / "report.json"), "-o", str(page)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    _check(html.unescape(page.read_text("utf-8")), "the HTML report")

"""A failing test's exchange in the report, and ``gritwit replay`` of it (ADP-020.7).

A run against a wrong adapter (``cas_ignores_expected``: ``ref-cas`` never compares
the expected id) keeps, for each failing test, the requests sent and the answers got,
in order; the report stays valid against its schema; ``gritwit replay`` sends the
same requests to the adapter and to the reference outside the suite and points at
the first answer that differs, and finds none when the reference replays itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._exchange import BUDGET, KEPT, ExchangeLog
from gritwit_conformance.report import load_report
from gritwit_conformance.runs._replay import first_difference
from gritwit_conformance.wrong import command

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
TEST = "test_cas_reports_the_first_failing_check[durable]"


def gritwit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GRITWIT, *args], capture_output=True, text=True, cwd=tmp_path, timeout=600
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("replay")
    out = tmp / "run"
    gritwit(
        tmp, "conform", "--impl", command("cas_ignores_expected"), "--profile", "store",
        "--test", "test_cas_reports_the_first_failing_check", "--out", str(out),
    )  # fmt: skip
    return out.with_suffix(".json")


def result(report: Path, name: str) -> dict[str, Any]:
    document = json.loads(report.read_text(encoding="utf-8"))
    (found,) = [r for r in document["results"] if r["id"].endswith(name)]
    return dict(found)


@pytest.mark.req("ADP-020.7", "ADP-020")
def test_a_failing_tests_exchange_is_in_the_report(report: Path) -> None:
    load_report(report)  # valid against report.schema.json
    failed = result(report, TEST)
    assert failed["outcome"] == "failed", failed
    log = failed["exchange"]
    assert log["dropped"] == 0
    commands = [e["request"]["cmd"] for e in log["exchanges"]]
    assert commands[0] == "store-open" and commands[-1] == "ref-cas", commands
    seqs = [e["request"]["seq"] for e in log["exchanges"]]
    assert seqs == sorted(seqs) and all(
        e["answer"]["seq"] == e["request"]["seq"] for e in log["exchanges"]
    )
    assert log["exchanges"][-1]["answer"] == {"seq": seqs[-1], "ok": True}
    document = json.loads(report.read_text(encoding="utf-8"))
    assert not [r for r in document["results"] if r["outcome"] == "passed" and "exchange" in r]


@pytest.mark.req("ADP-020.7")
def test_replay_points_at_the_first_differing_answer(report: Path, tmp_path: Path) -> None:
    done = gritwit(tmp_path, "replay", str(report), TEST)
    total = len(result(report, TEST)["exchange"]["exchanges"])
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"first difference at exchange {total} of {total}: ref-cas" in done.stdout, done.stdout
    assert "at $.ok: adapter true, reference false" in done.stdout, done.stdout
    assert "ref-conflict" in done.stdout, done.stdout
    assert done.stdout.count(": alike") == total - 1, done.stdout


@pytest.mark.req("ADP-020.7")
def test_the_reference_replays_alike_and_a_passing_test_has_nothing(
    report: Path, tmp_path: Path
) -> None:
    done = gritwit(tmp_path, "replay", str(report), TEST, "--impl", "reference")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no difference" in done.stdout
    missing = gritwit(tmp_path, "replay", str(report), "no-such-test")
    assert missing.returncode == 2 and "no test whose id contains" in missing.stdout


@pytest.mark.req("ADP-020.7")
def test_the_log_keeps_the_most_recent_exchanges_within_its_bounds() -> None:
    log = ExchangeLog()
    for seq in range(KEPT + 5):
        log.add({"seq": seq, "cmd": "hash", "bytes": ""}, b'{"seq": %d, "ok": true}\n' % seq)
    record = log.record()
    assert record is not None and record["dropped"] == 5
    assert [e["request"]["seq"] for e in record["exchanges"]] == list(range(5, KEPT + 5))
    log.clear()
    log.add({"seq": 1, "cmd": "put", "bytes": "00" * BUDGET}, "not json\n", "broken [ADP-001.4]")
    (entry,) = log.record()["exchanges"]  # type: ignore[index]
    assert entry["cut"] is True and len(entry["request"]["bytes"]) < 1000
    assert entry["answer"] is None and entry["text"] == "not json"
    assert entry["problem"] == "broken [ADP-001.4]"


@pytest.mark.req("ADP-020.7", "CONV-004")
def test_answers_differ_first_in_ok_then_error_then_the_rest() -> None:
    got = {"seq": 1, "ok": True, "bytes": "61"}
    expected = {"seq": 1, "ok": False, "error": {"class": "trailing-bytes"}}
    difference = first_difference(got, expected)
    assert difference is not None and difference.path == "$.ok"
    assert first_difference({"n": 5}, {"n": 5.0}) is None
    assert first_difference({"n": True}, {"n": 1}) is not None
    found = first_difference({"a": [1, 2]}, {"a": [1, 2, 3]})
    assert found is not None and found.path == "$.a (length)"

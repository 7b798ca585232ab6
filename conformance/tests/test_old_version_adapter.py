"""An implementation one version behind (ADP-005.5, ADP-005.6): the wrong adapter
``spec_0_2_0`` claims spec 0.2.0 and behaves as 0.2.0 allowed where 0.3.0 added a rule
(ADP-009.4) or newly tested one (REF-001's lone surrogates).  Run on the tests of those
clauses, without and with ``--gritwit-spec-version 0.2.0``: every failure is marked with
its CHANGES entries, no pass is, and the option leaves out exactly the tests citing only
ADP-009.4 — the other tests of ADP-009.4 cite clauses 0.2.0 has and still fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance import SUITE_VERSION
from gritwit_conformance.harness._state import NOT_APPLICABLE
from gritwit_conformance.runs._run_report import render_summary
from gritwit_conformance.wrong import WRONG, command

pytestmark = [pytest.mark.req("ADP-005.5", "ADP-005.6", "CONV-003.6"), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "conformance" / "gritwit_conformance" / "suite"
SELECTED = [
    "protocol/test_deep_values_and_check_order.py::test_encode_judges_a_deep_value_by_its_fields_rule_not_too_deep",
    "protocol/test_deep_values_and_check_order.py::test_encode_reports_a_lone_surrogate_deep_inside_before_the_fields_rule",
    "protocol/test_content_descriptions.py::test_encode_judges_deep_values_by_their_field",
    "store/test_store_texts_and_limits.py::test_ref_names_of_every_class",
]  # fmt: skip
#: the one test of the selection that cites ADP-009.4 alone
ONLY_NEWER = "test_encode_judges_deep_values_by_their_field"


def _run(tmp_path: Path, *extra: str) -> dict[str, Any]:
    out = tmp_path / "report.json"
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--tb=no"]
    args += ["-n", "2", "--impl", command("spec_0_2_0"), "--gritwit-json", str(out), *extra]
    args += [str(SUITE / s) for s in SELECTED]
    subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def _outcomes(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for record in document["results"]:
        found.setdefault(record["outcome"], []).append(record)
    return found


def test_it_is_registered_as_a_wrong_adapter_of_newer_clauses() -> None:
    entry = WRONG["spec_0_2_0"]
    assert entry.outcome == "failed" and {"ADP-009.4", "REF-001.1"} <= entry.failed


def test_every_failure_of_a_newer_clause_is_marked_and_the_option_leaves_out_the_rest(
    tmp_path: Path,
) -> None:
    for name in ("plain", "applied"):
        (tmp_path / name).mkdir()
    plain = _outcomes(_run(tmp_path / "plain"))
    failed = plain["failed"]
    assert len(failed) >= 30 and "skipped" not in plain
    assert all(r.get("since") for r in failed), [r["id"] for r in failed if not r.get("since")]
    assert not any(r.get("since") for r in plain["passed"])
    deep = [r for r in failed if ONLY_NEWER in r["id"]]
    refs = [r for r in failed if "test_ref_names_of_every_class" in r["id"]]
    assert deep and refs
    assert all(
        r["since"][0].startswith("changed in 0.3.0: ADP-009.4 added: `encode` judges values")
        for r in deep
    )
    assert all(
        n.startswith("changed in 0.3.0: REF-001.") and " newly tested: " in n
        for r in refs
        for n in r["since"]
    )

    applied_document = _run(tmp_path / "applied", "--gritwit-spec-version", "0.2.0")
    applied = _outcomes(applied_document)
    left_out = [r for o in ("skipped", "not-applicable") for r in applied.get(o, [])]
    assert sorted(r["id"] for r in left_out) == sorted(r["id"] for r in deep)
    assert all(
        r["reason"].startswith(
            f"{NOT_APPLICABLE}: every clause it cites is newer than 0.2.0 (ADP-009.4 added in "
            "0.3.0)"
        )
        for r in left_out
    )
    still = applied["failed"]
    assert len(still) == len(failed) - len(deep) and all(r.get("since") for r in still)
    # the tests of ADP-009.4 that also cite clauses of 0.2.0 still ran, and failed, marked
    assert any("test_deep_values_and_check_order.py" in r["id"] for r in still)
    assert len(applied["passed"]) == len(plain["passed"])
    # the guide's worked example states these counts (its run of the whole codec and store
    # profiles fails only in the tests selected here)
    guide = " ".join((ROOT / "docs/guide/validate.md").read_text(encoding="utf-8").split())
    assert f"it has {len(failed)} failures, each one marked" in guide
    assert f"{len(left_out)} of them (the cases of the one test" in guide
    assert f"and {len(still)} still fail, marked" in guide
    assert f"and {len(refs)} of REF-001" in guide
    summary = render_summary(applied_document)
    assert (
        f"implementation claims spec 0.2.0; this suite is {SUITE_VERSION}: {len(still)} of the "
        f"{len(still)} failing test(s) concern clauses added or changed since 0.2.0"
    ) in summary

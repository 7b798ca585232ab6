"""``gritwit trace`` per clause: sub-IDs, and the negative checks that prove a clause bites
(CONV-005): killed mutants, wrong adapters, untestable entries with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gritwit_conformance.trace import trace

pytestmark = pytest.mark.req("CONV-005.2", "CONV-005.3")


def _repo(tmp_path: Path, spec: str, cites: str) -> Path:
    (tmp_path / "spec").mkdir(parents=True)
    (tmp_path / "reference/tests").mkdir(parents=True)
    (tmp_path / "reference/gritwit").mkdir()
    (tmp_path / "vectors").mkdir()
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    (tmp_path / "spec/01-x.md").write_text(spec, encoding="utf-8")
    (tmp_path / "reference/tests/test_x.py").write_text(
        f"import pytest\n\n@pytest.mark.req({cites})\ndef test_x():\n    pass\n",
        encoding="utf-8",
    )
    return tmp_path


SPEC = "**ZZZ-001** Umbrella.\n\n- **ZZZ-001.1** One MUST.\n- **ZZZ-001.2** Two MUST.\n\n" + (
    "**ZZZ-002** Single.\n"
)


def _evidence(root: Path, *ids: str) -> None:
    entries = {rid: [{"kind": "mutant", "mutant": "m-0", "where": "x", "test": "t"}] for rid in ids}
    (root / "conformance/mutation/evidence.json").write_text(
        json.dumps({"format": "gritwit-mutation-evidence/1", "requirements": entries}),
        encoding="utf-8",
    )


def test_sub_ids_are_clauses_and_a_parent_is_cited_through_all_of_them(tmp_path: Path) -> None:
    root = _repo(tmp_path, SPEC, '"ZZZ-001.1", "ZZZ-001.2", "ZZZ-002"')
    report = trace(root)
    assert report.clauses == ["ZZZ-001.1", "ZZZ-001.2", "ZZZ-002"]
    assert report.uncited == []
    partly = trace(_repo(tmp_path / "b", SPEC, '"ZZZ-001.1", "ZZZ-002"'))
    assert partly.uncited == ["ZZZ-001", "ZZZ-001.2"]


def test_evidence_counts_per_clause_and_only_for_the_id_it_names(tmp_path: Path) -> None:
    root = _repo(tmp_path, SPEC, '"ZZZ-001.1", "ZZZ-001.2", "ZZZ-002"')
    _evidence(root, "ZZZ-001", "ZZZ-001.2")  # a parent entry proves no clause
    report = trace(root, require_negative=True)
    assert report.unchecked == ["ZZZ-001.1", "ZZZ-002"]
    assert not report.ok
    assert "NO NEGATIVE CHECK" in report.render()
    assert trace(root).ok  # without --require-negative it is reported, not fatal


def test_untestable_entries_need_a_reason_and_a_defined_id(tmp_path: Path) -> None:
    root = _repo(tmp_path, SPEC, '"ZZZ-001.1", "ZZZ-001.2", "ZZZ-002"')
    _evidence(root, "ZZZ-001.1", "ZZZ-001.2")
    untestable = root / "conformance/untestable.toml"
    untestable.write_text('[[untestable]]\nid = "ZZZ-002"\nreason = "about humans"\n')
    assert trace(root, require_negative=True).ok
    untestable.write_text('[[untestable]]\nid = "ZZZ-002"\nreason = ""\n')
    report = trace(root, require_negative=True)
    assert not report.ok and any("without a reason" in p for p in report.problems)
    untestable.write_text('[[untestable]]\nid = "ZZZ-009"\nreason = "x"\n')
    assert any("not a defined" in p for p in trace(root).problems)


def test_untestable_entries_may_live_in_one_file_per_chapter(tmp_path: Path) -> None:
    root = _repo(tmp_path, SPEC, '"ZZZ-001.1", "ZZZ-001.2", "ZZZ-002"')
    _evidence(root, "ZZZ-001.1")
    (root / "conformance/untestable-x.toml").write_text(
        '[[untestable]]\nid = "ZZZ-001.2"\nreason = "about editors"\n'
    )
    assert trace(root, require_negative=True).unchecked == ["ZZZ-002"]
    (root / "conformance/untestable-y.toml").write_text('[[untestable]]\nid = "ZZZ-002"\n')
    report = trace(root, require_negative=True)
    assert not report.ok
    assert any(
        "untestable-y.toml: ZZZ-002 is listed without a reason" in p for p in report.problems
    )


def test_wrong_adapters_count_unless_they_are_a_known_gap(tmp_path: Path) -> None:
    from gritwit_conformance.wrong import WRONG

    root = _repo(tmp_path, SPEC, '"ZZZ-001.1", "ZZZ-001.2", "ZZZ-002"')
    report = trace(root)
    caught = {rid for entry in WRONG.values() if not entry.gap for rid in entry.failed}
    assert all(set(report.negative.get(rid, [])) == {"wrong adapter"} for rid in caught)
    gaps = {rid for entry in WRONG.values() if entry.gap for rid in entry.failed} - caught
    assert not any(report.negative.get(rid) for rid in gaps)


def test_the_clause_table_lists_every_clause(tmp_path: Path) -> None:
    root = _repo(tmp_path, SPEC, '"ZZZ-001.1", "ZZZ-001.2", "ZZZ-002"')
    _evidence(root, "ZZZ-002")
    rows = {row["id"]: row for row in trace(root).table()}
    assert rows["ZZZ-002"]["negative"] == ["mutant"] and rows["ZZZ-001.1"]["negative"] == []
    assert "ZZZ-001" not in rows

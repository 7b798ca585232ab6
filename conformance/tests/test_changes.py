"""Spec changes clause by clause: text hashes per version and ``gritwit trace --changes``
(CONV-003.3): a reworded clause is a change, a re-wrapped one is not, and a change fails
the check until ``spec/CHANGES.md`` names it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gritwit import SPEC_VERSION
from gritwit_conformance import cli
from gritwit_conformance.trace import collect_definitions
from gritwit_conformance.trace._changes import (
    CHANGES_FILE,
    CLAUSES_FILE,
    FORMAT,
    check_changes,
    clause_hash,
    clause_hashes,
    clause_texts,
    diff_clauses,
    named_ids,
    update_clauses,
)

pytestmark = pytest.mark.req("CONV-002", "CONV-003", "CONV-003.3")

ROOT = Path(__file__).resolve().parents[2]

SPEC = """# Tiny

Intro text that belongs to no clause.

## Rules

**ZZZ-001** Lead sentence. Another lead
sentence.

| a | b |
|---|---|
| 1 | 2 |

- **ZZZ-001.1** One MUST hold,
  over two lines.
- **ZZZ-001.2** Two MUST hold.

**ZZZ-002** Single MUST.

## Rationale

Not part of ZZZ-002.
"""

CHANGES = """# Spec changes

## Unreleased

{unreleased}

## 0.2.0 (from 0.1.0)

- ZZZ-001.2 — changed: stricter.
"""


def test_a_clause_runs_to_the_next_id_or_heading_and_a_lead_is_its_own_sentences() -> None:
    texts = clause_texts(SPEC)
    assert texts == {
        "ZZZ-001": "Lead sentence. Another lead sentence. | a | b | |---|---| | 1 | 2 |",
        "ZZZ-001.1": "One MUST hold, over two lines.",
        "ZZZ-001.2": "Two MUST hold.",
        "ZZZ-002": "Single MUST.",
    }


def test_a_heading_inside_a_fenced_block_does_not_end_a_clause() -> None:
    text = "**ZZZ-001** Run:\n\n```sh\n# a comment, not a heading\n```\n\n# Next\n\nafter\n"
    assert clause_texts(text) == {"ZZZ-001": "Run: ```sh # a comment, not a heading ```"}


def test_rewrapping_is_no_change_and_rewording_is_one() -> None:
    old = {rid: clause_hash(t) for rid, t in clause_texts(SPEC).items()}
    rewrapped = SPEC.replace(
        "One MUST hold,\n  over two lines.", "One   MUST\n  hold, over two\n lines."
    )
    assert {rid: clause_hash(t) for rid, t in clause_texts(rewrapped).items()} == old
    reworded = SPEC.replace("Two MUST hold.", "Two MUST always hold.")
    diff = diff_clauses(old, {rid: clause_hash(t) for rid, t in clause_texts(reworded).items()})
    assert (diff.added, diff.removed, diff.changed) == ([], [], ["ZZZ-001.2"])


def test_a_new_clause_is_added_and_a_missing_one_removed() -> None:
    old = {rid: clause_hash(t) for rid, t in clause_texts(SPEC).items()}
    grown = SPEC.replace(
        "**ZZZ-002** Single MUST.\n", "**ZZZ-002** Single MUST.\n\n**ZZZ-003** New.\n"
    )
    new = {rid: clause_hash(t) for rid, t in clause_texts(grown).items()}
    assert diff_clauses(old, new).added == ["ZZZ-003"]
    shrunk = SPEC.replace("- **ZZZ-001.2** Two MUST hold.\n", "")
    new = {rid: clause_hash(t) for rid, t in clause_texts(shrunk).items()}
    diff = diff_clauses(old, new)
    assert (diff.added, diff.removed, diff.changed) == ([], ["ZZZ-001.2"], [])


def test_the_hash_is_blake3_of_the_normalised_text() -> None:
    assert clause_hash("") == "af1349b9f5f9a1a6"  # BLAKE3-256 of no bytes, first 16 digits
    assert len(clause_hash("One MUST hold.")) == 16


def _repo(tmp_path: Path, unreleased: str = "") -> Path:
    (tmp_path / "spec").mkdir(parents=True)
    (tmp_path / "spec/01-x.md").write_text(SPEC, encoding="utf-8")
    (tmp_path / CHANGES_FILE).write_text(CHANGES.format(unreleased=unreleased), encoding="utf-8")
    data = {"format": FORMAT, "versions": {"0.2.0": clause_hashes(tmp_path / "spec")}}
    (tmp_path / CLAUSES_FILE).write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "spec/01-x.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _unreleased(root: Path, line: str) -> None:
    (root / CHANGES_FILE).write_text(CHANGES.format(unreleased=line), encoding="utf-8")


def test_the_check_fails_on_a_change_without_an_entry_and_passes_with_one(
    tmp_path: Path,
) -> None:
    root = _repo(tmp_path)
    assert check_changes(root, "0.2.0").ok
    _edit(root, "Single MUST.", "Single MUST NOT.")
    _edit(root, "- **ZZZ-001.1**", "- **ZZZ-001.3** Three MAY.\n- **ZZZ-001.1**")
    report = check_changes(root, "0.2.0")
    assert not report.ok
    assert report.unrecorded == ["ZZZ-001.3", "ZZZ-002"]
    lines = report.lines()
    assert lines[0].startswith("ZZZ-001.3: new clause")
    assert lines[1].startswith("ZZZ-002: text changed")
    assert all('"Unreleased" section of spec/CHANGES.md' in line for line in lines[:2])
    assert all("gritwit trace --changes --update" in line for line in lines[:2])
    assert lines[-1].startswith("spec changes: FAILED (2 clauses differ")
    _unreleased(root, "- ZZZ-002 — changed: now MUST NOT.")
    assert check_changes(root, "0.2.0").unrecorded == ["ZZZ-001.3"]
    _unreleased(root, "- ZZZ-002 — changed: now MUST NOT.\n- ZZZ-001.3 — added.")
    report = check_changes(root, "0.2.0")
    assert report.ok
    assert "2 clauses differ" in report.lines()[-1]


def test_a_recorded_versions_section_no_longer_excuses_a_change(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "Two MUST hold.", "Two MUST hold, always.")
    # named in ## 0.2.0, but clauses.json records 0.2.0: that line named an old change
    assert not check_changes(root, "0.2.0").ok
    _unreleased(root, "- ZZZ-001.2 — reworded.")
    assert check_changes(root, "0.2.0").ok
    # a version clauses.json does not record yet: its own section counts
    assert check_changes(root, "0.3.0").ok
    assert named_ids(CHANGES.format(unreleased=""), "0.3.0") == set()
    assert named_ids(CHANGES.format(unreleased="- ZZZ-009 x"), "0.3.0") == {"ZZZ-009"}


def test_a_removed_clause_must_be_recorded_and_is_told_to_stay_listed(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "**ZZZ-002** Single MUST.\n", "")
    report = check_changes(root, "0.2.0")
    assert report.unrecorded == ["ZZZ-002"]
    assert "marked withdrawn (CONV-002.3)" in report.lines()[0]


def test_update_is_refused_until_every_change_is_recorded(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    before = (root / CLAUSES_FILE).read_text(encoding="utf-8")
    _edit(root, "Single MUST.", "Single MUST NOT.")
    wrote, lines = update_clauses(root, "0.2.0")
    assert not wrote
    assert "refused; spec/clauses.json is unchanged" in lines[-1]
    assert (root / CLAUSES_FILE).read_text(encoding="utf-8") == before
    _unreleased(root, "- ZZZ-002 — changed.")
    wrote, lines = update_clauses(root, "0.2.0")
    assert wrote
    data = json.loads((root / CLAUSES_FILE).read_text(encoding="utf-8"))
    assert data["versions"]["0.2.0"] == clause_hashes(root / "spec")
    report = check_changes(root, "0.2.0")
    assert report.ok and report.diff.ids == []


def test_a_new_version_is_compared_with_the_newest_older_one(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _edit(root, "Single MUST.", "Single MUST NOT.")
    report = check_changes(root, "0.3.0")
    assert report.baseline == "0.2.0" and report.unrecorded == ["ZZZ-002"]
    (root / CHANGES_FILE).write_text(
        "# Spec changes\n\n## 0.3.0 (from 0.2.0)\n\n- ZZZ-002 — changed.\n", encoding="utf-8"
    )
    assert check_changes(root, "0.3.0").ok
    assert update_clauses(root, "0.3.0")[0]
    versions = json.loads((root / CLAUSES_FILE).read_text(encoding="utf-8"))["versions"]
    assert list(versions) == ["0.3.0", "0.2.0"]
    assert versions["0.3.0"]["ZZZ-002"] != versions["0.2.0"]["ZZZ-002"]


def test_a_broken_clauses_file_is_a_failure_that_says_what_to_do(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / CLAUSES_FILE).write_text('{"format": "other"}', encoding="utf-8")
    report = check_changes(root, "0.2.0")
    assert not report.ok and "restore it from git" in report.lines()[0]
    assert report.lines()[-1] == "spec changes: FAILED (see above)"
    (root / CLAUSES_FILE).write_text(json.dumps({"format": FORMAT, "versions": {}}), "utf-8")
    assert "records no version up to 0.2.0" in check_changes(root, "0.2.0").lines()[0]
    (root / CLAUSES_FILE).unlink()
    assert "missing" in check_changes(root, "0.2.0").lines()[0]


def test_the_cli_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path)
    assert cli.main(["trace", "--changes", "--root", str(root)]) == 0
    _edit(root, "Single MUST.", "Single MUST NOT.")
    assert cli.main(["trace", "--changes", "--root", str(root)]) == 1
    assert cli.main(["trace", "--changes", "--update", "--root", str(root)]) == 1
    assert cli.main(["trace", "--update", "--root", str(root)]) == 2
    out = capsys.readouterr().out
    assert "ZZZ-002: text changed" in out and "refused" in out


def test_the_real_spec_has_every_change_recorded() -> None:
    report = check_changes(ROOT, SPEC_VERSION)
    assert report.ok, "\n".join(report.lines())
    # CHANGES.md lies in spec/ but defines nothing: it names IDs, never in bold at a line start
    assert clause_texts((ROOT / CHANGES_FILE).read_text(encoding="utf-8")) == {}
    defined, duplicates = collect_definitions(ROOT / "spec")
    assert not duplicates and set(clause_hashes(ROOT / "spec")) == set(defined)

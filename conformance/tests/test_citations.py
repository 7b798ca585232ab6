"""Newly tested readings are changes too (CONV-003.5), and a release folds *Unreleased*
into its version's section (CONV-003.3): ``gritwit trace --changes [--update]``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gritwit_conformance import cli
from gritwit_conformance.data._versions import parse_changes
from gritwit_conformance.trace._changes import (
    CHANGES_FILE,
    CLAUSES_FILE,
    FORMAT,
    changes_command,
    clause_hashes,
    update_clauses,
)
from gritwit_conformance.trace._citations import (
    CITATIONS_FILE,
    SUITE,
    check_citations,
    collect_readings,
    record_citations,
)
from gritwit_conformance.trace._release import fold_unreleased

pytestmark = pytest.mark.req("CONV-003.3", "CONV-003.5")

ROOT = Path(__file__).resolve().parents[2]

SPEC = "# Tiny\n\n**ZZZ-001** One MUST hold.\n\n**ZZZ-002** Two MUST hold.\n"
CHANGES = """# Spec changes

Intro.

## Unreleased

Changes since the newest record.

{unreleased}
## 0.2.0 (from 0.1.0)

- ZZZ-002 — added: the second rule.
"""
#: the marker's name, kept out of the literal text (``gritwit trace`` reads ``req(`` in sources)
REQ = "req"
TEST_A = f"""import pytest

@pytest.mark.{REQ}("ZZZ-001")
@pytest.mark.inputs("ascii")
def test_one(impl): ...
"""


def _repo(tmp_path: Path, unreleased: str = "") -> Path:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec/01-x.md").write_text(SPEC, encoding="utf-8")
    (tmp_path / CHANGES_FILE).write_text(CHANGES.format(unreleased=unreleased), "utf-8")
    data = {"format": FORMAT, "versions": {"0.2.0": clause_hashes(tmp_path / "spec")}}
    (tmp_path / CLAUSES_FILE).write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / SUITE / "z").mkdir(parents=True)
    (tmp_path / SUITE / "z/test_a.py").write_text(TEST_A, encoding="utf-8")
    record_citations(tmp_path, "0.2.0")
    return tmp_path


def _unreleased(root: Path, lines: str) -> None:
    (root / CHANGES_FILE).write_text(CHANGES.format(unreleased=lines), encoding="utf-8")


def test_readings_are_the_citing_files_and_their_input_classes(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / SUITE / "z/test_b.py").write_text(
        f'import pytest\npytestmark = pytest.mark.{REQ}("ZZZ-002")\n\n'
        f'@pytest.mark.{REQ}("ZZZ-001")\n@pytest.mark.inputs("nul", "empty")\ndef test_b(): ...\n'
        "def helper(): ...\n",
        encoding="utf-8",
    )
    assert collect_readings(root) == {
        "ZZZ-001": ["inputs:ascii", "inputs:empty", "inputs:nul", "z/test_a.py", "z/test_b.py"],
        "ZZZ-002": ["inputs:empty", "inputs:nul", "z/test_b.py"],
    }


def test_a_new_reading_fails_until_unreleased_names_its_clause(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert changes_command(root, "0.2.0")[0] == 0
    # the same clause, a new input class in the same file
    (root / SUITE / "z/test_a.py").write_text(
        TEST_A.replace('"ascii"', '"ascii", "lone-surrogate"')
    )
    status, lines = changes_command(root, "0.2.0")
    assert status == 1
    assert lines[0].startswith("ZZZ-001: newly tested (inputs:lone-surrogate), not in "
                               "spec/citations.json for 0.2.0")  # fmt: skip
    assert "CONV-003.5" in lines[0] and "FAILED" in lines[-1]
    _unreleased(root, "- ZZZ-001 — newly tested: lone surrogates. Tests: `suite/z/test_a.py`\n")
    assert changes_command(root, "0.2.0")[0] == 0
    # a new file citing another clause
    (root / SUITE / "z/test_c.py").write_text(TEST_A.replace("ZZZ-001", "ZZZ-002"))
    report = check_citations(root, "0.2.0", {"ZZZ-001"})
    assert list(report.unnamed) == ["ZZZ-002"]
    assert report.unnamed["ZZZ-002"] == ["inputs:ascii", "z/test_c.py"]
    # a line of a released version's section does not excuse it (ZZZ-002 is in 0.2.0's)
    assert changes_command(root, "0.2.0")[0] == 1


def test_no_record_checks_nothing_and_a_broken_one_says_so(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / CITATIONS_FILE).unlink()
    assert check_citations(root, "0.2.0", set()).ok
    (root / CITATIONS_FILE).write_text('{"format": "other"}', encoding="utf-8")
    report = check_citations(root, "0.2.0", set())
    assert not report.ok and "restore it from git" in report.lines()[0]


def test_update_refuses_an_unnamed_reading_then_folds_and_records(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "spec/01-x.md").write_text(SPEC.replace("Two MUST hold.", "Two MUST always hold."))
    (root / SUITE / "z/test_c.py").write_text(TEST_A.replace("ZZZ-001", "ZZZ-002"))
    _unreleased(root, "- ZZZ-002 — changed: always.\n")
    # ZZZ-002's text change is named, and the line names ZZZ-002: its new reading is too
    wrote, lines = update_clauses(root, "0.3.0")
    assert wrote, lines
    text = (root / CHANGES_FILE).read_text(encoding="utf-8")
    assert (
        text.index("## Unreleased") < text.index("## 0.3.0 (from 0.2.0)") < text.index("## 0.2.0")
    )
    assert "Changes since the newest record.\n\n## 0.3.0" in text
    flat = " ".join(text.split())
    assert (
        "Compared with 0.2.0 as `spec/clauses.json` records it (2 clauses), 0.3.0 (2 clauses): "
        "0 added, 1 changed, none removed or withdrawn; 0 entries of newly tested" in flat
    )
    assert [(e.version, e.ids) for e in parse_changes(text)] == [
        ("0.3.0", ("ZZZ-002",)),
        ("0.2.0", ("ZZZ-002",)),
    ]
    citations = json.loads((root / CITATIONS_FILE).read_text(encoding="utf-8"))
    assert list(citations["versions"]) == ["0.3.0", "0.2.0"]
    assert "z/test_c.py" in citations["versions"]["0.3.0"]["ZZZ-002"]
    assert changes_command(root, "0.3.0") == (
        0,
        [
            "spec changes: OK (2 clauses match spec/clauses.json for 0.3.0)",
            "citations: OK (no reading new since spec/citations.json recorded 0.3.0)",
        ],
    )
    # a later line (another branch's) is folded by a re-run, newest first, counts rewritten
    (root / SUITE / "z/test_d.py").write_text(TEST_A.replace("ascii", "nul"))
    assert changes_command(root, "0.3.0")[0] == 1
    (root / CHANGES_FILE).write_text(
        text.replace(
            "Changes since the newest record.\n",
            "Changes since the newest record.\n\n- ZZZ-001 — newly tested: NUL. Tests: "
            "`suite/z/test_d.py`\n",
        ),
        encoding="utf-8",
    )
    assert update_clauses(root, "0.3.0")[0]
    again = (root / CHANGES_FILE).read_text(encoding="utf-8")
    assert [(e.version, e.ids, e.kind) for e in parse_changes(again)][:2] == [
        ("0.3.0", ("ZZZ-001",), "newly tested"),
        ("0.3.0", ("ZZZ-002",), "changed"),
    ]
    assert again.count("Compared with") == 1
    assert "1 entries of newly tested" in " ".join(again.split())
    # nothing left to fold: a re-run changes nothing
    assert update_clauses(root, "0.3.0")[0]
    assert (root / CHANGES_FILE).read_text(encoding="utf-8") == again


def test_fold_makes_an_unreleased_section_when_there_is_none() -> None:
    folded = fold_unreleased("# C\n\n## 0.2.0\n\n- ZZZ-001 — added.\n", "0.3.0", "0.2.0", "S.")
    assert (
        folded
        == "# C\n\n## Unreleased\n\n## 0.3.0 (from 0.2.0)\n\nS.\n\n## 0.2.0\n\n- ZZZ-001 — added.\n"
    )


def test_the_cli_refuses_an_update_with_an_unnamed_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    (root / SUITE / "z/test_c.py").write_text(TEST_A)
    before = (root / CLAUSES_FILE).read_text(encoding="utf-8")
    assert cli.main(["trace", "--changes", "--update", "--root", str(root)]) == 1
    assert "ZZZ-001: newly tested (z/test_c.py)" in capsys.readouterr().out
    assert (root / CLAUSES_FILE).read_text(encoding="utf-8") == before


def test_the_real_suite_has_every_reading_recorded() -> None:
    from gritwit import SPEC_VERSION

    status, lines = changes_command(ROOT, SPEC_VERSION)
    assert status == 0, "\n".join(lines)
    assert lines[-1].startswith("citations: OK")

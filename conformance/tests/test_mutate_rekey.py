"""``gritwit mutate --rekey-from REV``: the mutation records follow code moved to another
module, so a split keeps every judged mutant's status and every equivalent entry (
CONV-005 for the evidence ``trace`` reads)."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from gritwit_conformance.mutate._mutants import find_mutants
from gritwit_conformance.mutate._rekey import main as rekey_main
from gritwit_conformance.mutate._report import write_json
from gritwit_conformance.mutate._run import load_equivalent

pytestmark = [
    pytest.mark.req("CONV-005"),
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

KEEP = '''
def keep(a):
    """Checks OBJ-002."""
    return a < 3
'''
MOVE = '''
def move(a, b):
    """Checks ENC-007."""
    if a == b:
        raise ValueError("ENC-007")
    return a + 1 > b
'''
GROUPS = {"g": ("pkg/a.py", "pkg/b.py")}


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


def _write(root: Path, module: str, text: str) -> None:
    path = root / "reference" / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def _checkout(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    """A repository whose ``pkg/a.py`` holds ``keep`` and ``move``, its records judged:
    every mutant of ``move`` killed but the first, equivalent; (root, keep ids, move ids)."""
    root = tmp_path / "repo"
    _write(root, "pkg/a.py", KEEP + MOVE)
    _write(root, "pkg/b.py", '"""Nothing yet."""\n')
    mutants = find_mutants("pkg/a.py", (root / "reference/pkg/a.py").read_text())
    kept = [m.id for m in mutants if m.function == "keep"]
    moved = [m for m in mutants if m.function == "move"]
    statuses = {m.id: "killed" for m in mutants}
    statuses[moved[0].id] = "equivalent"
    records = root / "conformance" / "mutation"
    write_json(
        records / "baseline.json",
        {
            "format": "gritwit-mutation-baseline/1",
            "total": {},
            "groups": {},
            "modules": {"pkg/a.py": 100.0},
            "mutants": statuses,
        },
    )
    where = f"pkg/a.py:{moved[1].line}"
    entry = {"kind": "mutant", "mutant": moved[1].id, "where": where, "test": "t", "cited": True}
    write_json(records / "evidence.json", {"format": "e", "requirements": {"ENC-007": [entry]}})
    (records / "equivalent-g.toml").write_text(
        f'# reviewed\n\n[[equivalent]]\nid = "{moved[0].id}"\n'
        f'where = "{moved[0].describe()}"\nreason = "same behaviour: a test"\n',
        encoding="utf-8",
    )
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "before")
    return root, kept, [m.id for m in moved]


def _records(root: Path) -> str:
    records = root / "conformance" / "mutation"
    return "".join(p.read_text(encoding="utf-8") for p in sorted(records.iterdir()))


def test_a_moved_function_keeps_its_statuses_and_equivalence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, kept, moved = _checkout(tmp_path)
    _write(root, "pkg/a.py", KEEP)
    _write(root, "pkg/b.py", '"""Moved here."""\n' + MOVE)
    assert rekey_main(root, "HEAD", GROUPS, source_dir="reference") == 0
    now = find_mutants("pkg/b.py", (root / "reference/pkg/b.py").read_text())
    new_ids = [m.id for m in now]
    assert len(new_ids) == len(moved) and not set(new_ids) & set(moved)
    base = json.loads((root / "conformance/mutation/baseline.json").read_text())
    assert base["mutants"] == {
        **{i: "killed" for i in kept},
        new_ids[0]: "equivalent",
        **{i: "killed" for i in new_ids[1:]},
    }
    assert base["modules"] == {"pkg/a.py": 100.0, "pkg/b.py": 100.0}
    # the CI check's stale-equivalent test: every listed id is a mutant now
    listed = load_equivalent(root / "conformance/mutation/equivalent.toml")
    assert list(listed) == [new_ids[0]]
    toml = (root / "conformance/mutation/equivalent-g.toml").read_text()
    assert f'where = "{now[0].describe()}"' in toml and toml.startswith("# reviewed")
    (entry,) = json.loads((root / "conformance/mutation/evidence.json").read_text())[
        "requirements"
    ]["ENC-007"]
    assert (entry["mutant"], entry["where"]) == (new_ids[1], f"pkg/b.py:{now[1].line}")
    assert f"{len(moved)} mutant(s) moved" in capsys.readouterr().out
    # idempotent: once re-keyed, the same run changes nothing
    before = _records(root)
    assert rekey_main(root, "HEAD", GROUPS, source_dir="reference") == 0
    assert _records(root) == before
    # run again after the moved code shifted (a merge): the ids stay, the lines follow
    _write(root, "pkg/b.py", '"""Moved here."""\n# a line more\n' + MOVE)
    assert rekey_main(root, "HEAD", GROUPS, source_dir="reference") == 0
    shifted = find_mutants("pkg/b.py", (root / "reference/pkg/b.py").read_text())
    assert [m.id for m in shifted] == new_ids
    toml = (root / "conformance/mutation/equivalent-g.toml").read_text()
    assert f'where = "{shifted[0].describe()}"' in toml and shifted[0].line == now[0].line + 1


def test_a_changed_function_is_reported_unmatched_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _, moved = _checkout(tmp_path)
    before = _records(root)
    _write(root, "pkg/a.py", KEEP)
    _write(root, "pkg/b.py", MOVE.replace("a + 1 > b", "a + 2 > b"))
    assert rekey_main(root, "HEAD", GROUPS, source_dir="reference") == 1
    out = capsys.readouterr().out
    assert "UNMATCHED: " in out and "'1' -> '(2)'" in out
    base = json.loads((root / "conformance/mutation/baseline.json").read_text())
    unmatched = [line.split()[1] for line in out.splitlines() if line.startswith("UNMATCHED")]
    assert set(unmatched) <= set(moved) and all(i in base["mutants"] for i in unmatched)
    assert _records(root) != before  # the others moved


def test_no_change_changes_no_record(tmp_path: Path) -> None:
    root, _, _ = _checkout(tmp_path)
    before = _records(root)
    assert rekey_main(root, "HEAD", GROUPS, source_dir="reference") == 0
    assert _records(root) == before
    assert rekey_main(root, "no-such-rev", GROUPS, source_dir="reference") == 2

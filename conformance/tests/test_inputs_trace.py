"""``gritwit trace --inputs``: which input classes the tests of each clause exercise.

:mod:`gritwit_conformance.trace._inputs` reads ``inputs`` and ``req`` markers statically
and compares them with what ``conformance/inputs.toml`` says each clause needs.
These tests run it on a small repository of their own, and on the real one (the
file parses, names defined clauses and known classes, and every marker a suite test
carries names a known class).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gritwit_conformance.data._classes import TEXT_CLASSES, wrong_rules
from gritwit_conformance.trace import collect_definitions
from gritwit_conformance.trace._inputs import check, known_classes, render, required, scan

pytestmark = pytest.mark.req("CONV-005")
ROOT = Path(__file__).resolve().parents[2]

TESTS = """
import pytest

pytestmark = [pytest.mark.profile("codec"), pytest.mark.inputs("ascii")]


@pytest.mark.req("{Z}001")
@pytest.mark.inputs("astral", "order:utf16")
def test_one(impl):
    pass


@pytest.mark.req("{Z}002")
@pytest.mark.parametrize("x", [1])
def test_two(impl, x):
    pass


def helper():
    pytest.mark.req("{Z}003")
"""

INPUTS = """
[[clause]]
id = "ZZZ-001"
kinds = ["text", "order"]
rule = "canonical"
not_applicable = { "nul" = "the rule refuses it first" }

[[clause]]
id = "ZZZ-002"
kinds = ["size"]

[[clause]]
id = "ZZZ-004"
kinds = ["colour"]
"""


def _repo(tmp_path: Path, tests: str = TESTS, inputs: str = INPUTS) -> Path:
    suite = tmp_path / "conformance" / "gritwit_conformance" / "suite" / "codec"
    suite.mkdir(parents=True)
    # the IDs are spelt at write time, so that the trace of this repository sees none
    text = textwrap.dedent(tests).replace("{Z}", "ZZZ-")
    (suite / "test_x.py").write_text(text, encoding="utf-8")
    (tmp_path / "conformance" / "inputs.toml").write_text(inputs, encoding="utf-8")
    return tmp_path


def test_required_classes_follow_the_kinds() -> None:
    assert required(["text"]) == TEXT_CLASSES
    assert required(["size", "count"]) == ("largest", "past-largest")
    assert required(["order"], "canonical") == tuple(f"order:{r}" for r in wrong_rules("canonical"))
    assert "order:utf16" in required(["order"], "canonical")
    assert required(["key", "name"]) == TEXT_CLASSES  # no class twice


def test_markers_are_read_per_test_with_the_modules_own(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    covered = scan([root / "conformance/gritwit_conformance/suite/codec/test_x.py"])
    assert set(covered["ZZZ-001"]) == {"ascii", "astral", "order:utf16"}
    assert set(covered["ZZZ-002"]) == {"ascii"}  # the module's marker alone
    assert "ZZZ-003" not in covered  # not a test


def test_the_check_reports_missing_classes_and_bad_entries(tmp_path: Path) -> None:
    clauses, problems = check(_repo(tmp_path))
    by_id = {c.id: c for c in clauses}
    one = by_id["ZZZ-001"]
    assert "nul" not in one.missing and "astral" not in one.missing
    assert "bmp" in one.missing and "order:casefold" in one.missing
    assert by_id["ZZZ-002"].missing == ("largest", "past-largest")
    assert any("ZZZ-004" in p and "colour" in p for p in problems), problems
    text = render(clauses, problems)
    assert "ZZZ-001" in text and "missing: largest, past-largest" in text and "2 do not" in text


def test_an_unknown_class_in_a_marker_is_a_problem(tmp_path: Path) -> None:
    root = _repo(tmp_path, tests=TESTS.replace('"astral"', '"astrall"'))
    _, problems = check(root)
    assert any("unknown input class 'astrall'" in p for p in problems), problems


def test_a_not_applicable_class_needs_a_reason_and_must_be_required(tmp_path: Path) -> None:
    inputs = INPUTS.replace('"the rule refuses it first"', '""').replace(
        'kinds = ["size"]', 'kinds = ["size"]\nnot_applicable = { "astral" = "x" }'
    )
    _, problems = check(_repo(tmp_path, inputs=inputs))
    assert any("'nul' not applicable without a reason" in p for p in problems), problems
    assert any("ZZZ-002: 'astral' is not a class it requires" in p for p in problems), problems


def test_the_repositorys_file_names_defined_clauses_and_known_classes() -> None:
    clauses, problems = check(ROOT)
    assert not problems, problems
    defined, _ = collect_definitions(ROOT / "spec")
    assert clauses and {c.id for c in clauses} <= set(defined)
    for clause in clauses:
        assert set(clause.required) <= known_classes()


def test_the_command_fails_only_when_asked_to_require_every_class(tmp_path: Path) -> None:
    root = _repo(tmp_path, inputs=INPUTS.split('[[clause]]\nid = "ZZZ-004"')[0])
    (root / "spec").mkdir()
    base = [sys.executable, "-m", "gritwit_conformance", "trace", "--root", str(root), "--inputs"]
    done = subprocess.run(base, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ZZZ-002" in done.stdout
    done = subprocess.run([*base, "--require-inputs"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr

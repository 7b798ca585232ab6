"""Versions move together (CONV-003.4), and the verdict per claimed version (CONV-003.6,
ADP-005.5, ADP-005.6): what a claimed version lacks, read from ``spec/clauses.json`` and
``spec/CHANGES.md``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import gritwit
from gritwit_conformance import SUITE_VERSION, cli
from gritwit_conformance.data._versions import (
    SpecHistory,
    UnknownSpecVersion,
    parse_changes,
    spec_history,
)
from gritwit_conformance.runs._conform import run_conform

ROOT = Path(__file__).resolve().parents[2]
#: The newest release spec/clauses.json records (the tree may carry its successor's
#: development version, CONV-003.7).
RECORDED = "0.3.0"
SUITE = ROOT / "conformance" / "gritwit_conformance" / "suite"


@pytest.mark.req("CONV-003.4", "CONV-003.2", "CONV-003.8")
def test_package_spec_suite_and_vectors_carry_one_version() -> None:
    """One release number, written once (gritwit/_version.py); the development number
    computed from spec/CHANGES.md and the label of the text from spec/, never written
    (CONV-003.8)."""
    from gritwit._version import RELEASE

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in pyproject["project"]["dynamic"], "the version is computed"
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "gritwit._version.__version__"}, dynamic
    stated = re.search(
        r"\*\*Spec version: (\S+)\*\*", (ROOT / "spec/00-conventions.md").read_text("utf-8")
    )
    node = re.search(
        r"const SPEC_VERSION = '([^']+)'",
        (ROOT / "conformance/adapters/node/adapter.mjs").read_text(encoding="utf-8"),
    )
    changes = (ROOT / "spec" / "CHANGES.md").read_text(encoding="utf-8")
    unreleased = sum(line.startswith("- ") for line in _unreleased(changes).splitlines())
    form = rf"{re.escape(RELEASE)}\.dev{unreleased}\+t[0-9a-f]{{12}}" if unreleased else RELEASE
    assert len({gritwit.__version__, gritwit.SPEC_VERSION, SUITE_VERSION}) == 1
    assert re.fullmatch(form, gritwit.__version__), (form, gritwit.__version__)
    assert stated is not None and stated.group(1) == (
        f"{RELEASE}.devN" if unreleased else RELEASE
    ), stated
    assert node is not None and node.group(1) == RELEASE, "the Node example's release"
    # the vectors carry the release their text leads to, never a development number
    found: dict[str, str] = {}
    for path in sorted((ROOT / "vectors").rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        if (match := re.search(r'^  "specVersion": "([^"]+)"', text, re.MULTILINE)) is not None:
            found[path.relative_to(ROOT).as_posix()] = match.group(1)
            generator = json.loads(text)["generator"]["version"]
            found[f"{path.relative_to(ROOT).as_posix()} generator"] = generator
    assert len(found) > 10, found  # the vectors were read
    assert set(found.values()) == {RELEASE}, found
    # the newest record of spec/clauses.json is the version the tree carries, or, for a
    # development version, the release before it (CONV-003.7, test_dev_version.py)
    history = spec_history()
    assert history is not None and history.known[-1] in (SUITE_VERSION, RECORDED)


def _unreleased(changes: str) -> str:
    """The *Unreleased* section of a CHANGES.md text, read here on its own terms."""
    start = changes.index("\n## Unreleased")
    end = changes.find("\n## ", start + 1)
    return changes[start : end if end >= 0 else len(changes)]


@pytest.mark.req("CONV-003.4")
def test_gritwit_version_prints_package_spec_and_suite(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    out = capsys.readouterr().out.strip()
    v = SUITE_VERSION
    assert out == f"gritwit {v} (spec {v}, suite {v})"


CHANGES = """# Spec changes

## Unreleased

- ZZZ-004 — changed: later still. Tests: `suite/z/test_a.py`

## 0.3.0 (from 0.2.0)

Compared with 0.2.0 …

- ZZZ-003 — added: a new rule. Tests: `suite/z/test_c.py`
- ZZZ-001 — changed: stricter,
  over two lines. Tests: `suite/z/test_a.py`
- ZZZ-002 — newly tested: lone surrogates. Tests: `suite/z/test_b.py`
- ZZZ-005 — wording unchanged: a paragraph moved.

## 0.2.0 (from 0.1.0)

### Added (1)

- ZZZ-002 — the second rule (abc1234). Tests and vectors: `suite/z/test_b.py`

### Changed earlier, while the spec still said 0.1.0 (0 added, 1 changed)

#### Changed (1)

- ZZZ-001 — first reworded (def5678)

## 0.1.0

The first version.
"""


def _history() -> SpecHistory:
    return SpecHistory(
        current="0.3.0",
        records={
            "0.1.0": frozenset({"ZZZ-001", "ZZZ-005"}),
            "0.2.0": frozenset({"ZZZ-001", "ZZZ-002", "ZZZ-005"}),
            "0.3.0": frozenset({"ZZZ-001", "ZZZ-002", "ZZZ-003", "ZZZ-005", "ZZZ-006"}),
        },
        entries=parse_changes(CHANGES),
    )


@pytest.mark.req("CONV-003.6")
def test_the_change_log_is_read_entry_by_entry() -> None:
    entries = parse_changes(CHANGES)
    assert [(e.version, e.ids, e.kind) for e in entries] == [
        ("unreleased", ("ZZZ-004",), "changed"),
        ("0.3.0", ("ZZZ-003",), "added"),
        ("0.3.0", ("ZZZ-001",), "changed"),
        ("0.3.0", ("ZZZ-002",), "newly tested"),
        ("0.3.0", ("ZZZ-005",), "wording"),
        ("0.2.0", ("ZZZ-002",), "added"),
        ("0.2.0", ("ZZZ-001",), "changed"),
    ]
    assert entries[2].text == "stricter, over two lines."  # the tests are not part of it
    assert entries[3].tests == ("z/test_b.py",)
    assert entries[6].earlier == "0.1.0"
    assert entries[1].note("ZZZ-003") == "changed in 0.3.0: ZZZ-003 added: a new rule."


@pytest.mark.req("CONV-003.6", "ADP-005.5")
def test_the_notes_of_a_claimed_version_are_the_newer_entries_of_the_cited_clauses() -> None:
    h = _history()
    assert h.since(["ZZZ-001"], "0.2.0") == [
        "changed in 0.3.0: ZZZ-001 changed: stricter, over two lines."
    ]
    # older claims see every newer entry, oldest first; one said 0.1.0 still stood
    assert h.since(["ZZZ-001"], "0.1.0") == [
        "changed in 0.2.0 (while the spec still said 0.1.0): ZZZ-001 changed: first "
        "reworded (def5678)",
        "changed in 0.3.0: ZZZ-001 changed: stricter, over two lines.",
    ]
    assert h.since(["ZZZ-004"], "0.2.0") == [
        "changed since the last release (unreleased): ZZZ-004 changed: later still."
    ]
    # the suite's own version, a newer one, or no version at all: nothing to mark
    for claimed in ("0.3.0", "0.4.0", "1.0", "", "latest"):
        assert h.since(["ZZZ-001", "ZZZ-003"], claimed) == []
    # a clause unchanged since the claim is not marked
    assert h.since(["ZZZ-005"], "0.1.0") == [
        "changed in 0.3.0: ZZZ-005 wording: a paragraph moved."
    ]
    assert h.since(["ZZZ-005"], "0.3.0") == []


@pytest.mark.req("CONV-003.5", "ADP-005.5")
def test_a_newly_tested_entry_marks_only_the_tests_of_the_files_it_names() -> None:
    h = _history()
    note = "changed in 0.3.0: ZZZ-002 newly tested: lone surrogates."
    assert note in h.since(["ZZZ-002"], "0.2.0", test_file="z/test_b.py")
    assert h.since(["ZZZ-002"], "0.2.0", test_file="z/test_other.py") == []
    assert note in h.since(["ZZZ-002"], "0.2.0")  # no file known: the entry applies


@pytest.mark.req("CONV-003.6", "ADP-005.5")
def test_an_added_clause_without_an_entry_is_still_marked() -> None:
    assert _history().since(["ZZZ-006"], "0.2.0") == [
        "added after 0.2.0: ZZZ-006 (no entry in spec/CHANGES.md)"
    ]


@pytest.mark.req("CONV-003.6", "ADP-005.6")
def test_only_a_test_whose_every_clause_was_added_after_x_is_not_applicable() -> None:
    h = _history()
    assert h.not_applicable(["ZZZ-003"], "0.2.0") == (
        "every clause it cites is newer than 0.2.0 (ZZZ-003 added in 0.3.0)"
    )
    assert h.not_applicable(["ZZZ-003", "ZZZ-006"], "0.2.0") == (
        "every clause it cites is newer than 0.2.0 (ZZZ-003 added in 0.3.0; ZZZ-006 added "
        "after 0.2.0)"
    )
    # one clause X has (changed since or not) keeps the test: a wrong "any" would leave it out
    assert h.not_applicable(["ZZZ-003", "ZZZ-001"], "0.2.0") is None
    assert h.not_applicable(["ZZZ-001"], "0.2.0") is None
    assert h.not_applicable([], "0.2.0") is None
    # ZZZ-002 was added in 0.2.0: not applicable for 0.1.0, applicable for 0.2.0
    assert h.not_applicable(["ZZZ-002"], "0.1.0") is not None
    assert h.not_applicable(["ZZZ-002"], "0.2.0") is None
    assert h.not_applicable(["ZZZ-003"], "0.3.0") is None


@pytest.mark.req("ADP-005.6")
def test_an_unrecorded_version_is_refused_naming_the_known_ones() -> None:
    h = _history()
    assert h.check_applied("0.2.0") == "0.2.0"
    for bad in ("0.2.1", "9.9.9", "claimed", "", "0.2"):
        with pytest.raises(UnknownSpecVersion, match=r"known: 0\.1\.0, 0\.2\.0, 0\.3\.0"):
            h.check_applied(bad)


@pytest.mark.req("CONV-003.6", "ADP-005.5", "ADP-005.6")
def test_the_real_record_says_what_0_2_0_lacks() -> None:
    h = spec_history()
    assert h is not None and h.known == ["0.1.0", "0.2.0", RECORDED]
    assert h.since(["ADP-009.4"], "0.2.0")[0].startswith("changed in 0.3.0: ADP-009.4 added: ")
    assert h.not_applicable(["ADP-009.4"], "0.2.0") is not None
    assert h.not_applicable(["ADP-009.4", "OBJ-018.6"], "0.2.0") is None
    # REF-001's text never changed: newly tested in 0.3.0 by the input-class tests only
    ref = h.since(["REF-001.1"], "0.2.0", test_file="store/test_store_texts_and_limits.py")
    assert ref and all("REF-001.1 newly tested" in n for n in ref)
    assert h.since(["REF-001.1"], "0.2.0", test_file="store/test_store.py") == []
    # an untouched clause has no note (ENC-006: indefinite lengths, unchanged and no test
    # of it moved or added since 0.1.0)
    assert h.since(["ENC-006"], "0.1.0") == []
    # a clause of 0.1.0's last text added under that number is no longer "newer"
    assert h.not_applicable(["ADP-018.1"], "0.1.0") is None


@pytest.mark.req("ADP-005.6")
def test_the_plugin_refuses_an_unknown_spec_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
         "--gritwit-spec-version", "0.2.9", str(SUITE / "protocol" / "test_protocol.py")],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 4, done.stdout + done.stderr
    assert "--spec-version '0.2.9': not a version spec/clauses.json records" in done.stderr
    assert "known: 0.1.0, 0.2.0, 0.3.0" in done.stderr


@pytest.mark.req("ADP-005.6")
def test_conform_refuses_an_unknown_spec_version_before_any_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    status = run_conform(
        json_path=out.with_suffix(".json"), junit_path=out.with_suffix(".xml"), spec_version="2"
    )
    assert status == 2
    assert "known: 0.1.0, 0.2.0, 0.3.0" in capsys.readouterr().err
    assert not out.with_suffix(".json").exists()


@pytest.mark.req("ADP-005.6")
def test_claimed_is_the_version_of_hello(capsys: pytest.CaptureFixture[str]) -> None:
    from gritwit_conformance.runs import _conform

    assert _conform._applied_version("claimed", None) == gritwit.SPEC_VERSION
    hello = {"implementation": {"spec": "0.2.0"}}
    assert _conform._applied_version("claimed", hello) == "0.2.0"
    hello = {"implementation": {"spec": "0.2.7"}}
    assert _conform._applied_version("claimed", hello) is None
    assert "'0.2.7': not a version" in capsys.readouterr().err

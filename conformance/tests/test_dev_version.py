"""Honest versions (CONV-003.7, ADP-005.4, issue 44): while ``spec/CHANGES.md``'s
*Unreleased* section holds entries, the tree carries a development version, never the
number of a release; ``gritwit --version`` says so; only releases are recorded."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit
from gritwit_conformance import SUITE_VERSION
from gritwit_conformance.data._versions import (
    UNRELEASED,
    SpecHistory,
    is_development,
    parse_changes,
    parse_version,
    release_of,
)
from gritwit_conformance.trace._changes import update_clauses

ROOT = Path(__file__).resolve().parents[2]


def unreleased_entries() -> int:
    changes = (ROOT / "spec" / "CHANGES.md").read_text(encoding="utf-8")
    return sum(entry.version == UNRELEASED for entry in parse_changes(changes))


def recorded_versions() -> list[str]:
    data = json.loads((ROOT / "spec" / "clauses.json").read_text(encoding="utf-8"))
    return list(data["versions"])


@pytest.mark.req("CONV-003.7", "CONV-003.4")
def test_the_version_is_a_development_one_exactly_while_changes_are_unreleased() -> None:
    version = gritwit.__version__
    assert version == gritwit.SPEC_VERSION == SUITE_VERSION
    recorded = recorded_versions()
    if unreleased_entries():
        assert is_development(version), (
            f"spec/CHANGES.md has {unreleased_entries()} unreleased entries, and the tree "
            f"calls itself {version}: a development version X.Y.Z.devN is due (CONV-003.7)"
        )
        assert release_of(version) not in recorded, (version, recorded)
        newest = max(recorded, key=lambda v: parse_version(v) or ())
        assert (parse_version(newest) or ()) < (parse_version(version) or ()), (newest, version)
    else:
        assert not is_development(version) and version in recorded, (version, recorded)


@pytest.mark.req("CONV-003.7", "CONV-003.4")
def test_gritwit_version_never_claims_a_release_while_changes_are_unreleased() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gritwit_conformance", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    words = re.findall(r"\d+\.\d+\.\d+(?:\.dev\d+)?", done.stdout)
    assert len(words) == 3, done.stdout
    if unreleased_entries():
        assert all(is_development(word) for word in words), done.stdout
        assert not set(words) & set(recorded_versions()), done.stdout


@pytest.mark.req("CONV-003.7", "CONV-003.6", "ADP-005.5")
def test_development_versions_order_between_releases() -> None:
    order = ["0.2.0", "0.3.0", "0.4.0.dev0", "0.4.0.dev1", "0.4.0", "0.10.0.dev0"]
    keys = [parse_version(v) for v in order]
    assert None not in keys and keys == sorted(keys)  # type: ignore[type-var]
    assert parse_version("0.4.0.dev") is None and parse_version("0.4.0-dev0") is None
    history = SpecHistory(
        current="0.4.0.dev0",
        records={"0.3.0": frozenset({"ZZZ-001"})},
        entries=parse_changes("# c\n\n## Unreleased\n\n- ZZZ-009 — added: new.\n"),
    )
    assert history.is_older("0.3.0") and not history.is_older("0.4.0.dev0")
    assert history.since(["ZZZ-009"], "0.3.0") == [
        "changed since the last release (unreleased): ZZZ-009 added: new."
    ]
    assert history.since(["ZZZ-009"], "0.4.0.dev0") == []  # its own version: nothing marked
    assert history.check_applied("0.4.0.dev0") == "0.4.0.dev0"
    assert history.not_applicable(["ZZZ-009"], "0.4.0.dev0") is None
    assert history.not_applicable(["ZZZ-009"], "0.3.0") is not None


@pytest.mark.req("CONV-003.7", "CONV-003.3")
def test_the_record_refuses_a_development_version() -> None:
    before = (ROOT / "spec" / "clauses.json").read_bytes()
    wrote, lines = update_clauses(ROOT, "0.4.0.dev0")
    assert not wrote and "refused" in lines[0] and "0.4.0" in lines[0]
    assert (ROOT / "spec" / "clauses.json").read_bytes() == before


@pytest.mark.req("ADP-005.4", "CONV-003.7")
def test_the_reference_claims_its_development_version_in_hello() -> None:
    from gritwit.adapter import ReferenceAdapter

    hello = ReferenceAdapter().handle({"seq": 1, "cmd": "hello", "protocol": 1})
    assert hello["implementation"]["spec"] == gritwit.SPEC_VERSION


def _version_of_copy(tmp_path: Path, changes: str) -> str:
    """``gritwit --version``'s package number in a copy of the package beside ``changes``."""
    shutil.copytree(
        ROOT / "reference" / "gritwit",
        tmp_path / "reference" / "gritwit",
        ignore=shutil.ignore_patterns("__pycache__"),
        dirs_exist_ok=True,
    )
    (tmp_path / "spec").mkdir(exist_ok=True)
    (tmp_path / "spec" / "CHANGES.md").write_text(changes, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "reference")])}
    done = subprocess.run(
        [sys.executable, "-m", "gritwit_conformance", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    )
    found = re.match(r"gritwit (\S+) \(spec (\S+), suite (\S+)\)", done.stdout)
    assert found is not None, done.stdout
    assert len(set(found.groups())) == 1, done.stdout  # one number, three names
    return found.group(1)


@pytest.mark.req("CONV-003.8", "CONV-003.4")
def test_adding_a_changes_entry_changes_gritwit_version(tmp_path: Path) -> None:
    """Issue 56, item 2: a development version names its text; no file is edited but
    spec/CHANGES.md (a copy of the package, so the checkout's number stays put)."""
    from gritwit._version import RELEASE

    changes = (ROOT / "spec" / "CHANGES.md").read_text(encoding="utf-8")
    before = _version_of_copy(tmp_path, changes)
    assert before == gritwit.__version__  # the copy reads what the checkout reads
    entry = "- ZZZ-001 — added: one more entry, for this test only.\n"
    added = changes.replace("\n## Unreleased\n", "\n## Unreleased\n\n" + entry, 1)
    after = _version_of_copy(tmp_path, added)
    assert after != before and parse_version(after) > parse_version(before)  # type: ignore[operator]
    assert release_of(after) == RELEASE and is_development(after)
    # and with Unreleased empty the tree carries the release itself (CONV-003.7)
    empty = re.sub(r"(## Unreleased\n)(.*?)(\n## )", r"\1\3", changes, count=1, flags=re.S)
    assert _version_of_copy(tmp_path, empty) == RELEASE


@pytest.mark.req("CONV-003.8")
@given(
    entries=st.integers(min_value=0, max_value=40),
    continued=st.integers(min_value=0, max_value=3),
    released=st.integers(min_value=0, max_value=5),
)
def test_n_counts_the_items_of_unreleased_and_nothing_else(
    entries: int, continued: int, released: int
) -> None:
    from gritwit._version import development_number, version_for

    item = "- ZZZ-001 — added: a line\n" + "  continued - not an item\n" * continued
    text = (
        "# Spec changes\n\nIntro.\n\n- not in a section\n\n## Unreleased\n\nWhat it is.\n\n"
        + item * entries
        + "\n## 0.3.0 (from 0.2.0)\n\n"
        + item * released
    )
    assert development_number(text) == entries
    want = f"1.2.3.dev{entries}" if entries else "1.2.3"
    assert version_for("1.2.3", text) == want
    assert development_number(text.replace("## Unreleased", "## Later")) == 0

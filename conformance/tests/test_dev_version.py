"""Honest versions (CONV-003.7, ADP-005.4): while ``spec/CHANGES.md``'s
*Unreleased* section holds entries, the tree carries a development version, never the
number of a release; ``gritwit --version`` says so; only releases are recorded."""

from __future__ import annotations

import importlib.util
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
    UnknownSpecVersion,
    is_development,
    parse_changes,
    parse_version,
    release_of,
    text_label,
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


def _version_of_copy(tmp_path: Path, changes: str, chapters: dict[str, bytes] | None = None) -> str:
    """``gritwit --version``'s package number in a copy of the package beside a copy of
    ``spec/`` whose CHANGES.md is ``changes`` and whose files ``chapters`` names (by
    their path in ``spec/``) hold what it gives."""
    shutil.copytree(
        ROOT / "reference" / "gritwit",
        tmp_path / "reference" / "gritwit",
        ignore=shutil.ignore_patterns("__pycache__"),
        dirs_exist_ok=True,
    )
    shutil.copytree(ROOT / "spec", tmp_path / "spec", dirs_exist_ok=True)
    for name, data in (chapters or {}).items():
        (tmp_path / "spec" / name).write_bytes(data)
    (tmp_path / "spec" / "CHANGES.md").write_text(changes, encoding="utf-8", newline="")
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
    """A development version names its text; no file is edited but
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


def _copy_version(tmp_path: Path, edit: dict[str, bytes] | None = None) -> str:
    """The version ``gritwit/_version.py`` computes beside a copy of ``spec/`` whose files
    ``edit`` names (by their path in ``spec/``) hold what it gives: the module loaded on
    its own from a copy of the package, as the build loads it (no ``gritwit`` import)."""
    root = tmp_path / f"tree{len(list(tmp_path.iterdir()))}"
    (root / "reference" / "gritwit").mkdir(parents=True)
    shutil.copy2(ROOT / "reference" / "gritwit" / "_version.py", root / "reference" / "gritwit")
    shutil.copytree(ROOT / "spec", root / "spec")
    for name, data in (edit or {}).items():
        (root / "spec" / name).write_bytes(data)
    path = root / "reference" / "gritwit" / "_version.py"
    spec = importlib.util.spec_from_file_location(f"_version_{root.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.__version__)


def _spec_bytes(name: str) -> bytes:
    return (ROOT / "spec" / name).read_bytes()


@pytest.mark.req("CONV-003.8")
def test_rewording_the_text_of_spec_changes_the_development_version(tmp_path: Path) -> None:
    """A count of entries alone stays ``0.4.0.devN`` when a CHANGES entry or a chapter is
    reworded, so two texts would share one version (CONV-003.8). The
    label of the text changes with any word of a chapter, a schema or an *Unreleased*
    entry, ``N`` staying; it does not change with the records of ``gritwit trace``, a
    released section of CHANGES.md or line ends written CRLF."""
    if not unreleased_entries():
        pytest.skip("a release carries no label: nothing to change")
    base = _copy_version(tmp_path)
    assert base == gritwit.__version__, "the copy names the text the checkout names"
    changes = _spec_bytes("CHANGES.md")
    first = changes.index(b"\n- ", changes.index(b"## Unreleased"))
    released = changes.index(b"\n- ", changes.index(b"\n## 0.3.0"))  # its first entry
    runtime = _spec_bytes("07-runtime.md")
    schema = _spec_bytes("schemas/adapter-protocol.schema.json")
    reworded = {
        "an Unreleased entry": {"CHANGES.md": changes[: first + 3] + b"x" + changes[first + 3 :]},
        "a chapter": {"07-runtime.md": runtime.replace(b"MUST", b"SHALL", 1)},
        "a schema": {
            "schemas/adapter-protocol.schema.json": schema.replace(b"lowercase", b"lower", 1)
        },
    }
    for what, edit in reworded.items():
        after = _copy_version(tmp_path, edit)
        assert after != base, f"rewording {what} must change the development version: {after}"
        assert parse_version(after) == parse_version(base), f"{what}: N stays: {after}"
        assert text_label(after) != text_label(base) and text_label(after) is not None
    unchanged = {
        "spec/clauses.json": {"clauses.json": _spec_bytes("clauses.json") + b"\n"},
        "a released section": {
            "CHANGES.md": changes[: released + 3] + b"x" + changes[released + 3 :]
        },
        "CRLF line ends": {"07-runtime.md": runtime.replace(b"\n", b"\r\n")},
    }
    for what, edit in unchanged.items():
        assert _copy_version(tmp_path, edit) == base, f"{what} is no part of the text's label"


@pytest.mark.req("CONV-003.7", "CONV-003.8")
def test_a_development_version_is_pep_440_and_orders_as_before() -> None:
    """``X.Y.Z.devN+tH`` is a PEP 440 version whose public part is ``X.Y.Z.devN`` (what
    pip compares), between the release before and its own; the label is the local part."""
    from packaging.version import Version

    from gritwit._version import DEVELOPMENT_FORM, version_for

    text = "# c\n\n## Unreleased\n\n- ZZZ-001 — added: one.\n- ZZZ-002 — added: two.\n"
    version = version_for("0.4.0", text, "0123456789ab")
    assert version == "0.4.0.dev2+t0123456789ab" and DEVELOPMENT_FORM.fullmatch(version)
    parsed = Version(version)
    assert str(parsed) == version, "PEP 440's normal form is the version itself"
    assert parsed.public == "0.4.0.dev2" and parsed.local == "t0123456789ab"
    assert Version("0.3.0") < parsed < Version("0.4.0") and parsed > Version("0.4.0.dev1")
    if unreleased_entries():
        assert DEVELOPMENT_FORM.fullmatch(gritwit.__version__), gritwit.__version__
        assert str(Version(gritwit.__version__)) == gritwit.__version__
    # the suite reads the form the package writes (data._versions, no import of gritwit)
    assert is_development(version) and release_of(version) == "0.4.0"
    assert text_label(version) == "0123456789ab" and text_label("0.4.0.dev2") is None
    assert parse_version(version) == parse_version("0.4.0.dev2")
    for bad in ("0.4.0.dev2+t0123", "0.4.0.dev2+g0123456789ab", "0.4.0+t0123456789ab"):
        assert parse_version(bad) is None and not is_development(bad), bad


@pytest.mark.req("CONV-003.8", "ADP-005.5", "ADP-005.6")
def test_a_claim_of_another_text_with_the_suites_n_is_judged_older() -> None:
    """The suite's ``N`` with another label names a text the suite cannot place: judged
    older, every *Unreleased* entry marked; without a label, the suite's own text, as
    claims were read before labels existed (the Node example claims ``X.Y.Z.devN``)."""
    current = "0.4.0.dev2+t0123456789ab"
    history = SpecHistory(
        current=current,
        records={"0.3.0": frozenset({"ZZZ-001"})},
        entries=parse_changes("# c\n\n## Unreleased\n\n- ZZZ-009 — added: new.\n"),
    )
    note = ["changed since the last release (unreleased): ZZZ-009 added: new."]
    other = "0.4.0.dev2+tba9876543210"
    assert history.is_older(other) and history.since(["ZZZ-009"], other) == note
    assert history.not_applicable(["ZZZ-009"], other) is not None
    for same in (current, "0.4.0.dev2"):
        assert not history.is_older(same) and history.since(["ZZZ-009"], same) == []
        assert history.check_applied(same) == same
    assert history.is_older("0.4.0.dev1+tba9876543210") and history.is_older("0.4.0.dev1")
    assert not history.is_older("0.4.0.dev3+tba9876543210") and not history.is_older("0.4.0")
    with pytest.raises(UnknownSpecVersion):
        history.check_applied(other)
    # the reports' story says the same (report/_story.py)
    from gritwit_conformance.report._story import older

    assert older(other, current) and not older("0.4.0.dev2", current)
    assert older("0.4.0.dev1", current) and not older(current, current)

"""Every check of the suite names its clause (ADP-005.5, CONV-004): a ratchet.

The suite's checks go through its check helpers (``suite/_check.py``), each given the
clause it checks and saying in words what was expected and what came.  A bare
``assert``, an answer indexed before its outcome is checked (``reply.result["x"]``)
and ``expect_ok()`` name no clause (:mod:`gritwit_conformance.trace._suite_lint`).

Thousands of them predate the helpers, so each file has an allowance of each kind in
``suite_checks_allowance.json`` that may only go down: a file over it fails naming its
lines, a file under it fails until the allowance is lowered to its count (``python -m
gritwit_conformance.trace._suite_lint`` prints today's counts), and a file the allowance
does not list — a new one — is allowed none.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from gritwit_conformance.trace._suite_lint import KINDS, counts, findings

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "conformance" / "gritwit_conformance" / "suite"
ALLOWANCE_FILE = Path(__file__).with_name("suite_checks_allowance.json")

pytestmark = pytest.mark.req("ADP-005.5", "CONV-004")


def _allowance() -> dict[str, dict[str, int]]:
    loaded: dict[str, dict[str, int]] = json.loads(ALLOWANCE_FILE.read_text(encoding="utf-8"))
    return loaded


def beyond(suite: Path, allowance: dict[str, dict[str, int]]) -> list[str]:
    """One line per file and kind over its allowance (none for a file it does not list),
    with the lines of every finding of that kind in the file."""
    problems = []
    for file, found in findings(suite).items():
        for kind in KINDS:
            mine = [f for f in found if f.kind == kind]
            allowed = allowance.get(file, {}).get(kind, 0)
            if len(mine) > allowed:
                lines = ", ".join(str(f.line) for f in mine)
                problems.append(
                    f"{mine[0]} — {len(mine)} in suite/{file}, allowed {allowed} (lines {lines})"
                )
    return problems


def slack(suite: Path, allowance: dict[str, dict[str, int]]) -> list[str]:
    """One line per file and kind under its allowance: the allowance must come down."""
    now = counts(suite)
    return [
        f"suite/{file}: {now.get(file, {}).get(kind, 0)} {kind}, allowed {allowed}: lower "
        f"the allowance to {now.get(file, {}).get(kind, 0)}"
        for file, kinds in sorted(allowance.items())
        for kind, allowed in kinds.items()
        if now.get(file, {}).get(kind, 0) < allowed
    ]


def test_no_file_of_the_suite_checks_without_a_clause_beyond_its_allowance() -> None:
    problems = beyond(SUITE, _allowance())
    assert not problems, "\n".join(problems)


def test_the_allowance_only_goes_down() -> None:
    """A file converted to the check helpers has its allowance lowered with it, so the
    room it freed cannot be taken by new bare asserts; a file gone leaves the allowance."""
    allowance = _allowance()
    gone = [file for file in allowance if not (SUITE / file).is_file()]
    assert not gone, f"allowed but gone: drop {gone} from {ALLOWANCE_FILE.name}"
    assert all(set(kinds) <= set(KINDS) and all(kinds.values()) for kinds in allowance.values())
    problems = slack(SUITE, allowance)
    assert not problems, "\n".join(problems)


SAMPLE = """
from .._check import check, ok_answer


def test_x(impl):
    reply = impl.call("decode", bytes="00")
    assert reply.ok, reply
    data = reply.result["object"]
    value = ok_answer(reply, "OBJ-018")["object"]
    check("OBJ-018", value == data, expected="the same", came=value)
    impl.call("hash", bytes="").expect_ok()
    kind = reply.error["class"]
"""


def test_the_lint_finds_each_kind_and_passes_the_helpers(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    (suite / "codec").mkdir(parents=True)
    (suite / "codec" / "test_x.py").write_text(textwrap.dedent(SAMPLE), encoding="utf-8")
    found = findings(suite)["codec/test_x.py"]
    assert [(f.line, f.kind) for f in found] == [
        (7, "assert"),
        (8, "index"),
        (11, "expect_ok"),
        (12, "index"),
    ]
    # a new file is allowed nothing; an allowance covers exactly its count
    assert len(beyond(suite, {})) == 3
    exact = {"codec/test_x.py": {"assert": 1, "index": 2, "expect_ok": 1}}
    assert beyond(suite, exact) == []
    assert slack(suite, exact) == []
    over = beyond(suite, {"codec/test_x.py": {"assert": 1, "index": 1, "expect_ok": 1}})
    assert over == [
        "suite/codec/test_x.py:8: an answer indexed before its outcome is checked (use "
        "ok_answer) — 2 in suite/codec/test_x.py, allowed 1 (lines 8, 12)"
    ]
    loose = slack(suite, {"codec/test_x.py": {"assert": 2, "index": 2, "expect_ok": 1}})
    assert loose == ["suite/codec/test_x.py: 1 assert, allowed 2: lower the allowance to 1"]

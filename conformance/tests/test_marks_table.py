"""The marks' acceptance table (ADP-005.5, ``_marks_table.py``): its rows and its reading.

The table's runs take most of an hour (``python conformance/tests/_marks_table.py``);
these checks are quick: every one of the 30 clauses the change log names most has a
declared wrong adapter that breaks it, and a failure's marks are read as the table's
columns say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import _marks_table as table
import pytest

from gritwit_conformance.wrong import ROWS, WRONG

pytestmark = pytest.mark.req("ADP-005.5", "CONV-002")


def test_each_of_the_30_clauses_has_a_declared_wrong_adapter_that_breaks_it() -> None:
    """The table's 30 rows are clauses the change log names most: every clause named
    more often than the 30th is a row, and every row is named at least as often as the
    30th.  Clauses tied with the 30th may change places as entries are added (the
    services profile gave ADP-006 its fifth entry, tying SBX-007.5's), so the rows keep
    the tie measured on 2026-11-29."""
    chosen = table.most_changed()
    assert len(chosen) == table.CLAUSES
    floor = chosen[-1][1]
    counts = dict(table.most_changed(10_000))
    assert len(table.ADAPTERS) == table.CLAUSES
    for clause, row in table.ADAPTERS.items():
        entry = WRONG[row.adapter]
        assert clause in entry.failed and entry.outcome == "failed", (clause, row.adapter)
        assert counts.get(clause, 0) >= floor >= 5, (clause, counts.get(clause), floor)
    above = {clause for clause, entries in chosen if entries > floor}
    assert above <= set(table.ADAPTERS), sorted(above - set(table.ADAPTERS))


def test_the_rows_of_the_five_clauses_no_other_adapter_broke_are_rows_of_the_table() -> None:
    for name in (
        "wasm_memory_limit_doubled",
        "wit_set_code_limit_off_by_one",
        "wit_mt_case_folded",
        "codec_bad_text_malformed",
        "runtime_fork_blob_keys_unsorted",
    ):
        assert name in ROWS and len(ROWS[name].entry.failed) == 1, name


def _record(
    reason: str, *marks: str, cited: tuple[str, ...] = ("A-001", "B-002")
) -> dict[str, Any]:
    return {"outcome": "failed", "reason": reason, "since": list(marks), "requirements": cited}


NOTE = "changed in 0.3.0: {} added: something"


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        (_record("ClauseFailure: A-001: x: expected 1, came 2"), "unmarked"),
        (_record("ClauseFailure: A-001: x", NOTE.format("A-001")), "right"),
        # the clause's lead or a sub-clause names it too
        (_record("ClauseFailure: A-001.2: x", NOTE.format("A-001.2")), "right"),
        # a mark of another clause the failing check names: marked, not by the clause broken
        (_record("ClauseFailure: B-002: x", NOTE.format("B-002")), "other"),
        # a mark of a clause the failure's text does not name: unrelated to the check
        (_record("ClauseFailure: B-002: x", NOTE.format("C-003")), "wrong"),
        # one wrong mark among right ones still makes the failure's marks wrong
        (_record("A-001: x", NOTE.format("A-001"), NOTE.format("C-003")), "wrong"),
        # a plain assertion of a test citing one clause checks that clause
        (_record("assert 1 == 2", NOTE.format("A-001"), cited=("A-001",)), "right"),
        (
            _record(
                "x",
                "changed since the last release (unreleased): A-001 wording: y",
                cited=("A-001",),
            ),
            "right",
        ),
        (
            _record(
                "x", "added after 0.1.0: A-001 (no entry in spec/CHANGES.md)", cited=("A-001",)
            ),
            "right",
        ),
    ],
)
def test_a_failure_is_read_into_one_column(record: dict[str, Any], kind: str) -> None:
    assert table.classify(record, "A-001") == kind


def test_the_counts_add_up(tmp_path: Path) -> None:
    import json

    records = [
        _record("A-001: x", NOTE.format("A-001")),
        _record("B-002: x", NOTE.format("B-002")),
        _record("B-002: x"),
        {"outcome": "passed", "reason": "", "requirements": []},
        {"outcome": "errored", "reason": "", "requirements": []},
    ]
    report = tmp_path / "A-001.json"
    report.write_text(json.dumps({"results": records}), encoding="utf-8")
    counts = table.counts(table.Row("A-001", "x"), 7, report)
    assert (counts.failures, counts.right, counts.other, counts.unmarked) == (3, 1, 1, 1)
    assert (counts.wrong, counts.broken, counts.passed) == (0, 1, 1)
    text = table.table([counts])
    assert "| A-001 | 7 | x | 3 | 1 | 0 | 1 | 1 | 1 | 1 |" in text
    assert "| all | | | 3 | 1 (33.3 %) | 0 | 1 | 1 | 1 | 1 |" in text

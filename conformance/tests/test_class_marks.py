"""A check of an error class checks CONV-004 beside its clause, and CONV-004's entries
mark its failure only when they quote the class expected (ADP-005.5, CONV-004)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from gritwit_conformance.data._versions import spec_history
from gritwit_conformance.harness._messages import Response
from gritwit_conformance.suite._check import (
    CLASS_RULE,
    ClauseFailure,
    check_error_class,
    check_outcome,
    error_answer,
    same_answer,
)
from gritwit_conformance.suite.sandbox._runs import check_class
from gritwit_conformance.trace._assertions import checked_ids

pytestmark = pytest.mark.req("ADP-005.5", "CONV-004")

REFUSED = Response(1, False, error={"class": "program-exit", "message": "x"}, cmd="sandbox-run")
ANSWERED = Response(1, True, result={}, cmd="sandbox-run")


def _failure(call: object) -> ClauseFailure:
    assert callable(call)
    with pytest.raises(ClauseFailure) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    "call",
    [
        lambda: error_answer(REFUSED, "SBX-008.2", "forbidden-operation"),
        lambda: check_outcome("SBX-008.2", REFUSED, "forbidden-operation"),
        lambda: check_error_class("SBX-008.2", "forbidden-operation", "program-exit"),
        lambda: check_class("SBX-008.2", "forbidden-operation", "program-exit", "a run"),
        lambda: same_answer(
            "SBX-008.2",
            REFUSED,
            Response(1, False, error={"class": "forbidden-operation"}, cmd="sandbox-run"),
        ),
    ],
    ids=["error_answer", "check_outcome", "check_error_class", "check_class", "same_answer"],
)
def test_a_class_check_names_conv_004_beside_its_clause(call: object) -> None:
    failure = _failure(call)
    assert failure.clauses == ("SBX-008.2", CLASS_RULE), (
        f"expected the failure to name SBX-008.2 and CONV-004, it names {failure.clauses}"
    )
    assert failure.by_term == (CLASS_RULE,), failure.by_term
    assert failure.message.startswith("SBX-008.2, CONV-004: "), failure.message
    assert "forbidden-operation" in failure.expected, failure.expected


@pytest.mark.parametrize(
    "call",
    [
        lambda: check_outcome("SBX-008.2", REFUSED, "ok"),
        lambda: check_class("SBX-008.2", None, "program-exit", "a run"),
        lambda: same_answer("SBX-008.2", REFUSED, ANSWERED),
    ],
    ids=["check_outcome-ok", "check_class-success", "same_answer-value"],
)
def test_a_check_expecting_a_value_names_its_clause_alone(call: object) -> None:
    failure = _failure(call)
    assert failure.clauses == ("SBX-008.2",) and failure.by_term == (), failure.clauses


def test_a_class_check_that_names_conv_004_itself_names_it_once() -> None:
    failure = _failure(lambda: error_answer(REFUSED, ("ENC-016", "CONV-004"), "unsorted-keys"))
    assert failure.clauses == ("ENC-016", "CONV-004"), failure.clauses


def test_check_error_class_says_both_classes_in_words() -> None:
    assert (
        _failure(lambda: check_error_class("SBX-008.2", "trap", None, "a run")).message
        == "SBX-008.2, CONV-004: a run: expected error trap, came no error"
    )
    assert (
        _failure(lambda: check_error_class("SBX-008.2", "trap", "program-exit")).message
        == "SBX-008.2, CONV-004: expected error trap, came error program-exit"
    )
    check_error_class("SBX-008.2", "trap", "trap")  # passes


def _marks(expected: str) -> list[str]:
    history = spec_history()
    assert history is not None
    failure = ClauseFailure(
        "SBX-008.2", expected=expected, came="error program-exit", by_term=(CLASS_RULE,)
    )
    return history.since_check(
        failure.clauses,
        "0.1.0",
        suite_text=failure.suite_text,
        by_term={rid: failure.expected for rid in failure.by_term},
    )


def _class_table_marks(notes: list[str]) -> list[str]:
    return [n for n in notes if ": CONV-004 " in n]


def test_the_class_tables_entry_quoting_the_expected_class_marks_the_failure() -> None:
    table = _class_table_marks(_marks("error forbidden-operation"))
    assert len(table) == 1 and "`forbidden-operation`" in table[0], (
        f"expected the one CONV-004 entry quoting `forbidden-operation`, got {table}"
    )
    table = _class_table_marks(_marks("error time-limit"))
    assert len(table) == 1 and "`time-limit`" in table[0], table


def test_no_entry_of_the_class_table_marks_a_class_it_never_added() -> None:
    """``unsorted-keys`` is in the table since 0.1.0: no entry of CONV-004 explains a
    failure expecting it, so none marks it (where another check's words would pick
    every entry of a clause)."""
    assert _class_table_marks(_marks("error unsorted-keys")) == []


def test_a_check_naming_conv_004_as_its_own_clause_still_reaches_every_entry() -> None:
    """Only a clause the check judges through a term is narrowed: CONV-004 named as the
    clause a check is about (a precedence rule's check) keeps ADP-005.5's other reading."""
    history = spec_history()
    assert history is not None
    failure = ClauseFailure("CONV-004", expected="the precedence", came="another")
    notes = history.since_check(failure.clauses, "0.1.0", suite_text=failure.suite_text)
    assert len(_class_table_marks(notes)) >= 5, notes


def _named(source: str) -> set[str]:
    function = ast.parse(textwrap.dedent(source)).body[0]
    assert isinstance(function, ast.FunctionDef)
    return checked_ids(function)


@pytest.mark.parametrize(
    ("source", "names_conv_004"),
    [
        ("def t(impl):\n    error_answer(r, 'SBX-008.2', 'trap')", True),
        ("def t(impl):\n    check_outcome('SBX-008.2', r, 'trap')", True),
        ("def t(impl):\n    check_outcome('SBX-008.2', r, 'ok')", False),
        ("def t(impl):\n    check_outcome('SBX-008.2', r, expected)", True),
        ("def t(impl):\n    check_class('SBX-008.2', None, got, 'w')", False),
        ("def t(impl):\n    check_class('SBX-008.2', 'trap', got, 'w')", True),
        ("def t(impl):\n    check_error_class('SBX-008.2', 'trap', got)", True),
        ("def t(impl):\n    expect_error(r, 409, 'key-conflict', 'HTTP-005.5')", True),
        ("def t(impl):\n    check_equal('SBX-008.2', 'trap', got)", False),
    ],
)
def test_the_citation_check_reads_a_class_check_as_naming_conv_004(
    source: str, names_conv_004: bool
) -> None:
    assert (CLASS_RULE in _named(source)) is names_conv_004, (source, _named(source))


def test_every_suite_test_with_a_class_check_cites_conv_004() -> None:
    from gritwit_conformance.trace._assertions import uncited_in_messages

    suite = Path(__file__).resolve().parents[1] / "gritwit_conformance" / "suite"
    uncited = [line for line in uncited_in_messages(suite) if "CONV-004" in line]
    assert uncited == [], "\n".join(uncited[:10])


def test_citing_conv_004_beside_a_newer_clause_keeps_the_test_out_of_an_older_version() -> None:
    """ADP-005.6: a test of ADP-009.4 (added in 0.3.0) whose check of a class also cites
    CONV-004 is as new as ADP-009.4; CONV-004 alone, or beside an older clause, runs."""
    history = spec_history()
    assert history is not None
    reason = history.not_applicable(["ADP-009.4", CLASS_RULE], "0.2.0")
    assert reason is not None and "ADP-009.4 added in 0.3.0" in reason, reason
    assert history.not_applicable([CLASS_RULE], "0.2.0") is None
    assert history.not_applicable(["ENC-010", CLASS_RULE], "0.2.0") is None

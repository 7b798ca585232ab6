"""A suite test cites the clauses its assertions name (ADP-005.5): a failure's
mark comes from the clauses its failing assertion names, so an assertion naming a clause
its test does not cite would mark nothing, or the wrong rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gritwit_conformance.trace._assertions import covers, suite_namings, uncited_in_messages

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "conformance" / "gritwit_conformance" / "suite"

HELPERS = '''
from __future__ import annotations


def query(answer: dict) -> None:
    """Imported by a test module: its message counts for the tests calling it."""
    assert "error" in answer, f"a lone surrogate is malformed (ADP-004.11): {answer}"
'''

TESTS = """
from __future__ import annotations

import pytest

from .._check import check, ok_answer
from ._helpers import query

pytestmark = pytest.mark.req("ADP-001")


def _check(answer: dict) -> None:
    if answer:
        _deeper(answer)


def _deeper(answer: dict) -> None:
    pytest.fail(f"RUN-021.3: ran outside its share: {answer}")


def _cases() -> list:
    return [pytest.param(1, marks=pytest.mark.req("ENC-010"))]


@pytest.mark.req("WIT-017.3")
def test_cites_the_wrong_rule() -> None:
    query({})


@pytest.mark.req("WIT-017.3", "ADP-004.11")
def test_cites_the_rule() -> None:
    query({})


@pytest.mark.req("RUN-021")
def test_a_sub_clause_of_a_cited_lead() -> None:
    _check({"a": 1})


def test_names_a_clause_of_no_mark() -> None:
    _check({"a": 1})


@pytest.mark.parametrize("case", _cases())
def test_cited_by_its_params(case: int) -> None:
    assert case, "keys out of order (ENC-010.1)"


@pytest.mark.req("OBJ-018")
def test_checks_name_their_clauses(reply: dict) -> None:
    check("OBJ-018.1", reply, expected="a value", came=reply)
    rule = "WIT-017.3" if reply else "ADP-004.11"
    ok_answer(reply, rule)
    answer = other(reply, "ENC-014")  # a clause given to something else: not a check
    assert answer, f"{answer}"


class TestInAClass:
    pytestmark = pytest.mark.req("OBJ-003")

    def test_method(self) -> None:
        assert False, "a field left out (OBJ-003.1) and an unsorted key (ENC-010)"
"""


def _suite(tmp_path: Path) -> Path:
    suite = tmp_path / "suite"
    (suite / "codec").mkdir(parents=True)
    (suite / "__init__.py").write_text("", encoding="utf-8")
    (suite / "codec" / "__init__.py").write_text("", encoding="utf-8")
    (suite / "codec" / "_helpers.py").write_text(textwrap.dedent(HELPERS), encoding="utf-8")
    (suite / "codec" / "test_x.py").write_text(textwrap.dedent(TESTS), encoding="utf-8")
    return suite


@pytest.mark.req("ADP-005.5")
def test_the_check_names_each_test_whose_assertions_name_an_uncited_clause(
    tmp_path: Path,
) -> None:
    found = {t.place.split("::")[1]: t for t in suite_namings(_suite(tmp_path))}
    assert set(found) == {
        "test_cites_the_wrong_rule",
        "test_cites_the_rule",
        "test_a_sub_clause_of_a_cited_lead",
        "test_names_a_clause_of_no_mark",
        "test_cited_by_its_params",
        "test_checks_name_their_clauses",
        "test_method",
    }
    # through an imported helper: the WIT-017.3 where ADP-004.11 is the rule
    assert found["test_cites_the_wrong_rule"].uncited == ["ADP-004.11"]
    assert found["test_cites_the_rule"].uncited == []
    # through two helpers of its module; a sub-clause of a cited lead is that lead
    assert found["test_a_sub_clause_of_a_cited_lead"].named == {"RUN-021.3"}
    assert found["test_a_sub_clause_of_a_cited_lead"].uncited == []
    assert found["test_names_a_clause_of_no_mark"].uncited == ["RUN-021.3"]
    # a pytest.param's marks built by a helper, and a class's pytestmark, are citations
    assert found["test_cited_by_its_params"].uncited == []
    assert found["test_method"].cited == {"ADP-001", "OBJ-003"}
    assert found["test_method"].uncited == ["ENC-010"]
    # a check helper's clause, literal or a local name's literals, is named; a clause
    # handed to anything else is not, nor a local holding an answer
    checks = found["test_checks_name_their_clauses"]
    assert checks.named == {"OBJ-018.1", "WIT-017.3", "ADP-004.11"}
    assert checks.uncited == ["ADP-004.11", "WIT-017.3"]
    lines = uncited_in_messages(tmp_path / "suite")
    assert len(lines) == 4 and all("which it does not cite" in line for line in lines)


@pytest.mark.req("ADP-005.5")
def test_a_citation_covers_itself_its_sub_clauses_and_its_lead() -> None:
    assert covers(["RUN-021"], "RUN-021.3") and covers(["RUN-021.3"], "RUN-021")
    assert covers(["RUN-021"], "RUN-021")
    assert not covers(["RUN-021"], "RUN-022") and not covers(["RUN-021.1"], "RUN-021.10")
    assert not covers(["RUN-002"], "RUN-021") and not covers([], "RUN-021")


@pytest.mark.slow
@pytest.mark.req("ADP-005.5")
def test_every_suite_test_cites_the_clauses_its_assertions_name() -> None:
    """The CI check: a mismatch here is fixed in the suite (cite the clause, or name
    the rule the assertion checks), never by loosening this test."""
    namings = suite_namings(SUITE)
    problems = uncited_in_messages(namings)
    assert not problems, "\n".join(problems)
    assert len(namings) > 700 and sum(bool(t.named) for t in namings) > 400  # it read them

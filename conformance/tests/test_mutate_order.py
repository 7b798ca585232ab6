"""Which tests a mutant meets first, and a screen that judges only kills (CONV-005).

A backlog of mutants of the service is judged in hours, not days, only when a mutant
meets the test that killed its neighbours early: within the tests citing its clause
and within the rest, the killers of its module's other mutants run first.  A screen
(``--screen N``) runs each mutant against its first N tests and records only what it
saw: a kill is a verdict, a mutant alive after N tests is *screened*, never *survived*.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from gritwit_conformance.mutate import Options, run_mutation
from gritwit_conformance.mutate._coverage import Coverage
from gritwit_conformance.mutate._report import build_report, render_summary
from gritwit_conformance.mutate._run import _module_killers, collect_mutants
from gritwit_conformance.mutate._select import select_tests

pytestmark = pytest.mark.req("CONV-005")


def _ids_mutant(original: str, replacement: str):  # type: ignore[no-untyped-def]
    return next(
        m
        for m in collect_mutants(["codec"])
        if m.module == "gritwit/_ids.py" and m.original == original and m.replacement == replacement
    )


def test_the_killers_of_a_modules_other_mutants_run_first_within_each_half() -> None:
    """Fastest first was the only order: a killer of the module's other mutants that is
    slower than the rest ran last.  It now runs first among the tests not citing the
    mutant's clause, the most-killing first, and a test citing the clause still runs
    before any that does not."""
    mutant = next(m for m in collect_mutants(["codec"]) if m.in_function and m.requirements)
    line = [[mutant.module, [mutant.line]]]
    own = mutant.requirements[0]
    tests = {
        "suite/codec/test_a.py::fast": {"lines": line, "seconds": 0.1, "requirements": []},
        "suite/codec/test_a.py::slow_killer": {"lines": line, "seconds": 5.0, "requirements": []},
        "suite/codec/test_a.py::twice": {"lines": line, "seconds": 9.0, "requirements": []},
        "suite/codec/test_a.py::cites": {"lines": line, "seconds": 7.0, "requirements": [own]},
    }
    coverage = Coverage({"key": "k", "tests": tests})
    plain, _ = select_tests(mutant, coverage)
    assert plain == [
        "suite/codec/test_a.py::cites",
        "suite/codec/test_a.py::fast",
        "suite/codec/test_a.py::slow_killer",
        "suite/codec/test_a.py::twice",
    ], f"without killers: the clause's test, then fastest first; came {plain}"
    kills = {"suite/codec/test_a.py::slow_killer": 1, "suite/codec/test_a.py::twice": 2}
    ordered, _ = select_tests(mutant, coverage, kills)
    assert ordered == [
        "suite/codec/test_a.py::cites",
        "suite/codec/test_a.py::twice",
        "suite/codec/test_a.py::slow_killer",
        "suite/codec/test_a.py::fast",
    ], f"with killers: the clause's test, then most kills first; came {ordered}"


def test_the_evidence_names_each_modules_killers(tmp_path: Path) -> None:
    """The killers table counts, per module, the mutants each recorded test killed; a
    mutant no longer among the groups' is left out, and no evidence file is no table."""
    one, two = collect_mutants(["codec"])[:2]
    evidence = {
        "requirements": {
            "ENC-001": [
                {"kind": "mutant", "mutant": one.id, "test": "suite/codec/test_a.py::t"},
                {"kind": "mutant", "mutant": two.id, "test": "suite/codec/test_a.py::t"},
                {"kind": "mutant", "mutant": "m-gone000000", "test": "suite/x.py::y"},
            ]
        }
    }
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(evidence), encoding="utf-8")
    table = _module_killers(path, [one, two])
    expected = {one.module: {"suite/codec/test_a.py::t": 1 + (two.module == one.module)}}
    if two.module != one.module:
        expected[two.module] = {"suite/codec/test_a.py::t": 1}
    assert table == expected, f"expected {expected}, came {table}"
    assert _module_killers(tmp_path / "absent.json", [one]) == {}


@pytest.mark.slow
def test_a_screen_records_kills_and_leaves_the_rest_unjudged(tmp_path: Path) -> None:
    """With ``screen=1`` a mutant whose first test kills it is *killed*; one whose only
    killer is its second test is *screened*: no result, listed in the report, and the run
    is incomplete (a whole baseline is not written from it)."""
    text_check = _ids_mutant("len(text) != 2 * ID_LENGTH", "(len(text) == 2 * ID_LENGTH)")
    killer = "suite/store/test_store.py::test_malformed_ids_in_arguments[memory]"
    blind = (
        "suite/protocol/test_protocol.py::"
        "test_unknown_commands_are_refused_and_the_adapter_keeps_running"
    )
    line = [[text_check.module, [text_check.line]]]
    # the blind test is faster, so it comes first and the screen of one test ends there
    coverage = Coverage(
        {
            "key": "test",
            "tests": {
                killer: {"lines": line, "seconds": 0.5, "requirements": []},
                blind: {"lines": line, "seconds": 0.1, "requirements": []},
            },
        }
    )
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    options = Options(groups=("codec",), only=(text_check.id,), workers=1, root=tmp_path)
    screened = run_mutation(replace(options, screen=1), log=lambda _: None, coverage=coverage)
    assert text_check.id not in screened.results, (
        f"a mutant alive after its screen has no verdict; came {screened.results}"
    )
    assert screened.screened == [text_check.id] and not screened.complete
    report = build_report(screened, {})
    assert [r["id"] for r in report["screened"]] == [text_check.id]
    assert report["mutants"] == [], "a screened mutant is not among the judged"
    summary = render_summary(report)
    assert "INCOMPLETE (1 screened, not judged)" in summary, (
        f"a screen without a time budget is not said to be cut by one; came {summary[-200:]}"
    )
    whole = run_mutation(replace(options, screen=2), log=lambda _: None, coverage=coverage)
    assert whole.results[text_check.id]["status"] == "killed", (
        f"within a screen of two tests its killer is reached; came {whole.results}"
    )

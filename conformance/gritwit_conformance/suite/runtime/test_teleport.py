"""Teleport: actors move between the implementation and the reference, both ways (RUN-009.7 …).

Each scenario of :mod:`gritwit_conformance.teleport` runs once with the
implementation as the exporter (its runtime → a reference runtime → a fresh runtime
of its own) and once as the importer (the reference → it → the reference), every
answer compared with a third reference runtime that imports the very bundles that
moved.  ``gritwit teleport`` runs the same scenarios between any two
implementations.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation, InProcess
from gritwit_conformance.teleport import SCENARIOS, check_scenario
from gritwit_conformance.teleport._move import EXPORT_RULES, IMPORT_RULES

from .._check import check

pytestmark = pytest.mark.profile("runtime")


#: What every move checks: the export and the import (RUN-009.1 … RUN-009.4, RUN-009.8).
_MOVE = pytest.mark.req("RUN-009.1", "RUN-009.2", "RUN-009.4", "RUN-009.7", "RUN-009.8")
#: Each scenario's own clauses, written out for ``gritwit trace`` (checked against the
#: scenarios' by the test below).
CITED = {
    "counter": pytest.mark.req("RUN-009.7", "RUN-009.8", "RUN-009.12"),
    "failed": pytest.mark.req("RUN-009.7", "RUN-009.12"),
    "in-flight": pytest.mark.req("RUN-009.7", "RUN-009.10", "RUN-009.11"),
    "image": pytest.mark.req("RUN-009.7", "RUN-009.9"),
    "fork": pytest.mark.req("RUN-009.7", "RUN-009.8"),
    "sandbox": pytest.mark.req("RUN-009.7"),
}


def _params() -> Iterator[Any]:
    for name, scenario in SCENARIOS.items():
        marks = [_MOVE, CITED[name]]
        if scenario.profiles:
            marks.append(pytest.mark.profile("runtime", *scenario.profiles))
        for direction in ("exported", "imported"):
            yield pytest.param(name, direction, id=f"{name}-{direction}", marks=marks)


@pytest.mark.req("RUN-009.7")
def test_every_scenario_cites_its_clauses() -> None:
    assert set(CITED) == set(SCENARIOS)
    for name, scenario in SCENARIOS.items():
        assert set(CITED[name].args) == set(scenario.requirements), name
    assert set(_MOVE.args) >= {*EXPORT_RULES, *IMPORT_RULES}


@pytest.mark.parametrize(("name", "direction"), list(_params()))
def test_a_moved_actor_keeps_the_step_ids_of_the_reference(
    impl: Implementation, tmp_path: Path, name: str, direction: str
) -> None:
    partner, oracle = InProcess(), InProcess()
    try:
        a, b = (impl, partner) if direction == "exported" else (partner, impl)
        outcome = check_scenario(SCENARIOS[name], a, b, oracle, tmp_path)
    finally:
        partner.close()
        oracle.close()
    if outcome.exception is not None:  # a broken adapter is the plugin's to report
        raise outcome.exception
    if outcome.status == "not-run":
        pytest.skip(outcome.reason)
    # the scenario's own clauses, which its parameter cites (the first, RUN-009.7, in all)
    rules = tuple(SCENARIOS[name].requirements)
    check(
        rules,
        outcome.status == "passed",
        expected="the scenario passed",
        came=f"{outcome.status} ({outcome.stage}): {outcome.reason}",
        what=f"the move of {name}",
    )
    assert outcome.compared > 0 and len(outcome.bundles) >= 2, outcome

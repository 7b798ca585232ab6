"""The teleport scenarios between services: SQLite, then PostgreSQL, then SQLite again.

For each scenario of ``gritwit teleport`` that HTTP can express
(:func:`~gritwit_conformance.teleport.over_http_reason`), the source runs on a service
over a SQLite directory; its actors move as bundles over HTTP (HTTP-010) to a service
over a PostgreSQL schema, go on there, and move back to a fresh SQLite service, going on
once more.  The in-process reference mirrors every command as ``gritwit teleport``
does, importing the very bundles that moved, and every answer after a move — the step
ids of each head among them — must be the reference's (RUN-009.7).  A scenario HTTP
cannot express is skipped with its reason, never counted as passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("httpx", reason="needs the serve extra: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")

from service_proc import Service, start, stopping

from gritwit.store import create_schema
from gritwit_conformance.harness._implementation import InProcess
from gritwit_conformance.teleport import (
    SCENARIOS,
    HttpLeg,
    Scenario,
    check_over_http,
    over_http_reason,
)

#: What each leg's service stores: a name of the three stretches → a store.
Stores = Callable[[str], str]


@pytest.fixture(scope="module")
def oracle() -> Iterator[InProcess]:
    reference = InProcess()
    try:
        yield reference
    finally:
        reference.close()


#: The services' bound of a transition, as the teleport mirror's runtimes have it
#: (TRANSITION_BOUND): the scenarios compare step ids, never bounds, and a sandboxed
#: transition on a loaded machine can outlast the default 5 s on the service's side only.
BOUND = ("--time-limit", "600")


def _services(running: list[Service], stores: Stores) -> Callable[[str], str]:
    def service(leg: str) -> str:
        running.append(start(stores(leg), *BOUND))
        return running[-1].url

    return service


@pytest.mark.slow
@pytest.mark.req("RUN-009.7", "RUN-009.8", "RUN-009.9", "HTTP-010.1", "HTTP-010.2")
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario_between_sqlite_and_postgresql_services(
    name: str, tmp_path: Path, pg_database: str, oracle: InProcess
) -> None:
    scenario = SCENARIOS[name]
    why = over_http_reason(scenario, oracle, tmp_path)
    if why:
        pytest.skip(f"{name}: not expressible over HTTP: {why}")

    def stores(leg: str) -> str:  # a fresh store for each leg
        return create_schema(pg_database) if leg == "target" else str(tmp_path / leg)

    with stopping([]) as running:
        outcome = check_over_http(scenario, oracle, _services(running, stores), tmp_path)
        assert [s.stop() for s in running] == [0] * len(running)
    assert outcome.status == "passed", (outcome.stage, outcome.requirements, outcome.reason)
    assert len(outcome.bundles) >= 2 and outcome.compared > 0, outcome


@pytest.mark.req("RUN-009.12")
def test_what_http_cannot_express_is_refused(oracle: InProcess, tmp_path: Path) -> None:
    """The dry run refuses a scenario leaving a message unread at the move (counter) or in
    flight under ``max_steps`` (in-flight), and lets one that settles each send through."""
    assert "stays behind" in over_http_reason(SCENARIOS["counter"], oracle, tmp_path)
    assert "max_steps=1" in over_http_reason(SCENARIOS["in-flight"], oracle, tmp_path)
    assert over_http_reason(SCENARIOS["fork"], oracle, tmp_path) == ""


def _one_scenario(source: Callable[[HttpLeg, dict[str, Any]], list[str]]) -> Scenario:
    return Scenario("made", "a scenario of this test", (), (), source, _nothing, _nothing)


def _nothing(leg: HttpLeg, names: dict[str, Any]) -> None:
    leg("rt-run", max_steps=50)


def _counter(leg: HttpLeg) -> str:
    return str(leg("rt-genesis", actor="counter")["actor"])


def _inc(leg: HttpLeg, actor: str) -> None:
    leg("rt-send", to=actor, mt="inc", content={"blob": ""})


def _settled_each(leg: HttpLeg, names: dict[str, Any]) -> list[str]:
    actor = _counter(leg)
    for _ in range(2):
        leg("rt-run", max_steps=50)
        _inc(leg, actor)
    leg("rt-run", max_steps=50)
    return [actor]


def _two_sends(leg: HttpLeg, names: dict[str, Any]) -> list[str]:
    actor = _counter(leg)
    leg("rt-run", max_steps=50)
    _inc(leg, actor)
    _inc(leg, actor)  # two pending: a service may read them in one step or two
    leg("rt-run", max_steps=50)
    return [actor]


def _send_behind_genesis(leg: HttpLeg, names: dict[str, Any]) -> list[str]:
    actor = _counter(leg)
    _inc(leg, actor)  # the genesis transition would read it too (WIT-012)
    leg("rt-run", max_steps=50)
    return [actor]


@pytest.mark.req("RUN-009.7", "WIT-012")
def test_two_messages_pending_at_once_are_refused(oracle: InProcess, tmp_path: Path) -> None:
    """One message pending at a time passes the dry run; a second send before the run,
    or a send behind a genesis not yet run, is refused."""
    assert over_http_reason(_one_scenario(_settled_each), oracle, tmp_path, remember=False) == ""
    for source in (_two_sends, _send_behind_genesis):
        why = over_http_reason(_one_scenario(source), oracle, tmp_path, remember=False)
        assert "two messages pending" in why, (source.__name__, why)


@pytest.mark.slow
@pytest.mark.req("RUN-009.7", "RUN-009.4")
def test_a_home_that_is_not_fresh_is_caught(tmp_path: Path, oracle: InProcess) -> None:
    """Moving back into the source's own service, where the head is older, is not the
    reference's fresh home (RUN-009.4: ``ref-conflict``): the check fails, naming RUN-009.7."""
    with stopping([]) as running:
        first = start(tmp_path / "one", *BOUND)
        running.append(first)

        def service(leg: str) -> str:
            if leg == "target":
                running.append(start(tmp_path / "two", *BOUND))
                return running[-1].url
            return first.url

        outcome = check_over_http(SCENARIOS["fork"], oracle, service, tmp_path)
    assert outcome.status == "failed", outcome
    assert outcome.stage == "move back" and "ref-conflict" in outcome.reason, outcome
    assert "RUN-009.7" in outcome.requirements, outcome

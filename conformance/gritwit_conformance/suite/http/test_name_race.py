"""Concurrent creations under one name: one actor gets it, every other is refused (HTTP-004.5).

A creation with ``name`` binds the name by a compare-and-swap from absent (RUN-026.2)
once its genesis is durable (HTTP-004.5): of creations of different actors under one
free name, exactly one binds it and answers 201 with ``"name": N``; each of the others
answers 409 ``ref-conflict`` — refused when its request was read (the name named the
winner then, sending nothing) or once its genesis was sent (a concurrent binder took the
name first: the actor then exists under its id alone). Afterwards the name names the
winner (HTTP-015.2).

Eight creations of eight counters (each with a ``seed`` of its own, so eight actors)
are released together (:mod:`._together`), so that their checks of the name come
before any of their binds, with a new name each round until three rounds raced — some
refused creation had passed the check (its genesis was sent) — or eight were run: a
service may take creations one at a time, and a loaded machine may let one creation
finish before the others' last bytes are sent. The failure message says how many
refused creations had passed the check, the concurrency the service let through.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._state import scaled

from .._check import check, check_equal
from ._api import body_of, core_of, head_of, settle
from ._service import REQUEST_SECONDS, RawAnswer, Services
from ._service import services as services
from ._together import released_together

pytestmark = pytest.mark.profile("http")

#: Creations released together under one name.
CREATIONS = 8
#: Rounds in which the service let refused creations past the check of the name (their
#: genesis sent: a race between binds), and the most rounds run to see that many.
RACED = 3
ROUNDS = 8


def _body(answer: RawAnswer) -> Any:
    try:
        return json.loads(answer.body.decode("utf-8"))
    except ValueError:
        return None


def _actor(name: str, seed: int) -> str:
    """The id of a counter named ``name`` with the ``seed`` entry (HTTP-004.4: the core
    holds the name)."""
    state = {"seed": f"{seed:02x}", "name": name.encode().hex()}
    return g.object_id(core_of("counter", state)).hex()


def _round(services: Services, name: str) -> tuple[int, str]:
    """Release :data:`CREATIONS` creations under ``name``; check the answers; how many
    refused creations passed the check of the name, and a summary."""
    service = services.started[0]
    bodies = [
        {"test": "counter", "name": name, "state": {"seed": f"{n:02x}"}} for n in range(CREATIONS)
    ]
    answers = released_together(
        service.url, "POST", "/v1/actors", bodies, seconds=scaled(REQUEST_SECONDS)
    )
    actors = [_actor(name, n) for n in range(CREATIONS)]
    shown = [f"{a.status} {a.body[:160]!r}" if a.status else a.describe() for a in answers]
    winners = [n for n, a in enumerate(answers) if a.status == 201]
    refused = [n for n, a in enumerate(answers) if a.status == 409]
    settle(service.client)
    passed_check = [n for n in refused if head_of(service.client, actors[n]) is not None]
    summary = (
        f"{len(refused)} refused, {len(passed_check)} of them after their genesis was sent "
        "(they passed the check of the name when read)"
    )
    check(
        ("HTTP-004.5", "RUN-026.2"),
        len(winners) == 1 and len(refused) == CREATIONS - 1,
        expected=f"{CREATIONS} creations of different actors under the free name {name!r} at "
        f"once to bind it once: one 201 with the name, {CREATIONS - 1} 409 ref-conflict",
        came=f"{len(winners)} answered 201 ({summary}): {shown}",
    )
    winner = winners[0]
    answer = _body(answers[winner])
    check(
        "HTTP-004.5",
        isinstance(answer, dict) and answer.get("name") == name,
        expected=f"the creation that got {name!r} to answer the name",
        came=shown[winner],
    )
    check_equal("HTTP-004.4", actors[winner], answer.get("actor"), "the actor the creation answers")
    for n in refused:
        error = _body(answers[n])
        kind = error.get("error", {}).get("class") if isinstance(error, dict) else None
        check(
            ("HTTP-004.5", "HTTP-003.2"),
            kind == "ref-conflict",
            expected=f"a creation that lost the name {name!r} answered 409 ref-conflict",
            came=shown[n],
        )
    names = body_of(service.client.get("/v1/names"), 200, "HTTP-015.2")
    bound = names.get("names", {}).get(name) if isinstance(names, dict) else None
    check_equal(
        ("HTTP-004.5", "HTTP-015.2"),
        actors[winner],
        bound,
        f"the actor {name!r} names after the creations: the one answered 201 with it ({summary})",
    )
    return len(passed_check), summary


@pytest.mark.req("HTTP-004.5", "RUN-026.2", "HTTP-004.4", "HTTP-015.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_creations_under_one_name_at_once_bind_it_once(services: Services) -> None:
    services.start()
    summaries, raced = [], 0
    for r in range(ROUNDS):
        passed_check, summary = _round(services, f"contested-{r}")
        summaries.append(summary)
        raced += passed_check > 0
        if raced == RACED:
            break
    print(f"{raced} rounds of {len(summaries)} raced: " + "; ".join(summaries))

"""A token changed in the store takes effect at a service that already requires tokens
(HTTP-018.5).

``test_token_store.py`` judges a store that held no token: its service must start
requiring one. This one judges the other half of the clause, at a service that has
required tokens from its start: another service on the store (the feature ``shares``,
ADP-021.1) issues a new token and replaces an old one of the same name (ADP-021.4), and
within HTTP-018.5's 5 seconds the first service must open the door to the new token and
close it to the replaced one, so that a service that reads its tokens only once, when
it starts, is caught.
"""

from __future__ import annotations

import time

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check
from ._api import body_of, shown
from ._service import Services
from ._service import services as services
from ._tokens import bearer

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens", "shares")]

#: HTTP-018.5's bound on a token's taking effect at every service on its store.
TAKES_EFFECT_SECONDS = 5.0
#: Between two tries of the first service.
POLL_SECONDS = 0.25


def _answers(client: httpx.Client, new: str, replaced: str) -> tuple[httpx.Response, ...]:
    """``GET /v1`` with the new token, then with the replaced one."""
    return tuple(client.get("/v1", headers=bearer(token)) for token in (new, replaced))


def _settled(answers: tuple[httpx.Response, ...]) -> bool:
    return [answer.status_code for answer in answers] == [200, 401]


@pytest.mark.req("HTTP-018.5", "HTTP-018.1", "ADP-021.4")
@pytest.mark.req("HTTP-002.1")
def test_a_token_added_or_replaced_takes_effect_where_tokens_are_required(
    services: Services,
) -> None:
    """The first service requires the token ``old`` from its start; the second, on the
    same store, issues ``new`` and replaces ``old`` (its earlier text no longer names
    it). Within 5 s the first must answer ``new`` 200 and the replaced text 401."""
    first = services.start("store", share=[0, 2], tokens=[{"name": "old", "scopes": ["read"]}])
    replaced = first.tokens["old"]
    body_of(
        first.client.get("/v1", headers=bearer(replaced)),
        200,
        "HTTP-018.1: a read token the service issued opens GET /v1",
    )
    second = services.start(
        "store",
        share=[1, 2],
        tokens=[{"name": "old", "scopes": ["read"]}, {"name": "new", "scopes": ["read"]}],
    )
    new = second.tokens["new"]
    began = time.monotonic()
    limit = TAKES_EFFECT_SECONDS + scaled(2.0)  # the clause's 5 s and a loaded machine's
    answers = _answers(first.client, new, replaced)
    while not _settled(answers) and time.monotonic() - began < limit:
        time.sleep(POLL_SECONDS)
        answers = _answers(first.client, new, replaced)
    spent = time.monotonic() - began
    check(
        "HTTP-018.5",
        answers[0].status_code == 200,
        expected=f"200 within {TAKES_EFFECT_SECONDS:.0f} s for a token another service "
        "issued to the store",
        came=f"{shown(answers[0])} after {spent:.1f} s",
        what="GET /v1 of the first service (which required tokens from its start) with "
        "the new token",
    )
    check(
        "HTTP-018.5",
        answers[1].status_code == 401,
        expected=f"401 within {TAKES_EFFECT_SECONDS:.0f} s for a token replaced in the "
        "store by another of its name",
        came=f"{shown(answers[1])} after {spent:.1f} s",
        what="GET /v1 of the first service with the replaced token",
    )


def _opens(client: httpx.Client, token: str, limit: float) -> tuple[httpx.Response, float]:
    """``GET /v1`` with ``token`` until it is answered 200 or ``limit`` seconds passed:
    the last answer and the seconds it took."""
    began = time.monotonic()
    answer = client.get("/v1", headers=bearer(token))
    while answer.status_code != 200 and time.monotonic() - began < limit:
        time.sleep(POLL_SECONDS)
        answer = client.get("/v1", headers=bearer(token))
    return answer, time.monotonic() - began


@pytest.mark.req("HTTP-018.5", "HTTP-018.1", "ADP-021.4")
@pytest.mark.req("HTTP-002.1")
def test_every_token_added_takes_effect_not_only_the_first(services: Services) -> None:
    """HTTP-018.5 holds for every change, not only for the first one a service sees: a
    token issued by a second service opens the first's door within 5 s, and so must a
    token issued after that by a third, so that a service that reads its tokens again
    once and then keeps that reading is caught."""
    first = services.start("store", share=[0, 2], tokens=[{"name": "old", "scopes": ["read"]}])
    limit = TAKES_EFFECT_SECONDS + scaled(2.0)  # the clause's 5 s and a loaded machine's
    for name in ("second", "third"):
        other = services.start("store", share=[1, 2], tokens=[{"name": name, "scopes": ["read"]}])
        answer, spent = _opens(first.client, other.tokens[name], limit)
        check(
            "HTTP-018.5",
            answer.status_code == 200,
            expected=f"200 within {TAKES_EFFECT_SECONDS:.0f} s for a token another service "
            "issued to the store",
            came=f"{shown(answer)} after {spent:.1f} s",
            what=f"GET /v1 of the first service with the token {name!r}, issued after the "
            "first service started" + (" and after it took up another" if name == "third" else ""),
        )
        services.stop(other)

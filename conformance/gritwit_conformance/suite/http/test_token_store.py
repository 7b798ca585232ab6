"""Services on one store share its tokens and its audit log (HTTP-018.5, HTTP-020.3).

Two services run on one store, each with a share of it (the feature ``shares``,
ADP-021.1, RUN-021): a token the second one's ``http-serve`` issues to the store
(ADP-021.4) must lock the first, started while the store held none, within HTTP-018.5's
5 seconds, and be known there; and what either service audits must be in the one log
both answer (HTTP-020.3), so that a service that reads its tokens once at start, or
keeps a log of its own, is caught.
"""

from __future__ import annotations

import time
from typing import Any

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


@pytest.mark.req("HTTP-018.5", "HTTP-018.1", "ADP-021.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1")
def test_a_token_issued_to_the_store_locks_and_reaches_every_service(services: Services) -> None:
    first = services.start("store", share=[0, 2])  # the store holds no token yet
    body_of(first.client.get("/v1"), 200, "HTTP-018.5: a store holding no token is open")
    second = services.start("store", share=[1, 2], tokens=[{"name": "late", "scopes": ["read"]}])
    began = time.monotonic()
    limit = TAKES_EFFECT_SECONDS + scaled(2.0)  # the clause's 5 s and a loaded machine's
    answer = first.client.get("/v1")
    while answer.status_code != 401 and time.monotonic() - began < limit:
        time.sleep(POLL_SECONDS)
        answer = first.client.get("/v1")
    check(
        "HTTP-018.5",
        answer.status_code == 401,
        expected=f"401 without a token within {TAKES_EFFECT_SECONDS:.0f} s of another "
        "service's issuing one to the store",
        came=f"{shown(answer)} after {time.monotonic() - began:.1f} s",
        what="GET /v1 of the service started on the open store",
    )
    known = first.client.get("/v1", headers=bearer(second.tokens["late"]))
    check(
        "HTTP-018.5",
        known.status_code == 200,
        expected="200 for the token the other service's http-serve issued to the store",
        came=shown(known),
        what="GET /v1 of the first service with the new token",
    )


def _log(client: Any, admin: str, where: str) -> list[Any]:
    answer = body_of(client.get("/v1/audit", headers=bearer(admin)), 200, "HTTP-020.2")
    entries = answer.get("entries") if isinstance(answer, dict) else None
    check(
        "HTTP-020.2",
        isinstance(entries, list),
        expected='{"entries": [...]}',
        came=answer,
        what=f"GET /v1/audit of {where}",
    )
    return entries if isinstance(entries, list) else []


@pytest.mark.req("HTTP-020.3", "HTTP-020.1", "HTTP-018.5")
@pytest.mark.req("HTTP-002.1", "HTTP-020.2")
def test_services_on_one_store_append_to_one_audit_log(services: Services) -> None:
    """``GET /v1/audit`` is itself audited (its scope is ``admin``): the first service's
    read must be the newest entry the second answers, and the second's read the newest
    the first answers next, over the entries the second answered, unchanged."""
    zero = services.start("store", share=[0, 2], tokens=[{"name": "boss", "scopes": ["admin"]}])
    admin = zero.tokens["boss"]
    one = services.start("store", share=[1, 2])  # the store's tokens: it requires them
    _log(zero.client, admin, "the first service")
    seen_by_one = _log(one.client, admin, "the second service")
    newest = seen_by_one[0] if seen_by_one else None
    check(
        "HTTP-020.3",
        isinstance(newest, dict)
        and (newest.get("who"), newest.get("what"), newest.get("status"))
        == ("boss", "GET /v1/audit", 200),
        expected="the second service's log: the first service's read on top (who boss, "
        "what GET /v1/audit, status 200)",
        came=seen_by_one[:3],
    )
    seen_by_zero = _log(zero.client, admin, "the first service, again")
    check(
        "HTTP-020.3",
        len(seen_by_zero) == len(seen_by_one) + 1 and seen_by_zero[1:] == seen_by_one,
        expected="the first service's log: the second's read on top of the entries the "
        "second answered, unchanged",
        came=seen_by_zero[:3],
        what=f"{len(seen_by_zero)} entries there, {len(seen_by_one)} at the second",
    )

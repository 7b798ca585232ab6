"""A token with one character changed is a token the service does not know (HTTP-018.1).

``test_auth.py`` sends a well-formed token no service issued, and a replaced token is
checked in ``test_token_changes.py``; here the token a client sends is one the service
issued with its last character changed: the same text up to its end, so a service that
looks its record up by a part of the token must still compare the whole (HTTP-018.4) and
answer 401, while the token as issued opens the endpoint.
"""

from __future__ import annotations

import httpx
import pytest

from .._check import check
from ._api import body_of, expect_error
from ._service import Services
from ._service import services as services
from ._tokens import bearer

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]


def _altered(token: str) -> str:
    """``token`` with its last character changed to a letter that differs from it in
    either case."""
    return token[:-1] + ("B" if token[-1].lower() == "a" else "A")


@pytest.mark.req("HTTP-018.1", "HTTP-018.4", "ADP-021.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_an_issued_token_with_its_last_character_changed_is_401(services: Services) -> None:
    service = services.start(tokens=[{"name": "reader", "scopes": ["read"]}])
    client: httpx.Client = service.client
    token = service.tokens["reader"]
    body_of(client.get("/v1", headers=bearer(token)), 200, "HTTP-018.1: the token as issued")
    altered = _altered(token)
    for attempt in range(2):  # once, and again with the issued token used between
        response = client.get("/v1/actors", headers=bearer(altered))
        expect_error(
            response,
            401,
            "unauthorized",
            f"HTTP-018.1: a token the service issued with its last character changed "
            f"(attempt {attempt + 1})",
        )
        challenge = response.headers.get("www-authenticate", "")
        check(
            "HTTP-018.1",
            challenge.lower().startswith("bearer"),
            expected="a WWW-Authenticate: Bearer header",
            came=challenge or "none",
            what="the 401 of an altered token",
        )
        body_of(client.get("/v1", headers=bearer(token)), 200, "HTTP-018.1: the token as issued")

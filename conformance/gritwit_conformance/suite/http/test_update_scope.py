"""A send of new code needs ``operate`` beside ``send`` (HTTP-018.2), and is audited as the
other ``operate`` requests are (HTTP-020.1).

For an implementation with the feature ``tokens`` (ADP-021.4). The matrix of
``test_auth.py`` walks the endpoints with plain sends; a send whose ``mt`` is ``update``
(WIT-013) needs the scope ``operate`` too, by its body, not by its path: a token holding
``send`` alone must be refused 403 ``forbidden`` for it, on ``POST …/messages`` and in a
batch (HTTP-005.7), sending nothing, while a token holding both is served. Each of these
requests needs ``operate``, so each is in the audit log with its outcome.
"""

from __future__ import annotations

import pytest

from .._check import check, check_equal
from ._api import body_of, counter, expect_error, inc, next_previous
from ._service import Services
from ._service import services as services
from ._tokens import bearer, matrix_service

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]

#: A send of new code (WIT-013); the content is not read before the scope is judged.
UPDATE = {"content": {"blob": ""}, "mt": "update"}


@pytest.mark.req("HTTP-018.2", "HTTP-020.1", "HTTP-005.7")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2", "HTTP-020.2")
@pytest.mark.req("HTTP-003.3", "HTTP-004.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_an_update_needs_operate_beside_send_and_is_audited(services: Services) -> None:
    service = matrix_service(services, **{"t-send-operate": {"scopes": ["send", "operate"]}})
    client, tokens = service.client, service.tokens
    admin = bearer(tokens["t-admin"])
    client.headers.update(admin)  # the admin's unless a request says otherwise
    actor = counter(client)
    last = inc(client, actor)
    sender = bearer(tokens["t-send"])
    alone = client.post(f"/v1/actors/{actor}/messages", json=UPDATE, headers=sender)
    expect_error(alone, 403, "forbidden", "HTTP-018.2: an update sent with a send token")
    batched = client.post(
        "/v1/messages", json={"messages": [{"to": actor, **UPDATE}]}, headers=sender
    )
    expect_error(batched, 403, "forbidden", "HTTP-018.2: an update in a batch, a send token")
    check_equal(
        ("HTTP-018.2", "HTTP-003.3"),
        last,
        next_previous(client, actor),
        "the message a new send chains onto after the refused updates: the last one sent "
        "before them (the refused requests did nothing)",
    )
    served = client.post(
        f"/v1/actors/{actor}/messages", json=UPDATE, headers=bearer(tokens["t-send-operate"])
    )
    answer = body_of(served, 202, "HTTP-018.2: an update sent with a send and operate token")
    log = body_of(client.get("/v1/audit?limit=3"), 200, "HTTP-020.2")
    entries = log.get("entries") if isinstance(log, dict) else None
    came = (
        [
            tuple(e.get(k) for k in ("who", "what", "actor", "status", "class"))
            for e in entries
            if isinstance(e, dict)
        ]
        if isinstance(entries, list)
        else log
    )
    sends = "POST /v1/actors/{actor}/messages"
    expected = [
        ("t-send-operate", sends, actor, 202, None),
        ("t-send", "POST /v1/messages", None, 403, "forbidden"),
        ("t-send", sends, actor, 403, "forbidden"),
    ]
    check(
        "HTTP-020.1",
        came == expected,
        expected=f"the newest three entries, newest first, one per update request (each "
        f"needs operate): {expected}",
        came=f"{came} (the served update answered {answer})",
    )

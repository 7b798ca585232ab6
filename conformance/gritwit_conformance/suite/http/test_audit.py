"""The audit log: every ``operate`` and ``admin`` request, with its outcome (HTTP-020).

An ``operate`` token clears a failed mark (which succeeds: nothing to clear), reverts to
a step that is no step of the actor (which fails), and a ``read`` token tries a fork
(403); ``GET /v1/audit`` with an ``admin`` token must then hold the three, newest first,
each with its token's name, the operation, the actor as the path gave it, and the status
and class the client was answered, so that an entry written before the outcome was known
or left out on a failure is caught.
"""

from __future__ import annotations

from typing import Any

import pytest

from .._check import check
from ._api import body_of, expect_error
from ._service import Services
from ._service import services as services
from ._tokens import bearer, matrix_service

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]


def _entry(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (entry.get("who"), entry.get("what"), entry.get("actor"), entry.get("status"))


@pytest.mark.smoke
@pytest.mark.req("HTTP-020.1", "HTTP-020.2", "HTTP-018.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-016")
@pytest.mark.req("HTTP-004.2", "HTTP-007.5")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_operate_requests_are_audited_with_their_outcome(services: Services) -> None:
    service = matrix_service(services)
    client, tokens = service.client, service.tokens
    actor = body_of(
        client.post("/v1/actors", json={"test": "counter"}, headers=bearer(tokens["t-admin"])),
        201,
        "HTTP-004.2",
    )["actor"]
    operate, read = bearer(tokens["t-operate"]), bearer(tokens["t-read"])
    cleared = client.delete(f"/v1/actors/{actor}/failed", headers=operate)
    body_of(cleared, 200, "HTTP-007.5")
    failed = client.post(f"/v1/actors/{actor}/revert", json={"step": "0" * 64}, headers=operate)
    check(
        "HTTP-016",
        failed.status_code >= 400,
        expected="a revert to a step that does not exist fails",
        came=failed.status_code,
    )
    failed_class = failed.json()["error"]
    refused = client.post(f"/v1/actors/{actor}/fork", json={"step": "0" * 64}, headers=read)
    expect_error(refused, 403, "forbidden", "HTTP-018.2: a fork with a read token")
    log = body_of(
        client.get("/v1/audit?limit=3", headers=bearer(tokens["t-admin"])), 200, "HTTP-020.2"
    )
    entries = log.get("entries")
    expected = [
        ("t-read", "POST /v1/actors/{actor}/fork", actor, 403, "forbidden"),
        (
            "t-operate",
            "POST /v1/actors/{actor}/revert",
            actor,
            failed.status_code,
            failed_class["class"],
        ),
        ("t-operate", "DELETE /v1/actors/{actor}/failed", actor, 200, None),
    ]
    came = [(*_entry(e), e.get("class")) for e in entries] if isinstance(entries, list) else log
    check(
        "HTTP-020.1",
        came == expected,
        expected=f"the newest three entries, newest first: {expected}",
        came=came,
    )
    for entry in entries:
        at = entry.get("at")
        check(
            "HTTP-020.1",
            isinstance(at, str) and at.endswith("Z") and "T" in at,
            expected="at: an RFC 3339 time in UTC",
            came=at,
        )


@pytest.mark.req("HTTP-020.1", "HTTP-020.2", "HTTP-016")
@pytest.mark.req("HTTP-002.1", "HTTP-002.3", "HTTP-002.4", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-004.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_request_answered_400_is_audited_with_its_class(services: Services) -> None:
    """400 is the least status of a failure: an ``operate`` request answered 400 is
    audited with the class its answer gave (HTTP-020.1), as a failure of any other
    status is, not with ``null`` as a success is. A revert whose body lacks its step
    (``bad-request``) and a fork whose step is no id (``invalid-id``)."""
    service = matrix_service(services)
    client, tokens = service.client, service.tokens
    actor = body_of(
        client.post("/v1/actors", json={"test": "counter"}, headers=bearer(tokens["t-admin"])),
        201,
        "HTTP-004.2",
    )["actor"]
    operate = bearer(tokens["t-operate"])
    lacking = client.post(f"/v1/actors/{actor}/revert", json={}, headers=operate)
    expect_error(lacking, 400, "bad-request", "HTTP-016, HTTP-002.3: a revert without its step")
    malformed = client.post(f"/v1/actors/{actor}/fork", json={"step": "xyz"}, headers=operate)
    expect_error(malformed, 400, "invalid-id", "HTTP-016, HTTP-002.4: a fork to no id")
    log = body_of(
        client.get("/v1/audit?limit=2", headers=bearer(tokens["t-admin"])), 200, "HTTP-020.2"
    )
    entries = log.get("entries")
    expected = [
        ("t-operate", "POST /v1/actors/{actor}/fork", actor, 400, "invalid-id"),
        ("t-operate", "POST /v1/actors/{actor}/revert", actor, 400, "bad-request"),
    ]
    came = [(*_entry(e), e.get("class")) for e in entries] if isinstance(entries, list) else log
    check(
        "HTTP-020.1",
        came == expected,
        expected=f"the newest two entries, newest first, each with its 400's class: {expected}",
        came=came,
    )


@pytest.mark.req("HTTP-020.1", "HTTP-020.3")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("HTTP-004.2", "HTTP-020.2")  # its checks name them too
def test_reads_and_sends_are_not_audited_and_the_log_only_grows(services: Services) -> None:
    service = matrix_service(services)
    client, tokens = service.client, service.tokens
    admin = bearer(tokens["t-admin"])
    actor = body_of(
        client.post("/v1/actors", json={"test": "counter"}, headers=admin), 201, "HTTP-004.2"
    )["actor"]
    client.delete(f"/v1/actors/{actor}/failed", headers=bearer(tokens["t-operate"]))
    first = body_of(client.get("/v1/audit", headers=admin), 200, "HTTP-020.2")["entries"]
    client.get(f"/v1/actors/{actor}", headers=bearer(tokens["t-read"]))
    inc = {"content": {"blob": "31"}, "mt": "inc"}
    client.post(f"/v1/actors/{actor}/messages", json=inc, headers=bearer(tokens["t-send"]))
    client.delete(f"/v1/actors/{actor}/failed", headers=bearer(tokens["t-operate"]))
    second = body_of(client.get("/v1/audit", headers=admin), 200, "HTTP-020.2")["entries"]
    reading = [e for e in second if e.get("who") == "t-admin"]
    check(
        "HTTP-020.3",
        second[-len(first) :] == first if first else False,
        expected="the earlier entries unchanged under the new ones",
        came=second,
    )
    new = [e for e in second[: len(second) - len(first)] if e.get("who") != "t-admin"]
    check(
        "HTTP-020.1",
        [(e.get("who"), e.get("what")) for e in new]
        == [("t-operate", "DELETE /v1/actors/{actor}/failed")],
        expected="one new entry besides the admin's reads: the second clear (not the read, "
        "not the send)",
        came=new,
        what=f"{len(reading)} entries of the admin's own reads",
    )


@pytest.mark.req("HTTP-020.1", "HTTP-018.3", "HTTP-020.2")
@pytest.mark.req("HTTP-004.4", "HTTP-007.5")  # its checks name them too
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "CONV-004")
def test_a_refusal_by_prefix_is_audited_for_operate_and_not_for_read(
    services: Services,
) -> None:
    """A token of scopes ``read`` and ``operate`` limited to the prefix ``team-a-``: its
    clear of another team's actor is refused 403 by HTTP-018.3 and must be audited like
    any ``operate`` request (refused 403 or not), with the status it was answered; its
    read of that actor, refused the same way, is of scope ``read`` and must not be; its
    clear of its own actor is audited 200.  Two refusals of one kind, told apart by their
    scope alone."""
    service = matrix_service(
        services, **{"pre-op": {"scopes": ["read", "operate"], "prefix": "team-a-"}}
    )
    client, tokens = service.client, service.tokens
    admin, pre = bearer(tokens["t-admin"]), bearer(tokens["pre-op"])
    for name in ("team-a-one", "team-b-one"):
        body_of(
            client.post("/v1/actors", json={"test": "counter", "name": name}, headers=admin),
            201,
            "HTTP-004.4",
        )
    expect_error(
        client.delete("/v1/actors/team-b-one/failed", headers=pre),
        403,
        "forbidden",
        "HTTP-018.3: a clear of an actor outside the token's prefix",
    )
    expect_error(
        client.get("/v1/actors/team-b-one", headers=pre),
        403,
        "forbidden",
        "HTTP-018.3: a read of an actor outside the token's prefix",
    )
    body_of(client.delete("/v1/actors/team-a-one/failed", headers=pre), 200, "HTTP-007.5")
    log = body_of(client.get("/v1/audit?limit=50", headers=admin), 200, "HTTP-020.2")
    entries = log.get("entries")
    came = (
        [(*_entry(e), e.get("class")) for e in entries if e.get("who") == "pre-op"]
        if isinstance(entries, list)
        else log
    )
    expected = [
        ("pre-op", "DELETE /v1/actors/{actor}/failed", "team-a-one", 200, None),
        ("pre-op", "DELETE /v1/actors/{actor}/failed", "team-b-one", 403, "forbidden"),
    ]
    check(
        "HTTP-020.1",
        came == expected,
        expected="the prefix token's entries, newest first: its clear within the prefix "
        f"(200) and its refused clear outside it (403), not its refused read: {expected}",
        came=came,
    )

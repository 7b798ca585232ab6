"""What the service keeps for itself is shown to ``admin`` only (HTTP-018.7).

A token with a name no actor's data holds is issued and used once on an audited
endpoint, so that whatever the service keeps of it (its record, an audit entry) holds
that name. Then, with a ``read`` token, every ref ``GET /v1/refs`` lists (whole, and
under the prefix ``names/``) must lead to an object whose stored encoding does not hold
the name, and each ref the ``admin`` token is shown that does lead to it must be absent
(404) to the ``read`` token. The ``read`` token's listing must still hold the actor's
head, so that an empty listing does not pass.
"""

from __future__ import annotations

from typing import Any, Final, cast

import httpx
import pytest

from .._check import check
from ._api import body_of, shown
from ._service import Services
from ._service import services as services
from ._tokens import bearer, matrix_service

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]

#: The marked token's name: text no actor, message or ref of the test holds otherwise.
MARKED: Final = "door-mark-7f3a9c"


def _listed(client: httpx.Client, token: str, prefix: str | None) -> list[dict[str, Any]]:
    path = "/v1/refs" if prefix is None else f"/v1/refs?prefix={prefix}"
    found = body_of(client.get(path, headers=bearer(token)), 200, "HTTP-009.3")
    refs = found.get("refs") if isinstance(found, dict) else None
    check("HTTP-009.3", isinstance(refs, list), expected="{'refs': [...]}", came=found)
    return [ref for ref in cast(list[Any], refs) if isinstance(ref, dict)]


def _holds_mark(client: httpx.Client, token: str, target: object) -> bool:
    """Whether the stored encoding of ``target`` holds the marked token's name."""
    raw = client.get(f"/v1/objects/{target}?form=raw", headers=bearer(token))
    return raw.status_code == 200 and MARKED.encode() in raw.content


@pytest.mark.req("HTTP-018.7", "HTTP-009.3", "HTTP-018.2")
@pytest.mark.req("HTTP-009.1", "HTTP-020.1", "HTTP-007.5", "HTTP-002.1")
@pytest.mark.req("HTTP-004.2")  # its checks name them too
def test_the_services_own_refs_are_shown_to_admin_only(services: Services) -> None:
    service = matrix_service(services, **{MARKED: {"scopes": ["operate"]}})
    client, tokens = service.client, service.tokens
    admin, read = tokens["t-admin"], tokens["t-read"]
    actor = body_of(
        client.post("/v1/actors", json={"test": "counter"}, headers=bearer(admin)),
        201,
        "HTTP-004.2",
    )["actor"]
    # An audited request of the marked token (HTTP-020.1): nothing to clear, 200.
    cleared = client.delete(f"/v1/actors/{actor}/failed", headers=bearer(tokens[MARKED]))
    body_of(cleared, 200, "HTTP-007.5")

    whole = _listed(client, read, None)
    names = [ref.get("name") for ref in whole]
    check(
        "HTTP-009.3",
        any(isinstance(name, str) and name.endswith(actor) for name in names),
        expected=f"the read token's listing holds the head of {actor}",
        came=names[:20],
    )
    shown_to_read = {str(ref.get("name")): ref.get("target") for ref in whole}
    for ref in _listed(client, read, "names/"):
        shown_to_read[str(ref.get("name"))] = ref.get("target")
    leaked = sorted(
        name for name, target in shown_to_read.items() if _holds_mark(client, read, target)
    )
    check(
        "HTTP-018.7",
        not leaked,
        expected=(
            "no ref listed to a read token leads to what the service keeps of a token "
            f"(its record, its audit entries hold its name {MARKED!r})"
        ),
        came=leaked,
    )

    own = sorted(
        str(ref.get("name"))
        for ref in _listed(client, admin, None)
        if _holds_mark(client, admin, ref.get("target"))
    )
    for name in own:
        answer = client.get(f"/v1/refs/{name}", headers=bearer(read))
        check(
            "HTTP-018.7",
            answer.status_code == 404,
            expected="404 not-found: a ref of the service's own is absent to a read token",
            came=shown(answer),
            what=f"GET /v1/refs/{name} with a read token",
        )

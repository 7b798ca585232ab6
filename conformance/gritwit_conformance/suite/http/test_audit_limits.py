"""``GET /v1/audit``'s ``limit``: 100 entries by default, 1 to 1,000 (HTTP-020.2).

For an implementation with the feature ``tokens`` (ADP-021.4). ``test_audit.py`` reads
logs of a few entries; here an ``operate`` token clears a failed mark 101 times (each
request audited, HTTP-020.1, whatever its outcome), so the log holds more than the
default: with ``limit=101`` the answer holds the newest 101, and without ``limit`` the
newest 100 (of the 101 and that read, itself audited); and ``limit`` past 1,000 (or
below 1) is a malformed value → 400 ``bad-request`` (HTTP-002.3).
"""

from __future__ import annotations

import pytest

from .._check import check, check_equal
from ._api import body_of, counter, expect_error
from ._service import Services
from ._service import services as services
from ._tokens import bearer

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]

#: Audited requests made: one more than the default limit.
MADE = 101


@pytest.mark.req("HTTP-020.2", "HTTP-002.3", "HTTP-020.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-007.5")
@pytest.mark.req("CONV-004")
def test_the_audit_limit_is_100_by_default_and_at_most_1000(services: Services) -> None:
    service = services.start(
        tokens=[
            {"name": "boss", "scopes": ["admin"]},
            {"name": "op", "scopes": ["operate"], "rate": 10_000},  # 101 requests at once
        ]
    )
    client = service.client
    client.headers.update(bearer(service.tokens["boss"]))
    actor = counter(client)
    operate = bearer(service.tokens["op"])
    for _ in range(MADE):
        body_of(
            client.delete(f"/v1/actors/{actor}/failed", headers=operate),
            200,
            "HTTP-007.5: clearing the failed mark of an actor that has none",
        )
    more = body_of(client.get(f"/v1/audit?limit={MADE}"), 200, "HTTP-020.2").get("entries")
    clears = [e.get("what") for e in more] if isinstance(more, list) else more
    check_equal(
        "HTTP-020.2",
        ["DELETE /v1/actors/{actor}/failed"] * MADE,
        clears,
        f"the whats of GET /v1/audit?limit={MADE}: the {MADE} clears, newest first",
    )
    default = body_of(client.get("/v1/audit"), 200, "HTTP-020.2").get("entries")
    check(
        "HTTP-020.2",
        isinstance(default, list) and len(default) == 100,
        expected=f"the newest 100 entries (limit's default) of {MADE + 1}: the read above "
        "and the clears",
        came=f"{len(default)} entries" if isinstance(default, list) else default,
        what="GET /v1/audit without limit",
    )
    for limit in ("1001", "0"):
        expect_error(
            client.get(f"/v1/audit?limit={limit}"),
            400,
            "bad-request",
            f"HTTP-020.2, HTTP-002.3: limit={limit}, not from 1 to 1000",
        )

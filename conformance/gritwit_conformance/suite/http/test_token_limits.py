"""A token's bounds hold at their figures, from both sides (HTTP-021.1).

``test_auth.py`` checks that a token past its rate is refused at all. This file checks
the figures a token is configured with (ADP-021.4's ``rate`` and ``bytes_per_minute``):

* a token of one request a second is answered its first request, refused 429 with
  ``Retry-After`` for more within that second, and answered again after two seconds of
  quiet: so that a service that refuses within the bound, or never refills, is caught;
* a token of 600 body bytes a minute is answered one body of exactly 600 bytes (the
  whole minute's bytes, within the bound) and refused 429 with ``Retry-After`` for a
  second body at once, however its ``Content-Length`` header sits among the others.

No figure depends on the machine's speed: a slow client only lets more through, and
each bound is checked against the time the requests took.
"""

from __future__ import annotations

import time

import pytest

from .._check import check, fail
from ._api import body_of, expect_error, shown
from ._service import Services
from ._service import services as services
from ._tokens import bearer, check_retry_after, matrix_service

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]

#: Requests at once, at most, until the token of one a second is refused.
AT_ONCE = 10
#: The quiet after which a token of one request a second is within its bound again.
QUIET_SECONDS = 2.0
#: A token's body bytes a minute (ADP-021.4's ``bytes_per_minute``).
BYTES_PER_MINUTE = 600


@pytest.mark.req("HTTP-021.1", "ADP-021.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_token_of_one_request_a_second_is_held_to_exactly_that(services: Services) -> None:
    service = matrix_service(services, once={"scopes": ["read"], "rate": 1})
    client, once = service.client, service.tokens["once"]
    began = time.monotonic()
    first = client.get("/v1", headers=bearer(once))
    body_of(first, 200, "HTTP-021.1: the first request of a token of one request a second")
    statuses = [first.status_code]
    limited = None
    for _ in range(AT_ONCE - 1):
        answer = client.get("/v1", headers=bearer(once))
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            limited = answer
            break
    elapsed = time.monotonic() - began
    bound = f"at most {1 + elapsed:.1f} requests answered in the {elapsed:.2f} s the "
    bound += "requests at once of a token of one a second took, then 429"
    if limited is None:
        fail("HTTP-021.1", expected=bound, came=statuses)
    check("HTTP-021.1", statuses.count(200) <= 1 + elapsed, expected=bound, came=statuses)
    expect_error(limited, 429, "rate-limited", "HTTP-021.1: past one request a second")
    check_retry_after(limited, "HTTP-021.1", "the refusal of a token past one request a second")
    time.sleep(QUIET_SECONDS)
    again = client.get("/v1", headers=bearer(once))
    body_of(
        again,
        200,
        f"HTTP-021.1: a token of one request a second, after {QUIET_SECONDS:.0f} s without "
        "a request",
    )


@pytest.mark.req("HTTP-021.1", "ADP-021.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_token_of_600_bytes_a_minute_sends_600_and_no_more(services: Services) -> None:
    service = matrix_service(
        services, small={"scopes": ["read"], "bytes_per_minute": BYTES_PER_MINUTE}
    )
    client, small = service.client, service.tokens["small"]
    text = b'{"timeout": 0}'
    body = text + b" " * (BYTES_PER_MINUTE - len(text))  # JSON with trailing blanks
    headers = {**bearer(small), "content-type": "application/json"}
    whole = client.post("/v1/settle", content=body, headers=headers)
    body_of(
        whole,
        200,
        f"HTTP-021.1, HTTP-011.1: a body of exactly {BYTES_PER_MINUTE} bytes from a token "
        f"of {BYTES_PER_MINUTE} body bytes a minute",
    )
    more = client.post("/v1/settle", content=body, headers=headers)
    check(
        "HTTP-021.1",
        more.status_code == 429,
        expected=f"429: a second body of {BYTES_PER_MINUTE} bytes at once, past the "
        f"token's {BYTES_PER_MINUTE} a minute",
        came=shown(more),
    )
    expect_error(more, 429, "rate-limited", "HTTP-021.1: past the token's bytes a minute")
    check_retry_after(more, "HTTP-021.1", "the refusal of a body past the token's bytes a minute")
    other = client.get("/v1", headers=bearer(service.tokens["t-read"]))
    body_of(other, 200, "HTTP-021.1: another token is not limited by this one's bytes")

"""A refused body of exactly 64 MiB is read and discarded, not cut off (HTTP-013.6).

A service that answers a request before reading its whole body must read and discard
the rest, up to at least 64 MiB of it; it MAY close at once instead only when the
body's ``Content-Length`` is *above* 64 MiB. A send announcing exactly 64 MiB, refused
413 before its body (HTTP-013.1: the service's JSON limit is below it), is written
whole on a blocking socket before the answer is read: the answer must be there, not a
reset. A service whose JSON limit takes 64 MiB refuses nothing here: the test skips.
"""

from __future__ import annotations

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check_equal
from ._api import counter, inc, next_previous
from ._service import http as http
from ._service import raw_exchange
from ._service import services as services
from .test_drain import DRAIN, _head, _written_whole

pytestmark = pytest.mark.profile("http")


@pytest.mark.slow
@pytest.mark.req("HTTP-013.6", "HTTP-013.1", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_refused_body_of_exactly_64_mib_written_whole_reads_the_413(
    http: httpx.Client,
) -> None:
    actor = counter(http)
    last = inc(http, actor)
    url = str(http.base_url).rstrip("/")
    path = f"/v1/actors/{actor}/messages"
    head = _head(url, path, "application/json", DRAIN)
    probe = raw_exchange(url, head, seconds=scaled(1))
    if probe.status != 413:
        pytest.skip("the service does not refuse a JSON body of 64 MiB by its Content-Length")
    got = _written_whole(url, head, DRAIN, "HTTP-013.6")
    check_equal(
        ("HTTP-013.6", "HTTP-013.1"),
        [413, "request-too-large"],
        list(got),
        f"the status and class of a JSON body of {DRAIN} bytes written whole",
    )
    check_equal(
        "HTTP-013.5", last, next_previous(http, actor), "the outside's last message to the actor"
    )

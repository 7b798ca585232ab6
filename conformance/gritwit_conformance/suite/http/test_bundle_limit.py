"""A bundle of the object limit plus 1 KiB is within every service's limit (HTTP-013.1).

A service's body limit for ``POST /v1/bundles`` (HTTP-010.2) is its own, but at least
the object limit (ENC-013: 16 MiB) plus 1 KiB, as for ``application/cbor``: a bundle is
one encoding (RUN-009.1). A head announcing a bundle of exactly that many bytes must
not be refused by its ``Content-Length``: the service waits for the body.
"""

from __future__ import annotations

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check
from ._service import http as http
from ._service import raw_exchange, request_head
from ._service import services as services

pytestmark = pytest.mark.profile("http")

BUNDLE = "application/vnd.gritwit.bundle"
#: HTTP-013.1's floor for a bundle: the object limit (ENC-013) plus 1 KiB.
FLOOR = 16 * 1024 * 1024 + 1024


@pytest.mark.req("HTTP-013.1", "HTTP-010.2")
def test_a_bundle_of_the_floor_is_not_refused_by_its_length(http: httpx.Client) -> None:
    url = str(http.base_url).rstrip("/")
    head = request_head(
        "POST", url, "/v1/bundles", {"Content-Type": BUNDLE, "Content-Length": str(FLOOR)}
    )
    answer = raw_exchange(url, head, seconds=scaled(1.0))
    check(
        "HTTP-013.1",
        answer.status is None and not answer.closed,
        expected="the service waiting for the body (the floor is within every limit)",
        came=answer.describe,
        what=f"a head announcing a bundle of {FLOOR} bytes",
    )

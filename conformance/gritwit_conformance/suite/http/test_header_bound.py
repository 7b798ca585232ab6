"""A header section one byte past 64 KiB fails (HTTP-013.2).

``test_hostile`` sends sections well past the bound; here the section — the request
line, each header line and the empty line that ends it, as sent — is exactly 65,537
bytes, one past 64 KiB, sent in one piece: it must fail → 431 ``headers-too-large``, or
the connection must close. The target is sent with and without a query string (the
probes answer whatever query their URL holds, HTTP-001.5), since a service measures
the section's bytes wherever they are.
"""

from __future__ import annotations

import json

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check, suite_premise
from ._service import RawAnswer, raw_exchange, request_head
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: 64 KiB: a header section larger than this fails (HTTP-013.2).
BOUND = 64 * 1024
#: Seconds the answer may take (scaled, ADP-012).
ANSWER_SECONDS = 10.0


def _error_class(answer: RawAnswer) -> str | None:
    try:
        return str(json.loads(answer.body)["error"]["class"])
    except (ValueError, KeyError, TypeError):
        return None


def _head_of(url: str, target: str, size: int) -> bytes:
    """A ``GET`` head for ``target`` of exactly ``size`` bytes, a filler header making
    up the rest."""
    bare = request_head("GET", url, target, {"X-Filler": ""})
    head = request_head("GET", url, target, {"X-Filler": "f" * (size - len(bare))})
    suite_premise(len(head) == size, f"a head of {size} bytes is built ({len(head)})")
    return head


@pytest.mark.parametrize("target", ["/healthz", "/healthz?a=b"])
@pytest.mark.req("HTTP-013.2", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-001.5")
def test_a_header_section_one_byte_past_64_kib_fails(http: httpx.Client, target: str) -> None:
    url = str(http.base_url).rstrip("/")
    size = BOUND + 1
    answer = raw_exchange(url, _head_of(url, target, size), seconds=scaled(ANSWER_SECONDS))
    what = f"a header section of {size} bytes (GET {target})"
    if answer.status is not None:
        check(
            "HTTP-013.2",
            answer.status == 431 and _error_class(answer) == "headers-too-large",
            expected="status 431 with the class headers-too-large",
            came=answer.describe,
            what=what,
        )
    else:
        check(
            "HTTP-013.2",
            answer.closed,
            expected="431 or a close",
            came="no answer and no close",
            what=what,
        )
    health = http.get("/healthz")
    check(
        "HTTP-013.5",
        health.status_code == 200,
        expected="status 200 (another request served)",
        came=lambda: f"status {health.status_code}",
        what=f"GET /healthz after {what}",
    )

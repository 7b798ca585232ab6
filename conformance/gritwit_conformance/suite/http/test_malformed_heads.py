"""Request heads the HTTP/1.1 parser refuses: answered as failed requests, or closed
(HTTP-003.1, HTTP-003.2, HTTP-013.2).

``test_hostile.py`` sends its 65 KiB header section in one write, which a service may
read whole before it measures it. Here the section stops short of its blank line until
more than 64 KiB of it has come, so a service reading heads piece by piece meets the
bound before the head is whole; and a head that is no HTTP request at all. Each must be
refused — with the JSON body of HTTP-003.1 and the status of its class (HTTP-003.2), or
by closing the connection — never left without an answer on an open connection. Every
exchange has a bound of its own: HTTP-013.3's longest default limit and more.
"""

from __future__ import annotations

import json

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check
from ._api import clauses_of, count_of, counter, inc, settle
from ._service import RawAnswer, raw_exchange, request_head
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Seconds a refusal may take: HTTP-013.3's default time limit (30 s) and a margin, so a
#: service that closes only when its own limit passes is still judged conformant.
REFUSAL_SECONDS = 30.0
#: The statuses of the classes a refused head may carry (HTTP-003.2).
STATUS_OF = {"bad-request": 400, "headers-too-large": 431, "request-timeout": 408}


def _error(answer: RawAnswer) -> tuple[str | None, bool]:
    """The answer's error class, and whether its body is HTTP-003.1's."""
    try:
        error = json.loads(answer.body)["error"]
    except (ValueError, KeyError, TypeError):
        return None, False
    if not isinstance(error, dict):
        return None, False
    cls, message = error.get("class"), error.get("message")
    return (cls if isinstance(cls, str) else None), isinstance(message, str)


def _refused(answer: RawAnswer, classes: tuple[str, ...], rule: str) -> None:
    """An answer of one of ``classes`` with its status and HTTP-003.1's body, or a close."""
    clauses, words = clauses_of(rule)
    if answer.status is None:
        check(
            clauses,
            answer.closed,
            expected="an answer or a close",
            came=f"neither within {scaled(REFUSAL_SECONDS) + 30:.0f} s",
            what=words,
        )
        return
    cls, body = _error(answer)
    check(
        (*clauses, "HTTP-003.1", "HTTP-003.2"),
        cls in classes and body and answer.status == STATUS_OF[cls],
        expected=" or ".join(f"{STATUS_OF[c]} {c}" for c in classes)
        + ' with a body {"error": {"class": C, "message": text}}, or a close',
        came=answer.describe,
        what=words,
    )


def _still_served(client: httpx.Client, what: str) -> None:
    """HTTP-013.5: the service goes on serving after the refused head."""
    actor = counter(client)
    inc(client, actor, 2)
    settle(client)
    check(
        "HTTP-013.5",
        count_of(client, actor) == 2,
        expected="a counter made and sent 2 after the refused head counts 2",
        came=count_of(client, actor),
        what=f"a service after {what}",
    )


@pytest.mark.req("HTTP-013.2", "HTTP-003.1", "HTTP-003.2", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_header_section_past_64_kib_before_its_end_fails(http: httpx.Client) -> None:
    url = str(http.base_url).rstrip("/")
    whole = request_head("GET", url, "/healthz", {"X-Filler": "f" * (70 * 1024)})
    cut = len(whole) - 4  # all but the blank line's CRLF CRLF, which comes later
    answer = raw_exchange(
        url,
        whole[:cut],
        [whole[cut:]],
        seconds=scaled(REFUSAL_SECONDS) + 30,
        linger=scaled(1.0),
    )
    _refused(answer, ("headers-too-large",), "HTTP-013.2: a 70 KiB header section, its end late")
    _still_served(http, "a 70 KiB header section")


@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "HTTP-013.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_head_that_is_no_http_request_fails(http: httpx.Client) -> None:
    url = str(http.base_url).rstrip("/")
    answer = raw_exchange(url, b"NOT AN HTTP REQUEST\r\n\r\n", seconds=scaled(REFUSAL_SECONDS) + 30)
    _refused(answer, ("bad-request",), "HTTP-003.1: a head that is no HTTP/1.1 request")
    _still_served(http, "a head that is no HTTP request")

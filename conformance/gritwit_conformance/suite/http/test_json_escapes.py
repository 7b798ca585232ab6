"""Escapes in a JSON body: read as the characters they stand for, a lone surrogate refused
wherever it stands (HTTP-002.3).

``test_requests.py`` sends lone surrogates in a send's body, none in an array; these send
the escapes a body may hold and must be read as their characters (``\\u00e9`` and an
escaped surrogate pair, which JSON joins into one character), and a lone surrogate in
an entry of a batch (HTTP-005.7), inside the body's array, which must be refused as one
outside an array is, sending nothing (HTTP-003.3).
"""

from __future__ import annotations

import json

import httpx
import pytest

from .._check import check_equal
from ._api import body_of, counter, expect_error, inc, next_previous, object_of
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

JSON = {"Content-Type": "application/json"}
#: The ``mt`` of the escaped body below, as its escapes read (RFC 8259, section 7).
ESCAPED_MT = "\u00e9t\u00e9 \U0001f600"


@pytest.mark.req("HTTP-002.3", "HTTP-005.1")
@pytest.mark.req("HTTP-002.1", "HTTP-005.2", "HTTP-009.1")
@pytest.mark.req("HTTP-004.2")  # its checks name them too
def test_escaped_characters_are_read_as_the_characters(http: httpx.Client) -> None:
    """``"\\u00e9t\\u00e9 \\ud83d\\ude00"``: no lone surrogate (the pair is one character);
    the message's ``mt`` header is ``été 😀``."""
    actor = counter(http)
    body = b'{"content": {"blob": ""}, "mt": "\\u00e9t\\u00e9 \\ud83d\\ude00"}'
    answer = body_of(
        http.post(f"/v1/actors/{actor}/messages", content=body, headers=JSON),
        202,
        "HTTP-002.3, HTTP-005.2: a body of UTF-8 JSON whose escapes stand for characters",
    )
    message = answer.get("message") if isinstance(answer, dict) else None
    headers = object_of(http, str(message)).get("headers")
    check_equal(
        ("HTTP-002.3", "HTTP-005.1"),
        {"mt": ESCAPED_MT},
        headers,
        "the sent message's headers: its mt as the body's escapes read",
    )


@pytest.mark.req("HTTP-002.3", "HTTP-005.7", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2")
@pytest.mark.req("HTTP-004.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_lone_surrogate_in_a_batch_entry_is_400_and_sends_nothing(http: httpx.Client) -> None:
    """A batch whose one entry's ``mt`` holds ``\\ud800`` alone, inside the body's array."""
    actor = counter(http)
    last = inc(http, actor)
    entry = {"to": actor, "content": {"blob": ""}, "mt": "a\ud800b"}
    body = json.dumps({"messages": [entry]}).encode("ascii")  # ensure_ascii: "\ud800"
    response = http.post("/v1/messages", content=body, headers=JSON)
    expect_error(response, 400, "bad-request", "HTTP-002.3 (a lone surrogate in a batch entry)")
    check_equal(
        ("HTTP-003.3", "HTTP-005.7"),
        last,
        next_previous(http, actor),
        "the message a new send chains onto after the refused batch: the last acknowledged "
        "one, the refused batch sent nothing",
    )


@pytest.mark.req("HTTP-002.3", "HTTP-005.1", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2")
@pytest.mark.req("HTTP-004.2")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_lone_surrogate_in_an_objects_key_is_400_and_sends_nothing(http: httpx.Client) -> None:
    """A send whose content names a tree entry ``a\\ud800b``, and one whose blob has a
    header of that name: a lone surrogate in a key of the body, not in a value, is refused
    as one in a value is (HTTP-002.3), sending nothing."""
    actor = counter(http)
    last = inc(http, actor)
    contents = (
        {"tree": {"a\ud800b": {"blob": ""}}},
        {"blob": "", "headers": {"a\ud800b": "x"}},
    )
    for content in contents:
        body = json.dumps({"content": content}).encode("ascii")  # ensure_ascii: "\ud800"
        response = http.post(f"/v1/actors/{actor}/messages", content=body, headers=JSON)
        expect_error(
            response, 400, "bad-request", f"HTTP-002.3 (a lone surrogate in a key: {body!r})"
        )
    check_equal(
        ("HTTP-003.3", "HTTP-005.1"),
        last,
        next_previous(http, actor),
        "the message a new send chains onto after the refused sends: the last acknowledged "
        "one, the refused sends sent nothing",
    )

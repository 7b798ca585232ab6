"""A long JSON body is parsed holding no more copies of it than it must (HTTP-002.3,
HTTP-013): its bytes, its text while it is parsed, and the parsed value.

The check for lone surrogates once encoded the whole parsed value again (a JSON text and
its UTF-8 bytes: two more copies of a 15 MiB body at once); it now searches each string
in place, and only when the body holds a ``\\u`` escape at all.
"""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from gritwit.serve import _http
from gritwit.serve._json_body import Field, is_object, parse_object
from gritwit.serve._problems import HttpProblem

_FIELDS = {"content": Field(True, is_object, "an object")}


def _refused_for_surrogate(data: bytes) -> bool:
    try:
        parse_object(data, {"content": Field(True, lambda _: True, "anything")})
    except HttpProblem as problem:
        return "surrogate" in problem.message
    return False


def _old_reading(value: Any) -> bool:
    """The check as it was: the value does not encode as UTF-8."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_CHARACTERS = st.sampled_from(["a", "\u00e9", "\ud800", "\udc00", "\ud83d", "\ude00", "\U0001f600"])
_STRINGS = st.lists(_CHARACTERS, max_size=4).map("".join)
_VALUES = st.recursive(
    _STRINGS | st.integers(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_STRINGS, inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.req("HTTP-002.3")
@given(_VALUES)
def test_a_lone_surrogate_is_refused_exactly_as_before(value: Any) -> None:
    """Escaped pairs join into one character; what stays alone is refused, in a key or a
    value, at any depth, and nothing else is."""
    data = json.dumps({"content": value}).encode()  # ensure_ascii: every one escaped
    assert _refused_for_surrogate(data) == _old_reading(json.loads(data)), data


@pytest.mark.req("HTTP-002.3", "HTTP-013")
def test_a_long_body_is_parsed_holding_two_copies_of_it_at_most() -> None:
    """8 MiB of body: Python's allocations while it is parsed and judged peak within
    2.5 times its bytes (its text while parsed, then its value), not at the four times an
    encoding of the whole value again took.  tracemalloc counts allocations, not time."""
    body = b'{"content": {"blob": "' + b"5a" * (4 << 20) + b'"}}'
    escaped = b'{"content": {"blob": "\\u00e9' + b"5a" * (4 << 20) + b'"}}'
    for data in (body, escaped):
        tracemalloc.start()
        try:
            value = parse_object(data, _FIELDS)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(value["content"]["blob"]) >= 8 << 20
        assert peak < 2.5 * len(data), f"{len(data)} bytes of body peaked at {peak} bytes"


@pytest.mark.req("HTTP-002.3", "HTTP-013")
def test_the_body_the_middleware_read_is_parsed_as_it_is_not_copied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The limits middleware hands the handler the body in one piece; the parser gets
    that very object.  Starlette's ``Request.body`` joined it with an empty piece, which
    copied it: one more copy of a 16 MiB body per request."""
    body = b'{"content": {"blob": "' + b"5a" * 40_000 + b'"}}'
    given: list[bytes] = []

    def parse(data: bytes, fields: Any) -> dict[str, Any]:
        given.append(data)
        return {}

    monkeypatch.setattr(_http, "parse_object", parse)
    monkeypatch.setattr(_http, "_parse_long", parse)
    sent = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return sent.pop(0) if sent else {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    asyncio.run(_http.json_body(request, _FIELDS))
    assert len(given) == 1 and given[0] is body, "the body was copied before it was parsed"

"""A long JSON body is parsed holding no more copies of it than it must (HTTP-002.3,
HTTP-013): its bytes, its text while it is parsed, and the parsed value.

The check for lone surrogates once encoded the whole parsed value again (a JSON text and
its UTF-8 bytes: two more copies of a 15 MiB body at once); it now searches each string
in place, and only when the body holds a ``\\u`` escape at all.
"""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from serve_helpers import JSON, Served, created, served

from gritwit.serve._json_body import Field, is_object, parse_object
from gritwit.serve._problems import HttpProblem

__all__ = ["served"]

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


@pytest.mark.req("HTTP-002.2", "HTTP-013")
def test_a_long_send_holds_few_copies_of_its_body(served: Served) -> None:
    """A send of 8 MiB of JSON through a running service, client and service in this
    process: Python's allocations peak within 3.5 times the body.  The client's copy is
    one; the service keeps its bytes once, its parsed value, and the blob's data (half).
    Starlette's ``Request.body`` copied the bytes once more (4 times in all)."""
    actor = created(served.client, test="counter")
    head, tail = b'{"mt": "inc", "content": {"blob": "', b'"}}'
    body = head + b"5a" * (4 << 20) + tail
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        answer = served.client.post(f"/v1/actors/{actor}/messages", content=body, headers=JSON)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert answer.status_code == 202, answer.text
    assert peak < 3.5 * len(body), f"a send of {len(body)} bytes peaked at {peak} bytes"

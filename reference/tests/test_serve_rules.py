"""The service's pure rules, without a server: JSON bodies, HTML sniffing, keys, statuses.

Each rule is checked against a plain restatement of its clause (hypothesis), and on the
two sides of each bound.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit import KeyConflict, ObjectNotFound, OutcomeUnknown, compute_id
from gritwit.serve._json_body import (
    Field,
    deeper_than,
    is_bool,
    is_number,
    is_text,
    nesting_depth,
    parse_object,
)
from gritwit.serve._keys import BadKey, check_key
from gritwit.serve._limits import MAX_DEPTH
from gritwit.serve._problems import HttpProblem, problem_body, problem_of, status_of
from gritwit.serve._sniff import answer_form, holds_html, is_json_text

# --- JSON bodies (HTTP-002.3) -----------------------------------------------------------


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode() if depth else b"0"


def _depth_of(value: Any) -> int:
    """The nesting of a parsed value, the plain (recursive) way."""
    if isinstance(value, dict):
        return 1 + max((_depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth_of(v) for v in value), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='a[]{}"\\ ,:', max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)


@pytest.mark.req("HTTP-002.3")
@given(json_values)
def test_the_scan_finds_the_nesting_the_parser_sees(value: Any) -> None:
    text = json.dumps(value).encode()
    assert nesting_depth(text) == _depth_of(json.loads(text))


@pytest.mark.req("HTTP-002.3")
@given(json_values, st.integers(min_value=0, max_value=40), st.sampled_from([0, 1, 3, 32]))
def test_the_fast_check_agrees_with_the_scan(value: Any, extra: int, limit: int) -> None:
    for _ in range(extra):
        value = [value] if extra % 2 else {"k": value}
    text = json.dumps(value).encode()
    assert deeper_than(text, limit) == (nesting_depth(text) > limit)


@pytest.mark.req("HTTP-002.3")
def test_brackets_in_strings_do_not_nest() -> None:
    for text, depth in ((b'{"a": "[[[[\\"]]]]{"}', 1), (b'["\\\\", [1]]', 2)):
        assert nesting_depth(text) == depth
        assert deeper_than(text, depth - 1) and not deeper_than(text, depth)


@pytest.mark.req("HTTP-002.3")
def test_the_scan_told_where_to_stop_ends_one_past_it() -> None:
    """With ``stop_after``, the scan answers the depth up to it and one more past it."""
    for depth in range(6):
        for stop_after in range(5):
            expected = min(depth, stop_after + 1)
            assert nesting_depth(_nested(depth), stop_after) == expected, (depth, stop_after)
    assert nesting_depth(b"[[]][[[]]]", 1) == 2 and nesting_depth(b"[][]", 1) == 1


FIELDS = {
    "t": Field(True, is_text, "text"),
    "b": Field(False, is_bool, "a boolean"),
    "n": Field(False, is_number, "a number"),
}


def _refused(data: bytes, fields: dict[str, Field] = FIELDS) -> str:
    with pytest.raises(HttpProblem) as caught:
        parse_object(data, fields)
    assert (caught.value.status, caught.value.error_class) == (400, "bad-request")
    return caught.value.message


@pytest.mark.req("HTTP-002.3")
def test_depth_32_is_parsed_and_33_refused() -> None:
    any_field = {"x": Field(False, lambda v: True, "anything")}
    at = b'{"x": ' + _nested(MAX_DEPTH - 1) + b"}"
    assert nesting_depth(at) == 32
    assert parse_object(at, any_field)["x"] is not None
    over = b'{"x": ' + _nested(MAX_DEPTH) + b"}"
    assert "deeper than 32" in _refused(over, any_field)
    assert "deeper" in _refused(_nested(100_000), any_field)  # no recursion, no crash


@pytest.mark.req("HTTP-002.3")
def test_a_lone_surrogate_is_refused_a_pair_is_not() -> None:
    assert "surrogate" in _refused(b'{"t": "\\ud800"}')
    assert "surrogate" in _refused(b'{"t": "x", "n": 1, "b": true, "\\udfff": 1}')
    assert parse_object(b'{"t": "\\ud83d\\ude00"}', FIELDS) == {"t": "\U0001f600"}


@pytest.mark.req("HTTP-002.3")
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"\xff{}", "not UTF-8"),
        (b"[]", "JSON object"),
        (b'{"t": "x", "u": 1}', "no field 'u'"),
        (b"{}", "'t' is required"),
        (b'{"t": 1}', "'t' must be text"),
        (b'{"t": "x", "b": 0}', "'b' must be a boolean"),
        (b'{"t": "x", "n": true}', "'n' must be a number"),
        (b'{"t": "x", "n": NaN}', "not JSON"),
        (b'{"t": "x", "t": "y"}', "not JSON"),
        (b'{"t": "x"', "not JSON"),
        (b"", "not JSON"),
    ],
)
def test_bodies_the_endpoint_does_not_define_are_refused(body: bytes, says: str) -> None:
    assert says in _refused(body)


# --- HTML sniffing (HTTP-006.1) ---------------------------------------------------------

_SPACE = "\t\n\x0c\r "
_AFTER = _SPACE + ">"


def _by_the_clause(data: bytes) -> bool:
    """HTTP-006.1's sentence, read literally, by a regular expression."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    lead, after = r"[\ufeff\t\n\x0c\r ]*", r"[\t\n\x0c\r >]"
    tags = r"(?:<!doctype html|<html)"
    return re.match(lead + tags + after, text, re.IGNORECASE | re.ASCII) is not None


def _casings(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in word)).map("".join)


html_like = st.builds(
    lambda lead, tag, after, rest: (lead + tag + after + rest).encode("utf-8"),
    st.text(alphabet="\ufeff\t\n\x0c\r \x0b\xa0x", max_size=4),
    st.one_of(
        _casings("<!doctype html"), _casings("<html"), _casings("<htm"), st.just("<!doctype")
    ),
    st.sampled_from([*_AFTER, "", "x", "-", "\x0b", "\xa0", "/"]),
    st.text(max_size=8),
)


@pytest.mark.req("HTTP-006.1")
@given(st.one_of(html_like, st.binary(max_size=40)))
def test_html_sniffing_is_the_clause(data: bytes) -> None:
    assert holds_html(data) == _by_the_clause(data)


@pytest.mark.req("HTTP-006.1")
@pytest.mark.parametrize(
    ("data", "form"),
    [
        (b"<!DOCTYPE html><title>x</title>", "html"),
        (b"\xef\xbb\xbf \n<HtMl>", "html"),
        (b"<html\x0c", "html"),
        (b"<html", "blob"),  # nothing after the tag
        (b"<htmlx>", "blob"),
        (b"\x0b<html>", "blob"),  # a vertical tab is not HTML's whitespace
        (b"<!doctype html\xff>", "blob"),  # not UTF-8
        (b'  {"a": [1, 2.5e3, "<html>"]} ', "json"),
        (b'"<html>"', "json"),
        (b"12", "json"),
        (b"9" * 5000, "json"),  # long integers are JSON too
        (b"NaN", "blob"),
        (b"{'a': 1}", "blob"),
        (b"", "blob"),
        (b"\x00\x01", "blob"),
        (b"[" * 100_000 + b"]" * 100_000, "blob"),  # too deep for the parser: described
    ],
)
def test_answer_forms(data: bytes, form: str) -> None:
    assert answer_form(data) == form


@pytest.mark.req("HTTP-006.1")
@given(json_values)
def test_every_json_text_is_json(value: Any) -> None:
    data = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    assert is_json_text(data)


# --- keys (HTTP-005.3) ------------------------------------------------------------------


@pytest.mark.req("HTTP-005.3")
@pytest.mark.parametrize("key", ["!", "~", "a" * 255, "".join(chr(c) for c in range(0x21, 0x7F))])
def test_keys_of_1_to_255_visible_ascii_characters_are_keys(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.req("HTTP-005.3")
@pytest.mark.parametrize("key", ["", "a" * 256, "a b", "a\x7f", "\x20", "é", "a\tb"])
def test_other_values_are_not_keys(key: str) -> None:
    with pytest.raises(BadKey, match=r"HTTP-005\.3"):
        check_key(key)


@pytest.mark.req("HTTP-005.3")
@given(st.text(max_size=300))
def test_a_key_is_exactly_what_the_clause_allows(text: str) -> None:
    allowed = 1 <= len(text) <= 255 and all(0x21 <= ord(c) <= 0x7E for c in text)
    try:
        check_key(text)
    except BadKey:
        assert not allowed
    else:
        assert allowed


# --- statuses (HTTP-003) ----------------------------------------------------------------


@pytest.mark.req("HTTP-003.2")
@pytest.mark.parametrize(
    ("error_class", "phase", "status"),
    [
        ("bad-request", "other", 400),
        ("malformed", "decode", 400),
        ("invalid-id", "validate", 400),
        ("not-found", "store", 404),
        ("unknown-query", "transition", 404),
        ("key-conflict", "http", 409),
        ("ref-conflict", "store", 409),
        ("erased", "store", 410),
        ("request-too-large", "http", 413),
        ("write-too-large", "store", 413),
        ("headers-too-large", "http", 431),
        ("request-timeout", "http", 408),
        ("unknown-wit", "transition", 422),
        ("invalid-genesis", "transition", 422),
        ("step-too-large", "transition", 422),
        ("internal", "other", 500),
        ("store-unavailable", "store", 503),
        ("store-busy", "store", 503),
        ("service-busy", "http", 503),
        ("service-stopping", "http", 503),
        ("outcome-unknown", "store", 504),
    ],
)
def test_each_class_has_the_status_of_the_table(error_class: str, phase: str, status: int) -> None:
    assert status_of(error_class, phase) == status


@pytest.mark.req("HTTP-003.1", "HTTP-005.6")
def test_errors_become_bodies_of_their_class() -> None:
    message = compute_id(b"m")
    unknown = problem_of(OutcomeUnknown("DUR-006.2", "lost", messages=(message,)))
    assert unknown.status == 504
    body = problem_body(unknown)
    assert body["error"]["class"] == "outcome-unknown"
    assert body["error"]["messages"] == [message.hex()]
    assert problem_of(KeyConflict("HTTP-005.5", "x")).status == 409
    assert problem_of(ObjectNotFound("STO-003", "x")).status == 404
    internal = problem_body(problem_of(ZeroDivisionError("bug")))
    assert internal["error"]["class"] == "internal"
    assert set(internal) == {"error"} and set(internal["error"]) == {"class", "message"}

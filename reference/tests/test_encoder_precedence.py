"""What the encoder refuses, and with which class (ENC-017).

The adapter protocol cannot send a generic value to an encoder (``encode`` takes
object descriptions, two levels deep), so these rules are checked on the
reference's API.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit._cbor import MAX_DEPTH, MAX_SIZE, decode_value, encode_value


def _nested(depth: int, inner: object = 0) -> object:
    value = inner
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def _class(value: object) -> str:
    try:
        encode_value(value)  # type: ignore[arg-type]
    except g.GritError as exc:
        return exc.error_class
    return "ok"


@pytest.mark.req("ENC-017.1", "ENC-012")
@given(st.integers(min_value=1, max_value=3 * MAX_DEPTH))
def test_the_encoder_refuses_too_deep_values_with_the_decoders_class(depth: int) -> None:
    value = _nested(depth)
    if depth <= MAX_DEPTH:
        assert decode_value(encode_value(value)) == value  # type: ignore[arg-type]
    else:
        assert _class(value) == "too-deep"


@pytest.mark.req("ENC-017.1", "ENC-003.2", "ENC-008.1", "ENC-009")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2**64, "forbidden-type"),
        (-(2**64) - 1, "forbidden-type"),
        (1.5, "forbidden-type"),
        ({1: "x"}, "non-text-key"),
        ("a\ud800", "invalid-utf8"),
        ({"a\udfff": 0}, "invalid-utf8"),
    ],
    ids=["big", "small", "float", "int-key", "lone-surrogate", "surrogate-key"],
)
def test_the_encoder_refuses_other_values_with_the_decoders_class(
    value: object, expected: str
) -> None:
    assert _class(value) == expected


@pytest.mark.slow
@pytest.mark.req("ENC-017.2", "ENC-013.2")
def test_too_deep_wins_over_too_large_and_too_large_alone_is_too_large() -> None:
    big = b"x" * MAX_SIZE
    assert _class([big]) == "too-large"
    assert _class([big, _nested(MAX_DEPTH + 8)]) == "too-deep"
    assert _class([_nested(MAX_DEPTH + 8), big]) == "too-deep"
    assert _class([big, 2**64]) == "forbidden-type"


@pytest.mark.req("ENC-017.3")
def test_a_value_breaking_two_encoder_rules_gets_one_of_their_classes() -> None:
    both = [2**64, _nested(MAX_DEPTH + 1), "\ud800"]
    assert _class(both) in {"forbidden-type", "too-deep", "invalid-utf8"}
    assert _class(list(reversed(both))) in {"forbidden-type", "too-deep", "invalid-utf8"}

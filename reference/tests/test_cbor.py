"""The generic CBOR subset: acceptance, rejection, limits, error precedence (chapter *encoding*)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import encode as oracle_encode
from oracle import head, long_head

import gritwit as g
from gritwit_conformance.strategies import boundary_ints, ints, values


def reject(data: bytes, cls: type[g.GritError], requirement: str) -> g.GritError:
    with pytest.raises(cls) as info:
        g.decode_value(data)
    assert info.value.requirement == requirement, info.value
    return info.value


@pytest.mark.req("ENC-014.1", "ENC-014.2", "ENC-014.3", "ENC-015", "ENC-007.1", "ENC-010")
@given(values())
def test_round_trip_and_bytes_match_an_independent_encoder(value: object) -> None:
    encoded = g.encode_value(value)  # type: ignore[arg-type]
    assert encoded == oracle_encode(value)
    assert g.decode_value(encoded) == value
    assert g.encode_value(g.decode_value(encoded)) == encoded


@pytest.mark.req("ENC-015")
@given(st.one_of(ints, boundary_ints))
def test_every_64_bit_integer_is_accepted(n: int) -> None:
    assert g.decode_value(oracle_encode(n)) == n


@pytest.mark.req("ENC-007.2")
@given(st.one_of(ints, boundary_ints), st.sampled_from([24, 25, 26, 27]))
def test_integers_in_a_longer_head_are_rejected(n: int, ai: int) -> None:
    major, arg = (0, n) if n >= 0 else (1, -1 - n)
    if arg >= 1 << (8 * {24: 1, 25: 2, 26: 4, 27: 8}[ai]):
        return  # does not fit that width at all
    data = long_head(major, arg, ai)
    if data == head(major, arg):
        assert g.decode_value(data) == n
    else:
        reject(data, g.NonShortest, "ENC-007.2")


@pytest.mark.req("ENC-007.2")
@pytest.mark.parametrize("major", [2, 3, 4, 5])
@pytest.mark.parametrize(("length", "ai"), [(0, 24), (23, 24), (255, 25), (65535, 26)])
def test_lengths_and_counts_in_a_longer_head_are_rejected(major: int, length: int, ai: int) -> None:
    body = {2: b"\x00" * length, 3: b"a" * length, 4: b"\x00" * length}.get(
        major, b"".join(oracle_encode(f"{i:05d}") + b"\x00" for i in range(length))
    )
    reject(long_head(major, length, ai) + body, g.NonShortest, "ENC-007.2")


CASES = [
    # (hex, class, requirement) — one violation each
    ("", g.Truncated, "ENC-002.1"),
    ("19", g.Truncated, "ENC-002.1"),
    ("1b00000000", g.Truncated, "ENC-002.1"),
    ("43aabb", g.Truncated, "ENC-002.1"),
    ("5b7fffffffffffffff00", g.Truncated, "ENC-002.1"),
    ("9b000000010000000000", g.Truncated, "ENC-002.1"),
    ("bb0000000100000000616100", g.Truncated, "ENC-002.1"),
    ("a1", g.Truncated, "ENC-002.1"),
    ("0000", g.TrailingBytes, "ENC-001"),
    ("a0ff", g.TrailingBytes, "ENC-001"),
    ("1c", g.Malformed, "ENC-005"),
    ("5d", g.Malformed, "ENC-005"),
    ("fe", g.Malformed, "ENC-005"),
    ("1f", g.Malformed, "ENC-005"),
    ("3f", g.Malformed, "ENC-005"),
    ("df", g.Malformed, "ENC-005"),
    ("ff", g.Malformed, "ENC-005"),
    ("8201ff", g.Malformed, "ENC-005"),
    ("c100", g.ForbiddenType, "ENC-003.1"),
    ("c249010000000000000000", g.ForbiddenType, "ENC-003.1"),
    ("d9d9f700", g.ForbiddenType, "ENC-003.1"),
    ("f90000", g.ForbiddenType, "ENC-004"),
    ("fa47c35000", g.ForbiddenType, "ENC-004"),
    ("fb3ff199999999999a", g.ForbiddenType, "ENC-004"),
    ("f7", g.ForbiddenType, "ENC-004"),
    ("f0", g.ForbiddenType, "ENC-004"),
    ("f820", g.ForbiddenType, "ENC-004"),
    ("5f4101ff", g.IndefiniteLength, "ENC-006"),
    ("7f6161ff", g.IndefiniteLength, "ENC-006"),
    ("9fff", g.IndefiniteLength, "ENC-006"),
    ("bfff", g.IndefiniteLength, "ENC-006"),
    ("a17f6161ff00", g.IndefiniteLength, "ENC-006"),
    ("62c328", g.InvalidUtf8, "ENC-008.1"),
    ("62c081", g.InvalidUtf8, "ENC-008.1"),
    ("63eda080", g.InvalidUtf8, "ENC-008.1"),
    ("64f4908080", g.InvalidUtf8, "ENC-008.1"),
    ("61ff", g.InvalidUtf8, "ENC-008.1"),
    ("62e282", g.InvalidUtf8, "ENC-008.1"),
    ("a10102", g.NonTextKey, "ENC-009"),
    ("a1416100", g.NonTextKey, "ENC-009"),
    ("a1f600", g.NonTextKey, "ENC-009"),
    ("a2616201616100", g.UnsortedKeys, "ENC-010"),
    ("a26261610161620", g.UnsortedKeys, "ENC-010"),
    ("a2616101616102", g.DuplicateKey, "ENC-011"),
]


@pytest.mark.req(
    "ENC-001",
    "ENC-002.1",
    "ENC-002.2",
    "ENC-003.1",
    "ENC-004",
    "ENC-005",
    "ENC-006",
    "ENC-008.1",
    "ENC-009",
    "ENC-010",
    "ENC-011",
    "CONV-004",
)
@pytest.mark.parametrize(
    ("hexdata", "cls", "requirement"), CASES, ids=[c[0] or "empty" for c in CASES]
)
def test_each_rule_rejects_with_its_class(
    hexdata: str, cls: type[g.GritError], requirement: str
) -> None:
    if len(hexdata) % 2:
        hexdata += "0"
    error = reject(bytes.fromhex(hexdata), cls, requirement)
    assert error.error_class in g.ERROR_CLASSES
    assert f"[{requirement}]" in str(error)


@pytest.mark.req("ENC-016")
@pytest.mark.parametrize(
    ("hexdata", "cls"),
    [
        ("1801ff", g.NonShortest),  # non-shortest before trailing bytes
        ("a20100f600", g.NonTextKey),  # first key is already not text
        ("a2616201616100ff", g.UnsortedKeys),  # unsorted before trailing
        ("a261620161620200", g.DuplicateKey),  # duplicate before trailing
        ("a1f900000100", g.NonTextKey),  # non-text key before forbidden float
        ("825f41", g.IndefiniteLength),  # indefinite before the truncation that follows
        ("825f", g.Truncated),  # the count check (step 9) comes before the items
        ("8218", g.Truncated),  # missing argument byte
        ("821801", g.NonShortest),  # argument present but too long, array then truncated
        ("9800", g.NonShortest),  # count 0 in one byte, before anything else
        ("7801c3", g.NonShortest),  # length head before the bad UTF-8 body
        ("f9", g.ForbiddenType),  # float head is forbidden before its missing bytes
        ("c0ff", g.ForbiddenType),  # tag before the break that follows
        ("1c00", g.Malformed),  # reserved AI before trailing bytes
        ("7f", g.IndefiniteLength),
    ],
)
def test_first_violation_in_one_pass_wins(hexdata: str, cls: type[g.GritError]) -> None:
    with pytest.raises(cls):
        g.decode_value(bytes.fromhex(hexdata))


def nested(levels: int) -> bytes:
    return b"\x81" * levels + b"\x00"


@pytest.mark.req("ENC-012")
def test_nesting_limit() -> None:
    assert g.MAX_DEPTH == 32
    value = g.decode_value(nested(32))
    for _ in range(32):
        assert isinstance(value, list)
        value = value[0]
    assert value == 0
    reject(nested(33), g.TooDeep, "ENC-012")
    reject(nested(200_000), g.TooDeep, "ENC-012")  # no RecursionError, no hang
    reject(b"\xa1\x61a" * 33 + b"\x00", g.TooDeep, "ENC-012")
    deep: object = 0
    for _ in range(33):
        deep = [deep]
    with pytest.raises(g.TooDeep):
        g.encode_value(deep)  # type: ignore[arg-type]


@pytest.mark.req("ENC-013.1", "ENC-013.2")
def test_size_limit() -> None:
    assert g.MAX_SIZE == 16 * 1024 * 1024
    at_limit = head(2, g.MAX_SIZE - 5) + bytes(g.MAX_SIZE - 5)
    assert len(at_limit) == g.MAX_SIZE
    assert g.decode_value(at_limit) == bytes(g.MAX_SIZE - 5)
    reject(at_limit + b"\x00", g.TooLarge, "ENC-013.1")  # too-large wins over trailing bytes
    with pytest.raises(g.TooLarge):
        g.encode_value(bytes(g.MAX_SIZE))


@pytest.mark.req("ENC-003.2", "ENC-004", "ENC-008.1", "ENC-009", "OBJ-017.1")
@pytest.mark.parametrize(
    ("value", "cls"),
    [
        (1.5, g.ForbiddenType),
        (2**64, g.ForbiddenType),
        (-(2**64) - 1, g.ForbiddenType),
        ("\ud800", g.InvalidUtf8),
        ({1: 2}, g.NonTextKey),
        ({b"k": 2}, g.NonTextKey),
        ((1, 2), g.ForbiddenType),
        (frozenset(), g.ForbiddenType),
    ],
)
def test_encoder_refuses_what_the_decoder_rejects(value: object, cls: type[g.GritError]) -> None:
    with pytest.raises(cls):
        g.encode_value(value)  # type: ignore[arg-type]

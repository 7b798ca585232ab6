"""Hostile input: only typed errors, bounded memory, no hang (ENC-002, ENC-012, ENC-013)."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import encode as oracle_encode

import gritwit as g

# Byte strings biased towards CBOR heads that claim a lot.
HEADS = [bytes([m << 5 | ai]) for m in range(8) for ai in (24, 25, 26, 27, 31)]
hostile = st.lists(
    st.one_of(st.binary(max_size=9), st.sampled_from([*HEADS, b"\xff" * 8, b"\x00" * 8])),
    max_size=12,
).map(b"".join)


@pytest.mark.req("ENC-002", "ENC-016", "CONV-004")
@given(st.one_of(st.binary(max_size=200), hostile))
def test_random_bytes_raise_only_typed_errors(data: bytes) -> None:
    for decode in (g.decode_value, g.decode_object, g.decode_object_plain):
        try:
            decode(data)
        except g.InputError as exc:
            assert exc.error_class in g.ERROR_CLASSES
            assert exc.requirement.split("-")[0] in ("ENC", "OBJ", "ID")


CLAIMS = [
    (major, width, claim)
    for major in (2, 3, 4, 5)
    for width, claim in ((26, 2**32 - 1), (27, 2**32), (27, 2**63), (27, 2**64 - 1))
]


@pytest.mark.req("ENC-002")
@pytest.mark.parametrize(("major", "ai", "claim"), CLAIMS)
def test_huge_length_claims_cost_no_memory(major: int, ai: int, claim: int) -> None:
    width = {26: 4, 27: 8}[ai]
    data = bytes([major << 5 | ai]) + claim.to_bytes(width, "big") + b"\x00" * 16
    # Inside an object too: a blob whose data claims that many bytes.
    wrapped = b"\xa2" + oracle_encode("data") + data[: 1 + width] + b"\x00" * 8
    tracemalloc.start()
    try:
        for decode in (g.decode_value, g.decode_object, g.decode_object_plain):
            for payload in (data, wrapped):
                with pytest.raises(g.Truncated):
                    decode(payload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"peak {peak} bytes for a claim of {claim}"


@pytest.mark.req("ENC-012")
@pytest.mark.parametrize("opener", [b"\x81", b"\xa1\x61k", b"\x9f", b"\xbf\x61k"])
def test_very_deep_nesting_is_rejected_without_recursion_errors(opener: bytes) -> None:
    data = opener * 100_000
    for decode in (g.decode_value, g.decode_object, g.decode_object_plain):
        with pytest.raises(g.DecodeError):
            decode(data)


@pytest.mark.req("ENC-013")
def test_oversized_input_is_rejected_before_decoding() -> None:
    data = b"\x5a" + (g.MAX_SIZE).to_bytes(4, "big") + bytes(g.MAX_SIZE)
    for decode in (g.decode_value, g.decode_object, g.decode_object_plain):
        with pytest.raises(g.TooLarge):
            decode(data)
    with pytest.raises(g.TooLarge):
        g.encode_object(g.Blob(data=bytes(g.MAX_SIZE)))

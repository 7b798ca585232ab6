"""Codec limits on both sides, through the adapter (deliverable 4).

ENC-013.2 for the encoder: a blob whose canonical encoding is exactly 16 MiB is encoded;
one data byte more and ``encode`` refuses it → ``too-large``.  The blob encoding is
``a2 64 "data" 5a <len:4> <data> 64 "type" 64 "blob"``: 21 bytes around the data.
OBJ-017.2: the limit is checked after every object rule, so an oversized blob that also
breaks an object rule is refused with that rule's class.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import check_equal, error_answer, ok_answer

pytestmark = pytest.mark.profile("codec")

LIMIT = 16 * 1024 * 1024
AROUND = 21  # map head, "data" key, 4-byte length head, "type" key and value


@pytest.mark.req("ENC-013.2", "OBJ-018.4")
@pytest.mark.inputs("largest")
def test_an_object_encoding_of_exactly_16_mib_is_encoded(impl: Implementation) -> None:
    size = LIMIT - AROUND
    reply = impl.call("encode", object={"type": "blob", "data": "00" * size})
    what = "encode of a blob whose encoding is exactly 16 MiB"
    encoded = bytes.fromhex(ok_answer(reply, "ENC-013.2", what)["bytes"])
    check_equal("ENC-013.2", LIMIT, len(encoded), f"the length of the {what}")
    head = bytes.fromhex("a26464617461") + b"\x5a" + size.to_bytes(4, "big")
    check_equal("OBJ-018.4", head, encoded[:11], f"the first 11 bytes of the {what}")


@pytest.mark.req("ENC-013.2", "OBJ-018.4")
@pytest.mark.inputs("past-largest")
@pytest.mark.req("CONV-004")
def test_an_object_encoding_of_16_mib_plus_one_is_too_large(impl: Implementation) -> None:
    reply = impl.call("encode", object={"type": "blob", "data": "00" * (LIMIT - AROUND + 1)})
    error_answer(reply, "ENC-013.2", "too-large", "encode of a blob encoding 16 MiB + 1 byte")


@pytest.mark.req("OBJ-017.2", "OBJ-006.2", "ENC-013.2")
@pytest.mark.inputs("past-largest", "empty")
@pytest.mark.req("CONV-004")
def test_an_object_rule_is_reported_before_the_size_limit(impl: Implementation) -> None:
    """A blob over 16 MiB with an empty header name: the object rule wins (invalid-object)."""
    description = {"type": "blob", "data": "00" * LIMIT, "headers": {"": "x"}}
    reply = impl.call("encode", check=False, object=description)
    what = "encode of a blob over 16 MiB with an empty header name"
    error_answer(reply, ("OBJ-017.2", "OBJ-006.2"), "invalid-object", what)

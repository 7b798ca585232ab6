"""Codec limits on both sides, through the adapter (issue 9, deliverable 4).

ENC-013.2 for the encoder: a blob whose canonical encoding is exactly 16 MiB is encoded;
one data byte more and ``encode`` refuses it → ``too-large``.  The blob encoding is
``a2 64 "data" 5a <len:4> <data> 64 "type" 64 "blob"``: 21 bytes around the data.
OBJ-017.2: the limit is checked after every object rule, so an oversized blob that also
breaks an object rule is refused with that rule's class.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

pytestmark = pytest.mark.profile("codec")

LIMIT = 16 * 1024 * 1024
AROUND = 21  # map head, "data" key, 4-byte length head, "type" key and value


@pytest.mark.req("ENC-013.2", "OBJ-018.4")
@pytest.mark.inputs("largest")
def test_an_object_encoding_of_exactly_16_mib_is_encoded(impl: Implementation) -> None:
    size = LIMIT - AROUND
    reply = impl.call("encode", object={"type": "blob", "data": "00" * size})
    assert reply.ok, f"a blob encoding of exactly 16 MiB must be encoded: {reply.outcome()}"
    encoded = bytes.fromhex(reply.result["bytes"])
    assert len(encoded) == LIMIT
    assert encoded[:11] == bytes.fromhex("a26464617461") + b"\x5a" + size.to_bytes(4, "big")


@pytest.mark.req("ENC-013.2", "OBJ-018.4")
@pytest.mark.inputs("past-largest")
def test_an_object_encoding_of_16_mib_plus_one_is_too_large(impl: Implementation) -> None:
    reply = impl.call("encode", object={"type": "blob", "data": "00" * (LIMIT - AROUND + 1)})
    assert not reply.ok and reply.error_class == "too-large", reply.outcome()


@pytest.mark.req("OBJ-017.2", "OBJ-006.2", "ENC-013.2")
@pytest.mark.inputs("past-largest", "empty")
def test_an_object_rule_is_reported_before_the_size_limit(impl: Implementation) -> None:
    """A blob over 16 MiB with an empty header name: the object rule wins (invalid-object)."""
    description = {"type": "blob", "data": "00" * LIMIT, "headers": {"": "x"}}
    reply = impl.call("encode", check=False, object=description)
    assert not reply.ok and reply.error_class == "invalid-object", reply.outcome()

"""Store limits on both sides, through the adapter (issue 9, deliverable 4).

REF-001.2: a ref name is at most 255 bytes — a valid ``names/…`` name of exactly 255
bytes is accepted by ``ref-get`` and ``ref-cas``; the same name one byte longer is
``invalid-ref-name``.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

pytestmark = pytest.mark.profile("store")

BLOB = g.Blob(data=b"boundary")


def _name(length: int) -> str:
    """A grammatical ``names/`` ref of ``length`` bytes: 64-byte segments, then the rest."""
    segments, left = [], length - len("names/")
    while left > 65:
        segments.append("s" * 64)
        left -= 65  # a segment and its slash
    segments.append("t" * left)
    name = "names/" + "/".join(segments)
    assert len(name.encode()) == length
    return name


@pytest.fixture
def store(impl: Implementation) -> str:
    reply = impl.call("store-open", kind="memory")
    assert reply.ok, reply
    handle = str(reply.result["store"])
    assert impl.call("put", store=handle, bytes=g.encode_object(BLOB).hex()).ok
    return handle


@pytest.mark.req("REF-001.2")
def test_a_ref_name_of_exactly_255_bytes_is_valid(impl: Implementation, store: str) -> None:
    name = _name(255)
    reply = impl.call("ref-get", store=store, name=name)
    assert reply.ok and reply.result["id"] is None, f"255-byte ref name refused: {reply}"
    new = g.object_id(BLOB).hex()
    reply = impl.call("ref-cas", store=store, name=name, expected=None, new=new)
    assert reply.ok, f"ref-cas of a 255-byte name refused: {reply}"
    assert impl.call("ref-get", store=store, name=name).result["id"] == new


@pytest.mark.req("REF-001.2")
@pytest.mark.parametrize("length", [256, 257])
def test_a_ref_name_over_255_bytes_is_refused(
    impl: Implementation, store: str, length: int
) -> None:
    name = _name(length)
    reply = impl.call("ref-get", store=store, name=name)
    assert not reply.ok and reply.error_class == "invalid-ref-name", reply
    new = g.object_id(BLOB).hex()
    reply = impl.call("ref-cas", store=store, name=name, expected=None, new=new)
    assert not reply.ok and reply.error_class == "invalid-ref-name", reply


ACTOR_HEX = g.object_id(g.Tree(entries={"wit": g.object_id(BLOB)})).hex()


@pytest.mark.req("REF-001.1", "REF-001.3")
@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("names/" + "a" * 64, True),  # a first segment of 64 characters: the longest
        ("names/" + "a" * 65, False),
        ("names/x/" + "b" * 64, True),  # a later segment: the same limit
        ("names/x/" + "b" * 65, False),
        ("names/c", True),  # a segment of one character: the shortest
        ("names/x//c", False),  # an empty segment
        (f"heads/{ACTOR_HEX}", True),  # an actor id: exactly 64 hex digits
        (f"heads/{ACTOR_HEX[:63]}", False),
        (f"heads/{ACTOR_HEX}0", False),
    ],
)
def test_segment_and_actor_id_lengths(
    impl: Implementation, store: str, name: str, valid: bool
) -> None:
    reply = impl.call("ref-get", store=store, name=name)
    if valid:
        assert reply.ok and reply.result["id"] is None, f"{name!r} refused: {reply}"
    else:
        assert not reply.ok and reply.error_class == "invalid-ref-name", f"{name!r}: {reply}"

"""Store limits on both sides, through the adapter (deliverable 4).

REF-001.2: a ref name is at most 255 bytes — a valid ``names/…`` name of exactly 255
bytes is accepted by ``ref-get`` and ``ref-cas``; the same name one byte longer is
``invalid-ref-name``.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import (
    call_ok,
    check_equal,
    error_answer,
    ok_answer,
    suite_premise,
)

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
    suite_premise(len(name.encode()) == length, f"the name is {length} bytes")
    return name


@pytest.fixture
def store(impl: Implementation) -> str:
    handle = str(call_ok(impl, "ADP-010", "store-open", kind="memory")["store"])
    call_ok(impl, "ADP-010", "put", store=handle, bytes=g.encode_object(BLOB).hex())
    return handle


@pytest.mark.req("REF-001.2")
def test_a_ref_name_of_exactly_255_bytes_is_valid(impl: Implementation, store: str) -> None:
    name = _name(255)
    got = ok_answer(impl.call("ref-get", store=store, name=name), "REF-001.2", "a 255-byte name")
    check_equal("REF-001.2", None, got["id"], "ref-get of a 255-byte name never set")
    new = g.object_id(BLOB).hex()
    reply = impl.call("ref-cas", store=store, name=name, expected=None, new=new)
    ok_answer(reply, "REF-001.2", "ref-cas of a 255-byte name")
    got = call_ok(impl, "REF-001.2", "ref-get", store=store, name=name)
    check_equal("REF-001.2", new, got["id"], "ref-get of the 255-byte name once set")


@pytest.mark.req("REF-001.2")
@pytest.mark.parametrize("length", [256, 257])
@pytest.mark.req("CONV-004")
def test_a_ref_name_over_255_bytes_is_refused(
    impl: Implementation, store: str, length: int
) -> None:
    name = _name(length)
    reply = impl.call("ref-get", store=store, name=name)
    error_answer(reply, "REF-001.2", "invalid-ref-name", f"ref-get of a {length}-byte name")
    new = g.object_id(BLOB).hex()
    reply = impl.call("ref-cas", store=store, name=name, expected=None, new=new)
    error_answer(reply, "REF-001.2", "invalid-ref-name", f"ref-cas of a {length}-byte name")


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
@pytest.mark.req("CONV-004")
def test_segment_and_actor_id_lengths(
    impl: Implementation, store: str, name: str, valid: bool
) -> None:
    reply = impl.call("ref-get", store=store, name=name)
    if valid:
        got = ok_answer(reply, "REF-001.1", f"ref-get of {name!r}")
        check_equal("REF-001.1", None, got["id"], f"ref-get of {name!r}, never set")
    else:
        error_answer(reply, "REF-001.1", "invalid-ref-name", f"ref-get of {name!r}")

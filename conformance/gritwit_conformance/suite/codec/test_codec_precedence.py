"""Descriptions where two rules could both apply: which one the spec says wins.

* not a JSON object *and* a lone surrogate → ``invalid-object`` (OBJ-018.6);
* ``null`` / ``{}`` mean "absent" only on the type's own optional fields; on a key
  the type lacks they are an unknown field (OBJ-018.7);
* blob ``data`` of an odd number of hex digits is ``invalid-object``, an id of any
  wrong length ``invalid-id`` (OBJ-018.8);
* JSON numbers fail the rule of the field they stand in (OBJ-018.9);
* ``id`` applies the object rules, as ``decode`` does (ADP-009.3).

Expected outcomes are written from the spec's text, not asked of the reference.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import check_equal, check_outcome, ok_answer

pytestmark = pytest.mark.profile("codec")

ZERO = "00" * 32
LONE = "\ud800"


def _encode(impl: Implementation, description: Any) -> Any:
    return impl.call("encode", check=False, object=description)


@pytest.mark.req("OBJ-018.6", "OBJ-018.2", "OBJ-018.3")
@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (LONE, "invalid-object"),
        ([LONE], "invalid-object"),
        ([{"type": "blob", "data": "", "x": LONE}], "invalid-object"),
        ({"type": "blob", "data": "", "x" + LONE: 1}, "invalid-utf8"),
        ({"type": LONE}, "invalid-utf8"),
        ({"type": "tree", "entries": {"a": ZERO}, "headers": {"k": LONE}}, "invalid-utf8"),
    ],
    ids=["string", "list", "list-of-object", "unknown-key", "type", "field-the-type-lacks"],
)
@pytest.mark.req("CONV-004")
def test_not_an_object_wins_over_a_lone_surrogate_which_wins_over_object_rules(
    impl: Implementation, description: Any, expected: str
) -> None:
    check_outcome("OBJ-018.6", _encode(impl, description), expected)


MESSAGE = g.Message(content=g.ObjectId(bytes(32)))
STEP = g.Step(actor=g.ObjectId(bytes(32)), core=g.ObjectId(bytes(32)))
BLOB = g.Blob(data=b"")
MAILBOX = g.Mailbox(entries={g.ObjectId(bytes(32)): g.ObjectId(bytes(32))})

#: null and {} on the type's own optional fields: absent (OBJ-018.4, OBJ-018.7).
ABSENT: dict[str, tuple[dict[str, Any], g.GritObject]] = {
    "message-previous-null-headers-empty": (
        {"type": "message", "content": ZERO, "previous": None, "headers": {}},
        MESSAGE,
    ),
    "step-three-nulls": (
        {"type": "step", "actor": ZERO, "core": ZERO, "previous": None, "inbox": None,
         "outbox": None},
        STEP,
    ),
    "blob-headers-empty": ({"type": "blob", "data": "", "headers": {}}, BLOB),
    "mailbox-base-null": ({"type": "mailbox", "entries": {ZERO: ZERO}, "base": None}, MAILBOX),
}  # fmt: skip


@pytest.mark.req("OBJ-018.7", "OBJ-018.4")
@pytest.mark.parametrize("name", sorted(ABSENT))
def test_null_and_empty_headers_on_the_types_own_optional_fields_are_absent(
    impl: Implementation, name: str
) -> None:
    description, obj = ABSENT[name]
    reply = _encode(impl, description)
    check_equal("OBJ-018.7", g.encode_object(obj).hex(), ok_answer(reply, "OBJ-018.7")["bytes"])


#: null and {} on keys the type lacks, and on required fields: rejected (OBJ-018.7).
NOT_ABSENT: dict[str, dict[str, Any]] = {
    "blob-previous-null": {"type": "blob", "data": "", "previous": None},
    "blob-inbox-null": {"type": "blob", "data": "", "inbox": None},
    "tree-headers-empty": {"type": "tree", "entries": {"a": ZERO}, "headers": {}},
    "tree-previous-null": {"type": "tree", "entries": {"a": ZERO}, "previous": None},
    "mailbox-headers-empty": {"type": "mailbox", "entries": {ZERO: ZERO}, "headers": {}},
    "step-headers-empty": {"type": "step", "actor": ZERO, "core": ZERO, "headers": {}},
    "step-headers-null": {"type": "step", "actor": ZERO, "core": ZERO, "headers": None},
    "message-inbox-null": {"type": "message", "content": ZERO, "inbox": None},
    "message-content-null": {"type": "message", "content": None},
    "blob-headers-null": {"type": "blob", "data": "", "headers": None},
    "tree-entries-empty": {"type": "tree", "entries": {}},
    "message-previous-empty-object": {"type": "message", "content": ZERO, "previous": {}},
    "mailbox-base-empty-object": {"type": "mailbox", "entries": {ZERO: ZERO}, "base": {}},
    "tree-base-null": {"type": "tree", "entries": {"a": ZERO}, "base": None},
    "message-base-null": {"type": "message", "content": ZERO, "base": None},
    "mailbox-previous-null": {"type": "mailbox", "entries": {ZERO: ZERO}, "previous": None},
}


@pytest.mark.req("OBJ-018.7", "OBJ-003.3", "OBJ-004.2")
@pytest.mark.parametrize("name", sorted(NOT_ABSENT))
@pytest.mark.req("CONV-004")
def test_null_and_empty_object_elsewhere_are_values_the_rules_reject(
    impl: Implementation, name: str
) -> None:
    expected = "invalid-id" if name.endswith("-empty-object") else "invalid-object"
    check_outcome("OBJ-018.7", _encode(impl, NOT_ABSENT[name]), expected)


@pytest.mark.req("OBJ-018.8", "OBJ-008", "OBJ-005")
@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ({"type": "blob", "data": "abc"}, "invalid-object"),
        ({"type": "blob", "data": "a"}, "invalid-object"),
        ({"type": "blob", "data": "ABCD"}, "invalid-object"),
        ({"type": "blob", "data": "0g"}, "invalid-object"),
        ({"type": "blob", "data": " 00"}, "invalid-object"),
        ({"type": "message", "content": ZERO[:-1]}, "invalid-id"),
        ({"type": "message", "content": ZERO + "0"}, "invalid-id"),
        ({"type": "message", "content": ZERO.upper().replace("0", "A")}, "invalid-id"),
    ],
    ids=["odd-3", "odd-1", "upper", "not-hex", "space", "id-63", "id-65", "id-upper"],
)
@pytest.mark.req("CONV-004")
def test_odd_length_hex_in_a_description(
    impl: Implementation, description: Any, expected: str
) -> None:
    check_outcome("OBJ-018.8", _encode(impl, description), expected)


@pytest.mark.req("OBJ-018.9", "OBJ-008", "OBJ-005", "OBJ-006.3", "OBJ-002")
@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ({"type": "blob", "data": 0}, "invalid-object"),
        ({"type": "blob", "data": 1.5}, "invalid-object"),
        ({"type": "message", "content": 7}, "invalid-id"),
        ({"type": "blob", "data": "", "headers": {"n": 1}}, "invalid-object"),
        ({"type": 1}, "invalid-object"),
        ({"type": "tree", "entries": {"a": 2.5}}, "invalid-id"),
    ],
    ids=["data-int", "data-float", "id-int", "header-int", "type-int", "entry-float"],
)
@pytest.mark.req("CONV-004")
def test_json_numbers_fail_the_rule_of_their_field(
    impl: Implementation, description: Any, expected: str
) -> None:
    check_outcome("OBJ-018.9", _encode(impl, description), expected)


@pytest.mark.req("ADP-009.3", "OBJ-001", "OBJ-002", "ID-004")
@pytest.mark.parametrize(
    ("data", "expected"),
    [("a0", "invalid-object"), ("01", "invalid-object"), ("a164747970656178", "invalid-object")],
    ids=["empty-map", "integer", "unknown-type"],
)
@pytest.mark.req("CONV-004")
def test_id_applies_the_object_rules_as_decode_does(
    impl: Implementation, data: str, expected: str
) -> None:
    check_outcome("ADP-009.3", impl.call("id", bytes=data), expected)
    check_outcome("OBJ-002", impl.call("decode", bytes=data), expected)

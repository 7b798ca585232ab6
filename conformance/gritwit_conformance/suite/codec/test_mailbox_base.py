"""A mailbox's optional ``base`` (OBJ-013, OBJ-019.2) through ``encode``, ``decode`` and ``id``.

* a mailbox with and without ``base`` round-trips: its bytes are the canonical map, the
  key ``"base"`` first (``"base"`` < ``"type"`` < ``"entries"``, ENC-010), and its
  description gives ``base`` as a text-form id or ``null`` (OBJ-018.1);
* ``base`` is judged as an id (OBJ-005) and nothing more: a decoder does not read the
  mailbox it names (OBJ-019.2); ``null`` in CBOR is ``invalid-object`` (OBJ-004.2);
* in a description ``"base": null`` means absent, ``"base": {}`` does not: it is kept as a
  value and fails OBJ-005 (OBJ-018.7, OBJ-018.5); ``base`` on any other type is an
  unknown field (OBJ-003.3);
* the order of the checks: unknown and missing keys, then ``base`` before ``entries``
  (OBJ-016.2), whatever order the description writes them in.

Expected bytes are written with cbor2 from the spec's field table, not asked of the
implementation under test.
"""

from __future__ import annotations

from typing import Any

import blake3
import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import check_equal, check_outcome, ok_answer
from gritwit_conformance.suite._properties import properties

pytestmark = pytest.mark.profile("codec")

ZERO = "00" * 32
ACTOR, MESSAGE, BASE = "11" * 32, "22" * 32, "ba5e" * 16


def _cbor(value: dict[str, Any]) -> bytes:
    """Canonical CBOR of a map of text keys (length first, then bytes: ENC-010)."""
    return bytes(cbor2.dumps(value, canonical=True))


def _value(entries: dict[str, str], base: str | None) -> dict[str, Any]:
    """The CBOR-level map of a mailbox (OBJ-013): text keys, 32-byte ids, no null."""
    value: dict[str, Any] = {
        "type": "mailbox",
        "entries": {actor: bytes.fromhex(msg) for actor, msg in entries.items()},
    }
    if base is not None:
        value["base"] = bytes.fromhex(base)
    return value


def _description(entries: dict[str, str], base: str | None) -> dict[str, Any]:
    return {"type": "mailbox", "entries": dict(entries), "base": base}


def _round_trip(
    clause: str, impl: Implementation, entries: dict[str, str], base: str | None
) -> None:
    """``encode``, ``decode`` and ``id`` of the mailbox agree with its canonical bytes."""
    data = _cbor(_value(entries, base))
    oid = blake3.blake3(data).hexdigest()
    said = f"a mailbox of {len(entries)} entries {'with' if base else 'without'} a base"
    encoded = ok_answer(impl.call("encode", object=_description(entries, base)), clause)
    check_equal(clause, {"bytes": data.hex(), "id": oid}, encoded, f"encode of {said}")
    decoded = ok_answer(impl.call("decode", bytes=data.hex()), clause, f"decode of {said}")
    check_equal(clause, oid, decoded.get("id"), f"the id decode gives of {said}")
    want = _description(entries, base)
    check_equal(clause, want, decoded.get("object"), f"the description of {said}")
    got = ok_answer(impl.call("id", bytes=data.hex()), clause, f"id of {said}")
    check_equal(clause, {"id": oid}, got, f"id of {said}")


@pytest.mark.smoke
@pytest.mark.req("OBJ-013", "OBJ-019.2", "OBJ-018.1", "OBJ-018.4", "OBJ-004.1", "ENC-010")
@pytest.mark.parametrize("base", [BASE, None], ids=["with-base", "without-base"])
def test_a_mailbox_with_and_without_base_round_trips(
    impl: Implementation, base: str | None
) -> None:
    _round_trip("OBJ-013", impl, {ACTOR: MESSAGE}, base)


@pytest.mark.req("ENC-010", "OBJ-013")
def test_base_is_the_first_key_of_the_encoding(impl: Implementation) -> None:
    reply = impl.call("encode", object=_description({ACTOR: MESSAGE}, BASE))
    data = bytes.fromhex(ok_answer(reply, "OBJ-013", "encode of a mailbox with a base")["bytes"])
    # a map of three pairs (0xa3), then the key "base" (0x64 b a s e) and its 32-byte id
    check_equal("ENC-010", b"\xa3\x64base\x58\x20", data[:8], "the first 8 bytes (base first)")
    check_equal("OBJ-013", bytes.fromhex(BASE), data[8:40], "the base's 32 bytes")


@pytest.mark.req("ENC-010", "OBJ-013")
@pytest.mark.parametrize(
    "order",
    [("type", "base", "entries"), ("type", "entries", "base"), ("entries", "base", "type")],
    ids=lambda order: "-".join(order),
)
@pytest.mark.req("CONV-004")
def test_a_base_key_out_of_canonical_order_is_unsorted(
    impl: Implementation, order: tuple[str, ...]
) -> None:
    value = _value({ACTOR: MESSAGE}, BASE)
    data = cbor2.dumps({key: value[key] for key in order})  # this order, not sorted
    for cmd in ("decode", "id"):
        reply = impl.call(cmd, check=False, bytes=data.hex())
        check_outcome("ENC-010", reply, "unsorted-keys", f"{cmd} of keys in the order {order}")


_ID = st.binary(min_size=32, max_size=32).map(bytes.hex)


@pytest.mark.req("OBJ-013", "OBJ-019.2", "OBJ-018.1", "OBJ-014", "ID-005", "ENC-010")
@properties()
@given(
    entries=st.dictionaries(_ID, _ID, min_size=1, max_size=6),
    base=st.none() | _ID,
)
def test_any_mailbox_with_or_without_base_round_trips(
    impl: Implementation, entries: dict[str, str], base: str | None
) -> None:
    _round_trip("OBJ-013", impl, entries, base)


#: ``base`` bytes that are no id (OBJ-005): the class is ``invalid-id`` however wrong.
NO_ID: dict[str, object] = {
    "31-bytes": bytes(31),
    "33-bytes": bytes(33),
    "empty": b"",
    "hex-text": BASE,
    "int": 7,
    "false": False,
    "empty-map": {},
    "array": [bytes(32)],
}


@pytest.mark.req("OBJ-005", "OBJ-019.2", "OBJ-013")
@pytest.mark.parametrize("name", sorted(NO_ID))
@pytest.mark.req("CONV-004")
def test_a_base_that_is_no_id_is_invalid_id(impl: Implementation, name: str) -> None:
    value = {**_value({ACTOR: MESSAGE}, None), "base": NO_ID[name]}
    for cmd in ("decode", "id"):
        reply = impl.call(cmd, check=False, bytes=_cbor(value).hex())
        check_outcome("OBJ-005", reply, "invalid-id", f"{cmd} of a mailbox whose base is {name}")


@pytest.mark.smoke
@pytest.mark.req("OBJ-004.2", "OBJ-013")
@pytest.mark.req("CONV-004")
def test_a_null_base_in_cbor_is_invalid_object(impl: Implementation) -> None:
    value = {**_value({ACTOR: MESSAGE}, None), "base": None}
    for cmd in ("decode", "id"):
        reply = impl.call(cmd, check=False, bytes=_cbor(value).hex())
        check_outcome("OBJ-004.2", reply, "invalid-object", f"{cmd} of a null base in CBOR")


@pytest.mark.req("OBJ-019.2", "OBJ-005")
@pytest.mark.parametrize("base", [ZERO, MESSAGE, "ff" * 32], ids=["zero", "an-entry", "ff"])
def test_a_decoder_reads_nothing_behind_base(impl: Implementation, base: str) -> None:
    """Any 32 bytes are a base to the codec, even the id of an entry's message: what it
    names is read (or not) by whoever follows it, never by ``decode``."""
    _round_trip("OBJ-019.2", impl, {ACTOR: MESSAGE}, base)


@pytest.mark.smoke
@pytest.mark.req("OBJ-018.7", "OBJ-018.4", "OBJ-004.1")
def test_base_null_in_a_description_is_absent(impl: Implementation) -> None:
    without = _cbor(_value({ACTOR: MESSAGE}, None)).hex()
    for description in (
        {"type": "mailbox", "entries": {ACTOR: MESSAGE}, "base": None},
        {"type": "mailbox", "entries": {ACTOR: MESSAGE}},
    ):
        reply = impl.call("encode", check=False, object=description)
        what = f"encode of a mailbox with {'a null' if 'base' in description else 'no'} base"
        check_equal("OBJ-018.7", without, ok_answer(reply, "OBJ-018.7", what)["bytes"], what)


@pytest.mark.req("OBJ-018.7", "OBJ-018.5", "OBJ-005")
@pytest.mark.parametrize(
    "value", [{}, [], "", BASE.upper(), BASE[:-1], 0], ids=["{}", "[]", "", "upper", "63", "0"]
)
@pytest.mark.req("CONV-004")
def test_base_empty_object_or_malformed_in_a_description_is_invalid_id(
    impl: Implementation, value: object
) -> None:
    """Only ``null`` means an absent id; ``{}`` means absent only for headers (OBJ-018.4),
    so ``"base": {}`` is a map where an id belongs."""
    description = {"type": "mailbox", "entries": {ACTOR: MESSAGE}, "base": value}
    reply = impl.call("encode", check=False, object=description)
    check_outcome("OBJ-018.7", reply, "invalid-id", f"encode of a base {value!r}")


@pytest.mark.req("OBJ-003.3", "OBJ-013", "OBJ-018.7")
@pytest.mark.parametrize(
    "description",
    [
        {"type": "tree", "entries": {"a": ZERO}, "base": BASE},
        {"type": "message", "content": ZERO, "base": BASE},
        {"type": "step", "actor": ZERO, "core": ZERO, "base": BASE},
        {"type": "blob", "data": "", "base": None},
        {"type": "step", "actor": ZERO, "core": ZERO, "base": None},
        {"type": "mailbox", "entries": {ACTOR: MESSAGE}, "base": BASE, "previous": None},
        {"type": "mailbox", "entries": {ACTOR: MESSAGE}, "base": BASE, "bases": [BASE]},
    ],
    ids=[
        "tree-base",
        "message-base",
        "step-base",
        "blob-base-null",
        "step-base-null",
        "mailbox-previous-null",
        "mailbox-bases",
    ],
)
@pytest.mark.req("CONV-004")
def test_base_belongs_to_mailboxes_only(impl: Implementation, description: Any) -> None:
    reply = impl.call("encode", check=False, object=description)
    check_outcome("OBJ-003.3", reply, "invalid-object")
    value = {key: _cbor_field(key, item) for key, item in description.items()}
    reply = impl.call("decode", check=False, bytes=_cbor(value).hex())  # null stays null
    check_outcome("OBJ-003.3", reply, "invalid-object")


def _cbor_field(key: str, item: object) -> object:
    """A description's field as CBOR (OBJ-018.4), ``null`` kept as null."""
    if isinstance(item, str) and len(item) == 64:
        return bytes.fromhex(item)
    if key == "data":
        return b""
    if key == "entries" and isinstance(item, dict):
        return {name: bytes.fromhex(oid) for name, oid in item.items()}
    if key == "bases" and isinstance(item, list):
        return [bytes.fromhex(oid) for oid in item]
    return item


#: Two faults each; the first in OBJ-016.2's order decides: the type (OBJ-002), unknown keys,
#: missing keys, then each field in canonical key order, ``base`` before ``entries``.
ORDER: dict[str, tuple[dict[str, Any], list[str], str]] = {
    "bad-base-before-empty-entries": ({"base": b"", "entries": {}}, [], "invalid-id"),
    "bad-base-before-bad-key": (
        {"base": 1, "entries": {ACTOR.upper(): bytes(32)}},
        [],
        "invalid-id",
    ),
    "null-base-before-bad-key": (
        {"base": None, "entries": {ACTOR.upper(): bytes(32)}},
        [],
        "invalid-object",
    ),
    "null-base-before-bad-entry-id": (
        {"base": None, "entries": {ACTOR: b"x"}},
        [],
        "invalid-object",
    ),
    "unknown-key-before-bad-base": ({"base": b"", "zzz": 0}, [], "invalid-object"),
    # "base" sorts before "type", but the type is OBJ-002's, checked before any field
    "unknown-type-before-bad-base": ({"base": b"", "type": "mailboxes"}, [], "invalid-object"),
    "text-type-before-null-base": ({"base": None, "type": 1}, [], "invalid-object"),
    "missing-entries-before-bad-base": ({"base": b""}, ["entries"], "invalid-object"),
}


@pytest.mark.req("OBJ-016.2", "OBJ-013", "OBJ-005", "OBJ-004.2", "OBJ-003", "OBJ-002")
@pytest.mark.parametrize("name", sorted(ORDER))
@pytest.mark.req("CONV-004")
def test_base_is_checked_after_the_keys_and_before_entries(impl: Implementation, name: str) -> None:
    changes, drop, expected = ORDER[name]
    value = {**_value({ACTOR: MESSAGE}, BASE), **changes}
    for key in drop:
        del value[key]
    for cmd in ("decode", "id"):
        reply = impl.call(cmd, check=False, bytes=_cbor(value).hex())
        check_outcome("OBJ-016.2", reply, expected, f"{cmd} of a mailbox: {name}")


@pytest.mark.req("OBJ-016.2", "OBJ-018.5", "OBJ-013", "OBJ-005")
@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ({"type": "mailbox", "entries": {}, "base": "xyz"}, "invalid-id"),
        ({"entries": {ACTOR.upper(): MESSAGE}, "base": 5, "type": "mailbox"}, "invalid-id"),
        ({"type": "mailbox", "entries": {}, "base": {}}, "invalid-id"),
        ({"type": "mailbox", "entries": {}, "base": None}, "invalid-object"),
        ({"type": "mailbox", "entries": {ACTOR: "x"}, "base": BASE}, "invalid-id"),
        ({"type": "mailbox", "entries": [], "base": BASE}, "invalid-object"),
    ],
    ids=[
        "bad-base-empty-entries",
        "number-base-bad-key-written-first",
        "empty-object-base-empty-entries",
        "null-base-empty-entries",
        "good-base-bad-entry",
        "good-base-entries-array",
    ],
)
@pytest.mark.req("CONV-004")
def test_a_descriptions_base_is_checked_before_its_entries(
    impl: Implementation, description: dict[str, Any], expected: str
) -> None:
    """The description's own key order is no order: the fields are checked in canonical
    key order (OBJ-016.2), so ``base`` first, and a null base is absent (OBJ-018.7)."""
    reply = impl.call("encode", check=False, object=description)
    check_outcome("OBJ-016.2", reply, expected)

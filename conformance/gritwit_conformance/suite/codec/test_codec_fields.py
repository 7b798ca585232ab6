"""Each object type's fields, each on its own, and the order of ids (OBJ-008 … OBJ-015, ID-005).

* every type with all its optional fields present and with none of them encodes and
  decodes as the reference does (a schema that forgets an optional field, or makes
  one required, fails here; so does a header value "" refused, OBJ-006.4, or an id
  written with anything around its 32 bytes, ID-002.1);
* each required field left out → ``invalid-object`` (OBJ-003), one check per field;
* mailbox entries are in the order of their ids as byte strings (ID-005): ids on both
  sides of 0x80, where signed-byte and unsigned-byte order differ.
"""

from __future__ import annotations

from typing import Any

import cbor2
import pytest

import gritwit as g
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import (
    Clause,
    check_equal,
    check_outcome,
    ok_answer,
    same_answer,
)

pytestmark = pytest.mark.profile("codec")


def _oid(byte: int) -> g.ObjectId:
    return g.ObjectId(bytes([byte]) * 32)


A, B, C, D = _oid(0x11), _oid(0x22), _oid(0x33), _oid(0x44)
FULL: dict[str, g.GritObject] = {
    "blob": g.Blob(data=b"\x00\xff", headers={"mt": "x", "a": ""}),
    "tree": g.Tree(entries={"a": A, "b": B}),
    "message": g.Message(content=A, previous=B, headers={"mt": "x"}),
    "mailbox": g.Mailbox(entries={A: B, C: D}, base=C),
    "step": g.Step(actor=A, core=B, previous=C, inbox=D, outbox=A),
}
MINIMAL = {
    "blob": g.Blob(data=b""),
    "message": g.Message(content=A),
    "mailbox": g.Mailbox(entries={A: B, C: D}),
    "step": g.Step(actor=A, core=B),
}
CLAUSE = {
    "blob": "OBJ-008",
    "tree": "OBJ-009",
    "message": "OBJ-012",
    "mailbox": "OBJ-013",
    "step": "OBJ-015",
}


def _same(impl: Implementation, clause: Clause, cmd: str, **args: Any) -> None:
    got, want = impl.call(cmd, check=False, **args), reference_answer(cmd, **args)
    same_answer(clause, got, want)


def _cases() -> list[Any]:
    cases = []
    for kind, obj in [*FULL.items(), *MINIMAL.items()]:
        shape = "all-fields" if obj is FULL[kind] else "required-only"
        clause = "OBJ-003.2" if obj is FULL[kind] else "OBJ-004.1"
        marks = [pytest.mark.req(CLAUSE[kind], clause, "OBJ-018.1", "OBJ-018.4", "ENC-014.1")]
        if kind == "blob" and obj is FULL[kind]:  # a header with an empty value
            marks.append(pytest.mark.req("OBJ-006.4"))
        if kind != "blob":  # ids inside the encoding: their 32 bytes, nothing more
            marks.append(pytest.mark.req("ID-002.1"))
        cases.append(pytest.param(obj, id=f"{kind}-{shape}", marks=marks))
    return cases


@pytest.mark.smoke
@pytest.mark.parametrize("obj", _cases())
@pytest.mark.req("CONV-004")
def test_each_type_with_and_without_its_optional_fields(
    impl: Implementation, obj: g.GritObject
) -> None:
    rule = CLAUSE[type(obj).__name__.lower()]
    _same(impl, rule, "encode", object=g.object_to_json(obj))
    _same(impl, ("OBJ-018.1", rule), "decode", bytes=g.encode_object(obj).hex())


REQUIRED = {
    "blob": ["data"],
    "tree": ["entries"],
    "message": ["content"],
    "mailbox": ["entries"],
    "step": ["actor", "core"],
}


def _missing() -> list[Any]:
    return [
        pytest.param(
            kind,
            field,
            id=f"{kind}-without-{field}",
            marks=pytest.mark.req("OBJ-003.1", CLAUSE[kind]),
        )
        for kind, fields in REQUIRED.items()
        for field in fields
    ]


@pytest.mark.smoke
@pytest.mark.parametrize(("kind", "field"), _missing())
@pytest.mark.req("CONV-004")
def test_each_required_field_left_out_is_invalid_object(
    impl: Implementation, kind: str, field: str
) -> None:
    value = cbor2.loads(g.encode_object(FULL[kind]))
    del value[field]
    data = cbor2.dumps(value, canonical=True).hex()
    reply = impl.call("decode", check=False, bytes=data)
    check_outcome("OBJ-003.1", reply, "invalid-object", f"decode of a {kind} without {field}")
    description = g.object_to_json(FULL[kind])
    del description[field]
    reply = impl.call("encode", check=False, object=description)
    check_outcome("OBJ-003.1", reply, "invalid-object", f"encode of a {kind} without {field}")


# Ids on both sides of 0x80: as signed bytes 0x80… and 0xff… would sort before 0x00….
ORDER_IDS = [_oid(b) for b in (0x00, 0x01, 0x7F, 0x80, 0x81, 0xFE, 0xFF)]


@pytest.mark.smoke
@pytest.mark.req("ID-005", "OBJ-014", "ENC-010")
@pytest.mark.req("CONV-004")
def test_mailbox_entries_are_in_id_byte_order(impl: Implementation) -> None:
    mailbox = g.Mailbox(entries={oid: A for oid in reversed(ORDER_IDS)})
    reply = impl.call("encode", object=g.object_to_json(mailbox))
    data = ok_answer(reply, "ID-005", "encode of a mailbox of ids on both sides of 0x80")["bytes"]
    keys = list(cbor2.loads(bytes.fromhex(data))["entries"])
    want = [oid.hex() for oid in sorted(ORDER_IDS, key=lambda oid: oid.digest)]
    check_equal("ID-005", want, keys, "the order of the mailbox's entries (ids as bytes)")
    check_equal("ENC-010", g.encode_object(mailbox).hex(), data, "the mailbox's encoding")
    _same(impl, "OBJ-014", "decode", bytes=g.encode_object(mailbox).hex())

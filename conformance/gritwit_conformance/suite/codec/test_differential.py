"""Differential tests: generated inputs through implementation and reference (``codec``).

Hypothesis generates objects, generic values and hostile byte strings the
implementation has never seen; any difference in bytes, id, description or
error class fails, and hypothesis shrinks it to a minimal counterexample that
the report shows.
"""

from __future__ import annotations

from typing import Any

import blake3
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.diff._more import bytes_divergence, description_divergence
from gritwit_conformance.diff._objects import render
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response
from gritwit_conformance.strategies import objects, values
from gritwit_conformance.suite._check import (
    Clause,
    check_equal,
    describe,
    error_answer,
    fail,
    ok_answer,
    request_of,
)
from gritwit_conformance.suite._properties import properties

pytestmark = pytest.mark.profile("codec")

run = properties()

HEADS = [bytes([m << 5 | ai]) for m in range(8) for ai in (24, 25, 26, 27, 28, 31)]
hostile_bytes = st.lists(st.one_of(st.binary(max_size=6), st.sampled_from(HEADS)), max_size=10).map(
    b"".join
)


@st.composite
def mutated_encodings(draw: st.DrawFn) -> bytes:
    """A valid encoding with a few bytes replaced, inserted or deleted."""
    data = bytearray(g.encode_object(draw(objects)))
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        if action == "insert" or position == len(data):
            data[position:position] = draw(st.binary(min_size=1, max_size=2))
        elif action == "replace":
            data[position] = draw(st.integers(0, 255))
        else:
            del data[position]
    return bytes(data)


def _compare(
    impl: Implementation, clause: Clause, cmd: str, *, check: bool = True, **args: Any
) -> None:
    """``cmd`` answers as the reference does.  A refusal the reference makes is judged
    by the rule the reference names for it (its error's ``requirement``), else by
    ``clause``, the rule the test checks."""
    got, want = impl.call(cmd, check=check, **args), reference_answer(cmd, **args)
    rule = _rule(want, clause)
    if got.outcome() != want.outcome():
        expected = "a value" if want.ok else f"error {want.error_class}"
        fail(rule, expected=expected, came=got, what=request_of(got))
    if want.ok and got.result != want.result:
        fail(
            rule,
            expected=describe(want.result),
            came=describe(got.result) + _explain(dict(want.result), dict(got.result)),
            what=request_of(got),
        )


def _rule(want: Response, clause: Clause) -> Clause:
    """The rule a refusal is judged by: the one the reference names, then ``clause``."""
    named = want.error.get("requirement") if not want.ok else None
    if isinstance(named, str) and named:
        return (named, clause) if isinstance(clause, str) else (named, *clause)
    return clause


def _explain(want: dict[str, Any], got: dict[str, Any]) -> str:
    """Where the answers part (ADP-017.2): the first byte of an encoding, a field of an object."""
    mine, theirs = want.get("bytes"), got.get("bytes")
    if isinstance(mine, str) and isinstance(theirs, str) and mine != theirs:
        return "\n  the bytes: " + bytes_divergence(mine, theirs)
    if isinstance(want.get("object"), dict) and want.get("object") != got.get("object"):
        found = description_divergence(
            want["object"], got.get("object"), root="description", requirement="OBJ-018.1"
        )
        return "\n" + render(found)
    return ""


@pytest.mark.smoke
@pytest.mark.req(
    "ENC-014.1", "ID-001", "OBJ-004.1", "OBJ-007.1", "OBJ-017.1", "OBJ-018.4", "OBJ-018.5"
)
@run
@given(obj=objects)
def test_encode_generated_objects(impl: Implementation, obj: g.GritObject) -> None:
    _compare(impl, "ENC-014.1", "encode", object=g.object_to_json(obj))


@pytest.mark.req("ENC-014.2", "ENC-014.3", "ID-001", "ID-002.1", "ID-004", "OBJ-018.1")
@run
@given(obj=objects)
def test_decode_generated_objects(impl: Implementation, obj: g.GritObject) -> None:
    data = g.encode_object(obj).hex()
    _compare(impl, "OBJ-018.1", "decode", bytes=data)
    _compare(impl, "ID-001", "id", bytes=data)


@pytest.mark.smoke
@pytest.mark.req("ENC-016", "OBJ-016.1", "OBJ-016.2", "OBJ-016.3", "CONV-004")
@run
@given(data=st.one_of(mutated_encodings(), hostile_bytes))
@example(data=bytes.fromhex("a2646461746140647479706564626c6f6200"))
# a tree whose only id is a 32-character text string: 32 long, but not bytes (OBJ-005)
@example(data=bytes.fromhex("a26474797065647472656567656e7472696573a161617820" + "78" * 32))
def test_decode_hostile_bytes(impl: Implementation, data: bytes) -> None:
    _compare(impl, "ENC-016", "decode", bytes=data.hex())


@pytest.mark.req("ENC-007.1", "ENC-014.2", "ENC-014.3", "ENC-015", "ENC-016")
@run
@given(value=values())
def test_generic_values_round_trip(impl: Implementation, value: Any) -> None:
    _compare(impl, "ENC-014.2", "decode-value", bytes=g.encode_value(value).hex())


@pytest.mark.req("ENC-016", "CONV-004")
@run
@given(data=hostile_bytes)
def test_generic_values_hostile(impl: Implementation, data: bytes) -> None:
    _compare(impl, "ENC-016", "decode-value", bytes=data.hex())


@pytest.mark.req("ID-001")
@run
@given(data=st.binary(max_size=3000))
def test_hash(impl: Implementation, data: bytes) -> None:
    digest = ok_answer(impl.call("hash", bytes=data.hex()), "ID-001")["digest"]
    check_equal("ID-001", blake3.blake3(data).hexdigest(), digest, f"hash of {data.hex()[:120]}")


BAD_NAMES = ["", ".", "..", "a/b", "/", "nul\x00", "x" * 256, "é" * 128]
BAD_IDS = ["", "00" * 31, "00" * 33, "AB" * 32, "zz" * 32, 7, None, ["00"]]


@st.composite
def invalid_descriptions(draw: st.DrawFn) -> Any:
    """A valid description with one field broken the way a decoder would reject it."""
    desc: dict[str, Any] = g.object_to_json(draw(objects))
    kind = desc["type"]
    choices = ["unknown-field", "drop-type", "wrong-type"]
    if kind == "tree":
        choices += ["bad-name", "empty-entries", "bad-entry-id"]
    if kind == "mailbox":
        choices += ["bad-mailbox-key", "empty-entries", "bad-entry-id"]
    if kind in ("blob", "message"):
        choices += ["empty-header-name", "non-text-header", "null-headers"]
    if kind in ("message", "step"):
        choices += ["bad-id-field", "drop-required-id"]
    if kind == "blob":
        choices += ["bad-data"]
    choice = draw(st.sampled_from(choices))
    if choice == "unknown-field":
        desc[draw(st.sampled_from(["extra", "Type", "id", "data2"]))] = "x"
    elif choice == "drop-type":
        del desc["type"]
    elif choice == "wrong-type":
        desc["type"] = draw(st.sampled_from(["commit", "Blob", "", 1, None]))
    elif choice == "bad-name":
        desc["entries"][draw(st.sampled_from(BAD_NAMES))] = "00" * 32
    elif choice == "empty-entries":
        desc["entries"] = {}
    elif choice == "bad-entry-id":
        desc["entries"][next(iter(desc["entries"]))] = draw(st.sampled_from(BAD_IDS))
    elif choice == "bad-mailbox-key":
        desc["entries"][draw(st.sampled_from(["AB" * 32, "00" * 31, "g" * 64, ""]))] = "00" * 32
    elif choice == "empty-header-name":
        desc["headers"][""] = "v"
    elif choice == "non-text-header":
        desc["headers"]["k"] = draw(st.sampled_from([1, None, ["v"], {"v": "w"}]))
    elif choice == "null-headers":
        desc["headers"] = None
    elif choice == "bad-id-field":
        field = "content" if kind == "message" else draw(st.sampled_from(["actor", "core"]))
        desc[field] = draw(st.sampled_from([x for x in BAD_IDS if x is not None]))
    elif choice == "drop-required-id":
        del desc["content" if kind == "message" else draw(st.sampled_from(["actor", "core"]))]
    elif choice == "bad-data":
        desc["data"] = draw(st.sampled_from(["0", "AB", "zz", 5, None]))
    return desc


def _with_bad_name(name: str) -> Any:
    return {"type": "tree", "entries": {name: "00" * 32, "ok": "11" * 32}}


@pytest.mark.smoke
@pytest.mark.req(
    "OBJ-016.2",
    "OBJ-016.3",
    "OBJ-017.1",
    "OBJ-018.5",
    "CONV-004",
    "ID-002.2",
    "OBJ-002",
    "OBJ-003.1",
    "OBJ-003.3",
    "OBJ-004.2",
    "OBJ-005",
    "OBJ-006.2",
    "OBJ-006.3",
    "OBJ-008",
    "OBJ-010",
    "OBJ-011.1",
    "OBJ-011.2",
    "OBJ-011.3",
    "OBJ-013",
    "OBJ-014",
)
@run
@given(description=invalid_descriptions())
@example(description=_with_bad_name(""))
@example(description=_with_bad_name("."))
@example(description=_with_bad_name("a/b"))
@example(description={"type": "mailbox", "entries": {}})
@example(description={"type": "blob", "data": "", "headers": {"": "v"}})
def test_encode_refuses_what_decode_rejects(impl: Implementation, description: Any) -> None:
    _compare(impl, "OBJ-017.1", "encode", object=description, check=False)


@pytest.mark.smoke
@pytest.mark.req("ENC-013.1", "ENC-013.2")
@pytest.mark.inputs("past-largest")
@pytest.mark.req("CONV-004")
def test_size_limit(impl: Implementation) -> None:
    head = bytes([0x5A]) + (g.MAX_SIZE - 5).to_bytes(4, "big")  # byte string of 16 MiB − 5
    at_limit = head + bytes(g.MAX_SIZE - 5)
    reply = impl.call("decode-value", bytes=at_limit.hex())
    ok_answer(reply, "ENC-013.1", "decode-value of a value of exactly 16 MiB")
    reply = impl.call("decode-value", bytes=(at_limit + b"\x00").hex())
    error_answer(reply, "ENC-013.1", "too-large", "decode-value of 16 MiB + 1 byte")
    reply = impl.call("encode", object={"type": "blob", "data": "00" * g.MAX_SIZE})
    error_answer(reply, "ENC-013.2", "too-large", "encode of a blob whose encoding is over 16 MiB")


def _case(description: Any, *ids: str) -> Any:
    return pytest.param(description, marks=pytest.mark.req(*ids))


@pytest.mark.req("OBJ-017.1", "OBJ-018.5")
@pytest.mark.parametrize(
    "description",
    [
        _case({"type": "tree", "entries": {}}, "OBJ-010"),
        _case({"type": "tree", "entries": {"a/b": "00" * 32}}, "OBJ-011.2"),
        _case({"type": "tree", "entries": {"..": "00" * 32}}, "OBJ-011.3"),
        _case({"type": "mailbox", "entries": {}}, "OBJ-013"),
        _case({"type": "mailbox", "entries": {"AB" * 32: "00" * 32}}, "OBJ-014", "ID-003"),
        _case({"type": "step", "actor": "00" * 31, "core": "00" * 32}, "OBJ-005", "ID-002.2"),
        _case({"type": "blob", "data": "0"}, "OBJ-008"),
        _case({"type": "blob", "data": "", "headers": {"": "x"}}, "OBJ-006.2"),
        _case({"type": "nope"}, "OBJ-002"),
    ],
)
def test_encode_refuses_invalid_descriptions(impl: Implementation, description: Any) -> None:
    _compare(impl, "OBJ-017.1", "encode", object=description)

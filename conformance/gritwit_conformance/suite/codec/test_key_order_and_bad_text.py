"""Codec rules over input classes where implementations differ.

* ENC-010: map keys in canonical order (UTF-8 length, then UTF-8 bytes) for keys of
  every text class — ASCII, mixed case, the BMP including U+E000–U+FFFF, astral, NUL,
  empty — against the orders a wrong decoder or encoder might use (UTF-16 code units,
  code points by count, case-insensitive, signed bytes …), in blob and message header
  names, tree entry names and generic maps, through ``decode``, ``id``,
  ``decode-value`` and ``encode``;
* OBJ-018.3: a lone surrogate anywhere in a description — any text of any object
  type, high or low, at the start, middle or end — is ``invalid-utf8``, never repaired;
  and ``encode`` and ``decode`` agree on the same text;
* ID-003: an id in a description that is not exactly 64 lowercase hex digits — a
  trailing newline, other whitespace, upper case, non-ASCII digits, one digit off — is
  ``invalid-id`` in every id position of every type, mailbox keys included, and as a
  mailbox key of decoded bytes.

Expected answers come from the rules computed here (the orders of
:mod:`gritwit_conformance.data._classes`, a small CBOR writer) and from the reference
(:func:`~gritwit_conformance.expected.reference_answer`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import blake3
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.strategies import objects
from gritwit_conformance.suite._check import (
    Clause,
    check_equal,
    check_outcome,
    ok_answer,
    same_answer,
    suite_premise,
)
from gritwit_conformance.suite._properties import properties

pytestmark = pytest.mark.profile("codec")

run = properties()

ZERO = "00" * 32
ID_A = "a1" * 32
ID_B = "0b" * 32


# --- a CBOR writer that keeps the order it is given (the test's own, ENC-001 … ENC-010) ----


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for ai, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * width):
            return bytes([major << 5 | ai]) + n.to_bytes(width, "big")
    raise ValueError(n)


def _cbor(value: Any) -> bytes:
    """``value`` encoded with shortest heads; a dict's keys in the order it holds them."""
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        return _head(3, len(data)) + data
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, int) and value >= 0:
        return _head(0, value)
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(map(_cbor, value))
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_cbor(k) + _cbor(v) for k, v in value.items())
    raise TypeError(value)


def _ordered(keys: Iterable[str], value: Callable[[str], Any]) -> dict[str, Any]:
    return {k: value(k) for k in keys}


def _same_as_reference(impl: Implementation, clause: Clause, cmd: str, **args: Any) -> Any:
    got, want = impl.call(cmd, check=False, **args), reference_answer(cmd, **args)
    same_answer(clause, got, want)
    return got


# --- ENC-010: key order over text classes ----------------------------------------------------


def _header_name(s: str) -> bool:
    return s != "" and tc.is_valid_text(s)


#: Where text keys of a map occur: (name, which keys may occur there, the object/value of
#: keys in a given order, its description or None for a generic value).
CONTEXTS = ("blob-headers", "message-headers", "tree-entries", "generic-map")
_WHERE: dict[str, Callable[[str], bool]] = {
    "blob-headers": _header_name,
    "message-headers": _header_name,
    "tree-entries": tc.is_valid_name,
    "generic-map": tc.is_valid_text,
}


def _value(context: str, keys: list[str]) -> dict[str, Any]:
    """The CBOR map of ``context`` with ``keys`` in that order (ids as 32 bytes)."""
    if context == "blob-headers":
        return {"data": b"", "type": "blob", "headers": _ordered(keys, lambda k: "v")}
    if context == "message-headers":
        content = bytes.fromhex(ID_A)
        return {"type": "message", "content": content, "headers": _ordered(keys, lambda k: "")}
    if context == "tree-entries":
        return {"type": "tree", "entries": _ordered(keys, lambda k: bytes.fromhex(ID_B))}
    return _ordered(keys, lambda k: len(k))


def _description(context: str, keys: list[str]) -> dict[str, Any]:
    if context == "blob-headers":
        return {"type": "blob", "data": "", "headers": _ordered(keys, lambda k: "v")}
    if context == "message-headers":
        return {"type": "message", "content": ID_A, "headers": _ordered(keys, lambda k: "")}
    return {"type": "tree", "entries": _ordered(keys, lambda k: ID_B)}


def _check_key_order(impl: Implementation, context: str, names: list[str]) -> None:
    """``names`` in canonical order are accepted and re-encoded as they are; every other
    order a plausible wrong rule gives is refused ``unsorted-keys``; ``encode`` puts
    them in canonical order whatever order the description lists them in."""
    canonical = tc.sort_by("canonical", names)
    good = _cbor(_value(context, canonical)).hex()
    shown = [ascii(n) for n in canonical]
    if context == "generic-map":
        reply = impl.call("decode-value", check=False, bytes=good)
        what = f"decode-value of keys in canonical order {shown}"
        check_equal("ENC-010", good, ok_answer(reply, "ENC-010", what)["bytes"], what)
    else:
        for cmd in ("decode", "id"):
            reply = impl.call(cmd, check=False, bytes=good)
            what = f"{cmd} of keys in canonical order {shown}"
            digest = blake3.blake3(bytes.fromhex(good)).hexdigest()
            check_equal("ENC-010", digest, ok_answer(reply, "ENC-010", what)["id"], what)
        _same_as_reference(impl, "ENC-010", "decode", bytes=good)
        for order in (canonical, canonical[::-1], tc.sort_by("utf16", names)):
            reply = impl.call("encode", check=False, object=_description(context, order))
            what = (
                f"encode with keys listed as {[ascii(n) for n in order]} (the canonical order "
                f"is {shown})"
            )
            check_equal("ENC-010", good, ok_answer(reply, "ENC-010", what)["bytes"], what)
    wrong_orders = {tuple(tc.sort_by(rule, names)) for rule in tc.ORDER_RULES}
    wrong_orders.add(tuple(canonical[::-1]))
    wrong_orders.discard(tuple(canonical))
    for wrong in sorted(wrong_orders):
        bad = _cbor(_value(context, list(wrong))).hex()
        cmds = ("decode-value",) if context == "generic-map" else ("decode", "id")
        for cmd in cmds:
            reply = impl.call(cmd, check=False, bytes=bad)
            what = (
                f"{cmd} of keys in the order {[ascii(n) for n in wrong]} (canonical is "
                f"{shown}: UTF-8 length, then UTF-8 bytes)"
            )
            check_outcome("ENC-010", reply, "unsorted-keys", what)


def _pair_cases() -> list[Any]:
    cases = []
    for context in CONTEXTS:
        for rule in tc.wrong_rules("canonical"):
            pair = tc.separating_pair("canonical", rule, where=_WHERE[context])
            if pair is not None:
                cases.append(pytest.param(context, list(pair), id=f"{context}-vs-{rule}"))
    return cases


@pytest.mark.req("ENC-010", "ENC-014.1", "OBJ-018.4")
@pytest.mark.inputs(
    "order:utf8", "order:codepoint", "order:utf16", "order:casefold", "order:signed-bytes",
    "order:length-first-codepoints", "order:length-first-utf16", "order:canonical-utf16",
    "order:canonical-casefold", "order:canonical-signed-bytes",
)  # fmt: skip
@pytest.mark.parametrize(("context", "names"), _pair_cases())
@pytest.mark.req("CONV-004")
def test_key_order_tells_canonical_from_every_wrong_rule(
    impl: Implementation, context: str, names: list[str]
) -> None:
    """For each plausible wrong order, two keys it sorts the other way."""
    _check_key_order(impl, context, names)


@pytest.mark.req("ENC-010", "ENC-014.1", "OBJ-018.4")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.req("CONV-004")
def test_key_order_over_all_text_classes_at_once(impl: Implementation, context: str) -> None:
    """Every sample of every valid text class that may be a key there, in one map."""
    names = [s for s in tc.samples() if _WHERE[context](s)]
    _check_key_order(impl, context, names)


@pytest.mark.req("ENC-010", "ENC-014.1", "OBJ-018.4")
@run
@given(data=st.data())
@pytest.mark.req("CONV-004")
def test_key_order_of_generated_keys(impl: Implementation, data: st.DataObject) -> None:
    context = data.draw(st.sampled_from(CONTEXTS), label="context")
    names = data.draw(tc.name_sets("canonical", where=_WHERE[context]), label="names")
    _check_key_order(impl, context, names)


@pytest.mark.req("ENC-010", "ENC-014.1")
@pytest.mark.parametrize(
    ("first", "second"),
    [("\ue000a", "\U0001f600"), ("\uffffa", "\U00010000"), ("a\uffffb", "a\U0010ffff")],
    ids=["e000-vs-astral", "ffff-vs-astral", "inside"],
)
@pytest.mark.req("CONV-004")
def test_astral_against_private_use_in_nested_maps(
    impl: Implementation, first: str, second: str
) -> None:
    """UTF-16 and UTF-8 part exactly where a BMP key above U+E000 meets an astral key of
    the same UTF-8 length; the order is the same at every depth of a generic value."""
    keys = tc.sort_by("canonical", {first, second})
    inner = _ordered(keys, lambda k: 0)
    for value in (inner, {"a": inner}, [inner, {"": inner}]):
        good = _cbor(value).hex()
        reply = impl.call("decode-value", check=False, bytes=good)
        what = f"decode-value of keys {[ascii(k) for k in keys]} in canonical order"
        check_equal("ENC-010", good, ok_answer(reply, "ENC-010", what)["bytes"], what)
    if len(keys) == 2:
        bad = _cbor({"x": _ordered(keys[::-1], lambda k: 0)}).hex()
        reply = impl.call("decode-value", check=False, bytes=bad)
        what = f"decode-value of keys {[ascii(k) for k in keys[::-1]]} out of order"
        check_outcome("ENC-010", reply, "unsorted-keys", what)


# --- OBJ-018.3: lone surrogates anywhere in a description ------------------------------------

LONE = list(tc.TEXT_SAMPLES["lone-surrogate"])


def _text_slots(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], bool]]:
    """Every text of a JSON value: (path, is-a-key)."""
    slots: list[tuple[tuple[Any, ...], bool]] = []
    if isinstance(node, str):
        slots.append((path, False))
    elif isinstance(node, dict):
        for key, item in node.items():
            slots.append(((*path, key), True))
            slots += _text_slots(item, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            slots += _text_slots(item, (*path, i))
    return slots


def _with_text(node: Any, path: tuple[Any, ...], is_key: bool, edit: Callable[[str], str]) -> Any:
    """A copy of ``node`` with the text at ``path`` (a key when ``is_key``) edited."""
    if not path:
        return edit(node)
    head, rest = path[0], path[1:]
    if isinstance(node, list):
        return [_with_text(v, rest, is_key, edit) if i == head else v for i, v in enumerate(node)]
    out = {}
    for key, item in node.items():
        if key != head:
            out[key] = item
        elif not rest and is_key:
            out[edit(key)] = item
        else:
            out[key] = _with_text(item, rest, is_key, edit)
    return out


def _insert(s: str, at: int) -> Callable[[str], str]:
    return lambda text: text[: at % (len(text) + 1)] + s + text[at % (len(text) + 1) :]


def _assert_invalid_utf8(impl: Implementation, description: Any, where: str) -> None:
    reply = impl.call("encode", check=False, object=description)
    what = f"encode of a lone surrogate in {where}, never repaired or ignored"
    check_outcome("OBJ-018.3", reply, "invalid-utf8", f"{what}: {description!a:.400}")
    want = reference_answer("encode", object=description)
    suite_premise(want.outcome() == "invalid-utf8", f"the reference refuses {where}")


FULL_DESCRIPTIONS: dict[str, Any] = {
    "blob": {"type": "blob", "data": "00ff", "headers": {"mt": "inc", "ab": ""}},
    "tree": {"type": "tree", "entries": {"a": ID_A, "bc": ID_B}},
    "message": {"type": "message", "content": ID_A, "previous": ID_B, "headers": {"k": "v"}},
    "mailbox": {"type": "mailbox", "entries": {ID_A: ID_B, ID_B: ID_A}},
    "step": {
        "type": "step",
        "actor": ID_A,
        "core": ID_B,
        "previous": ID_A,
        "inbox": ID_B,
        "outbox": ID_A,
    },
}


def _slot_cases() -> list[Any]:
    cases = []
    for kind, description in FULL_DESCRIPTIONS.items():
        for path, is_key in _text_slots(description):
            name = "/".join(map(str, path)) + ("(key)" if is_key else "")
            cases.append(pytest.param(kind, path, is_key, id=f"{kind}:{name}"))
    return cases


@pytest.mark.req("OBJ-018.3", "OBJ-018.6", "ENC-008.1")
@pytest.mark.inputs("lone-surrogate")
@pytest.mark.parametrize(("kind", "path", "is_key"), _slot_cases())
@pytest.mark.req("CONV-004")
def test_every_text_of_every_type_refuses_every_lone_surrogate(
    impl: Implementation, kind: str, path: tuple[Any, ...], is_key: bool
) -> None:
    """Each text of a valid description — names, values, ids, ``type``, ``data`` — with
    each lone-surrogate sample at its start, its end and inside it."""
    description = FULL_DESCRIPTIONS[kind]
    ok_answer(impl.call("encode", object=description), "OBJ-018.3", f"encode of a whole {kind}")
    for lone in LONE:
        for at in (0, -1, 1):
            edited = _with_text(description, path, is_key, _insert(lone, at))
            _assert_invalid_utf8(impl, edited, f"{kind} {'/'.join(map(str, path))}")


@pytest.mark.req("OBJ-018.3", "OBJ-018.6", "ENC-008.1")
@run
@given(obj=objects, data=st.data())
@pytest.mark.req("CONV-004")
def test_a_lone_surrogate_in_a_generated_description_is_invalid_utf8(
    impl: Implementation, obj: Any, data: st.DataObject
) -> None:
    description = g.object_to_json(obj)
    slots = _text_slots(description)
    path, is_key = data.draw(st.sampled_from(slots), label="slot")
    lone = data.draw(tc.text_strategy("lone-surrogate", max_size=4), label="lone")
    at = data.draw(st.integers(0, 80), label="at")
    edited = _with_text(description, path, is_key, _insert(lone, at))
    _assert_invalid_utf8(impl, edited, "/".join(map(str, path)))


@pytest.mark.req("OBJ-018.3", "ENC-008.1", "ENC-014.1")
@pytest.mark.inputs("lone-surrogate", "bmp")
@pytest.mark.parametrize("lone", LONE, ids=[ascii(s) for s in LONE])
@pytest.mark.parametrize("where", ["header-name", "header-value", "tree-name"])
@pytest.mark.req("CONV-004")
def test_encode_and_decode_agree_on_a_lone_surrogate(
    impl: Implementation, lone: str, where: str
) -> None:
    """The description and the bytes (the surrogate written as UTF-8 would write it) are
    refused alike; the same object with U+FFFD in its place is accepted alike."""
    repaired = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in lone)
    for text, expected in ((lone, "invalid-utf8"), (repaired, None)):
        if where == "tree-name":
            description: dict[str, Any] = {"type": "tree", "entries": {"n" + text: ID_A}}
            value: dict[str, Any] = {"type": "tree", "entries": {"n" + text: bytes.fromhex(ID_A)}}
        else:
            headers = {"n" + text: "v"} if where == "header-name" else {"mt": text}
            description = {"type": "blob", "data": "", "headers": headers}
            value = {"data": b"", "type": "blob", "headers": headers}
        encoded = impl.call("encode", check=False, object=description)
        decoded = impl.call("decode", check=False, bytes=_cbor(value).hex())
        said = f"{text!a} as the {where}"
        if expected is None:
            ok_answer(decoded, "ENC-014.1", f"decode of {said}")
            got = ok_answer(encoded, "ENC-014.1", f"encode of {said}")["bytes"]
            check_equal("ENC-014.1", _cbor(value).hex(), got, f"encode of {said}")
        else:
            check_outcome("OBJ-018.3", encoded, expected, f"encode of {said}")
            check_outcome("ENC-008.1", decoded, expected, f"decode of {said}")


# --- ID-003: ids that are almost text-form ids ----------------------------------------------

ID_PATHS: dict[str, tuple[str, tuple[Any, ...], bool]] = {
    "message-content": ("message", ("content",), False),
    "message-previous": ("message", ("previous",), False),
    "tree-entry": ("tree", ("entries", "a"), False),
    "mailbox-key": ("mailbox", ("entries", ID_A), True),
    "mailbox-value": ("mailbox", ("entries", ID_A), False),
    "step-actor": ("step", ("actor",), False),
    "step-core": ("step", ("core",), False),
    "step-previous": ("step", ("previous",), False),
    "step-inbox": ("step", ("inbox",), False),
    "step-outbox": ("step", ("outbox",), False),
}


def _assert_invalid_id(impl: Implementation, where: str, bad: str) -> None:
    kind, path, is_key = ID_PATHS[where]
    description = _with_text(FULL_DESCRIPTIONS[kind], path, is_key, lambda _: bad)
    reply = impl.call("encode", check=False, object=description)
    what = f"encode of {where} = {bad!a}: not 64 lowercase hex digits and nothing else"
    check_outcome("ID-003", reply, "invalid-id", what)
    if tc.is_valid_text(bad):
        want = reference_answer("encode", object=description).outcome()
        suite_premise(want == "invalid-id", f"the reference refuses {where} = {bad!a}")


@pytest.mark.req("ID-003", "OBJ-014", "OBJ-018.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "nul", "empty", "largest", "past-largest")
@pytest.mark.parametrize("kind", tc.BAD_ID_KINDS)
@pytest.mark.parametrize("where", list(ID_PATHS))
@pytest.mark.req("CONV-004")
def test_every_id_of_a_description_refuses_every_near_miss(
    impl: Implementation, where: str, kind: str
) -> None:
    kind_of, path, is_key = ID_PATHS[where]
    valid = _with_text(FULL_DESCRIPTIONS[kind_of], path, is_key, lambda s: s)
    _same_as_reference(impl, "OBJ-018.1", "encode", object=valid)
    original = path[-1] if is_key else _get(FULL_DESCRIPTIONS[kind_of], path)
    _assert_invalid_id(impl, where, tc.bad_text_ids(original)[kind])


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


@pytest.mark.req("ID-003", "OBJ-014", "OBJ-018.1")
@run
@given(where=st.sampled_from(list(ID_PATHS)), bad=tc.bad_text_id_strategy())
@pytest.mark.req("CONV-004")
def test_generated_near_miss_ids_are_invalid_id(impl: Implementation, where: str, bad: str) -> None:
    if not tc.is_valid_text(bad):
        return  # a lone surrogate: invalid-utf8 first (OBJ-018.6), tested above
    _assert_invalid_id(impl, where, bad)


@pytest.mark.req("ID-003", "OBJ-014")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "nul", "empty", "past-largest")
@pytest.mark.parametrize("kind", tc.BAD_ID_KINDS)
@pytest.mark.req("CONV-004")
def test_a_decoded_mailbox_key_must_be_a_text_form_id(impl: Implementation, kind: str) -> None:
    """The same near misses as CBOR text keys of a mailbox (ordered as ENC-010 says)."""
    bad = tc.bad_text_ids(ID_A)[kind]
    entries = _ordered(tc.sort_by("canonical", [bad, ID_B]), lambda k: bytes.fromhex(ID_B))
    data = _cbor({"type": "mailbox", "entries": entries}).hex()
    for cmd in ("decode", "id"):
        reply = impl.call(cmd, check=False, bytes=data)
        # a mailbox key is an id's text form (OBJ-014), which ID-003 defines
        check_outcome(("OBJ-014", "ID-003"), reply, "invalid-id", f"{cmd} of a mailbox key {bad!a}")
    want = reference_answer("decode", bytes=data).outcome()
    suite_premise(want == "invalid-id", f"the reference refuses the mailbox key {bad!a}")

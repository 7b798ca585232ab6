"""Objects over every input class (chapters 02–03): ``type`` values, keys, ids, header
names and values, tree names and their order, mailbox keys, the order of the checks and
the JSON description's texts (OBJ-002 … OBJ-018, ID-002, ID-003).
Helpers and the classes: :mod:`._codec_texts`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gritwit_conformance.data import _classes as tc
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import (
    check_equal,
    check_outcome,
    fail,
    ok_answer,
    suite_premise,
)

from ._codec_texts import (
    ALL,
    ID_A,
    ID_B,
    LIMIT,
    VALID,
    _blob,
    _check_bytes,
    _check_encode,
    _ids,
    _lone,
    _variants,
    cbor,
)

pytestmark = pytest.mark.profile("codec")
TYPES = ("blob", "tree", "message", "mailbox", "step")


# --- OBJ-002, OBJ-003.3: the type and the field names ---------------------------------------

TYPE_VALUES = [
    *TYPES,
    *ALL,
    "Blob",
    "BLOB",
    "blob\x00",
    "\x00blob",
    "blob ",
    "bl\u00f6b",
    "blob\ufeff",
    "blob\U0001f600",
    "tre\u0435",
    "",
]


def _type_description(t: str) -> dict[str, Any]:
    return {"type": t, "data": ""} if t in ("blob",) else {"type": t}


@pytest.mark.req("OBJ-002")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize(
    "t", list(dict.fromkeys(TYPE_VALUES)), ids=_ids(dict.fromkeys(TYPE_VALUES))
)
@pytest.mark.req("CONV-004")
def test_the_type_is_one_of_five_lowercase_texts(impl: Implementation, t: str) -> None:
    """Only the five exact texts name a type; any other text of any class is
    ``invalid-object`` (a lone surrogate ``invalid-utf8``)."""
    if _lone(t):
        want = "invalid-utf8"
    elif t in TYPES:
        want = "invalid-object" if t != "blob" else "ok"  # the others lack required fields
    else:
        want = "invalid-object"
    _check_encode("OBJ-002", impl, _type_description(t), want, "type")
    decoded = "ok" if t == "blob" else want
    _check_bytes(
        "OBJ-002", impl, cbor(_blob() | {"type": t}), decoded, ["decode", "id"], f"type {t!a}"
    )
    if not _lone(t):
        answer = reference_answer("encode", object=_type_description(t)).outcome()
        suite_premise(answer == want, f"the reference answers {want} to type {t!a}")


FIELD_LIKE = ["Data", "DATA", "dat\u0430", "data\x00", "data ", "headers\U00010000", "\ufefftype"]


@pytest.mark.req("OBJ-003.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("key", ALL + FIELD_LIKE, ids=_ids(ALL + FIELD_LIKE))
@pytest.mark.req("CONV-004")
def test_any_other_key_is_refused(impl: Implementation, key: str) -> None:
    """A key of any class that is not a field of the type: ``invalid-object`` in a blob
    and in a step, through ``encode``, ``decode`` and ``id``."""
    want = "invalid-utf8" if _lone(key) else "invalid-object"
    _check_encode("OBJ-003.3", impl, {"type": "blob", "data": "", key: ""}, want, f"key {key!a}")
    _check_encode(
        "OBJ-003.3", impl, {"type": "step", "actor": ID_A, "core": ID_B, key: None}, want, "step"
    )
    _check_bytes(
        "OBJ-003.3", impl, cbor(_blob() | {key: ""}), want, ["decode", "id"], f"key {key!a}"
    )


# --- OBJ-005 / ID-002.2, OBJ-010 / OBJ-013: sizes and counts -------------------------------

ID_FIELDS = [
    ("message", "content"),
    ("message", "previous"),
    ("step", "actor"),
    ("step", "core"),
    ("step", "inbox"),
    ("tree", "entry"),
    ("mailbox", "entry"),
]


def _with_id(kind: str, field: str, value: Any) -> dict[str, Any]:
    if kind == "message":
        return {"type": "message", "content": value if field == "content" else bytes.fromhex(ID_A),
                **({"previous": value} if field == "previous" else {})}  # fmt: skip
    if kind == "step":
        base = {"type": "step", "actor": bytes.fromhex(ID_A), "core": bytes.fromhex(ID_B)}
        return base | {field: value}
    if kind == "tree":
        return {"type": "tree", "entries": {"a": value}}
    return {"type": "mailbox", "entries": {ID_A: value}}


@pytest.mark.req("OBJ-005", "ID-002.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(("kind", "field"), ID_FIELDS, ids=[f"{k}-{f}" for k, f in ID_FIELDS])
@pytest.mark.req("CONV-004")
def test_an_id_is_exactly_32_bytes(impl: Implementation, kind: str, field: str) -> None:
    for size, want in ((32, "ok"), (33, "invalid-id"), (31, "invalid-id"), (64, "invalid-id")):
        value = bytes(range(7, 7 + size))
        _check_bytes(
            "OBJ-005", impl, cbor(_with_id(kind, field, value)), want, ["decode", "id"], f"{size}"
        )
        description = g_json(_with_id(kind, field, value))
        _check_encode("OBJ-005", impl, description, want, f"an id of {size} bytes")


def g_json(value: dict[str, Any]) -> dict[str, Any]:
    """The JSON description of a CBOR object value built here (bytes as hex)."""

    def conv(v: Any) -> Any:
        if isinstance(v, bytes):
            return v.hex()
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v

    return {k: conv(v) for k, v in value.items()}


@pytest.mark.req("OBJ-010", "OBJ-013")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("kind", ["tree", "mailbox"])
@pytest.mark.req("CONV-004")
def test_one_entry_is_the_least(impl: Implementation, kind: str) -> None:
    """One entry is accepted, none is ``invalid-object`` (encode, decode, id)."""
    key = "a" if kind == "tree" else ID_A
    one = {"type": kind, "entries": {key: bytes.fromhex(ID_B)}}
    none: dict[str, Any] = {"type": kind, "entries": {}}
    rule = "OBJ-010" if kind == "tree" else "OBJ-013"
    _check_bytes(rule, impl, cbor(one), "ok", ["decode", "id"], f"a {kind} of one entry")
    _check_bytes(rule, impl, cbor(none), "invalid-object", ["decode", "id"], f"an empty {kind}")
    _check_encode(rule, impl, g_json(one), "ok", f"a {kind} of one entry")
    _check_encode(rule, impl, none, "invalid-object", f"an empty {kind}")


# --- OBJ-006: header names and values -------------------------------------------------------


@pytest.mark.req("OBJ-006.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("name", ALL, ids=_ids(ALL))
@pytest.mark.req("CONV-004")
def test_a_header_name_is_any_text_but_the_empty_one(impl: Implementation, name: str) -> None:
    want = "invalid-utf8" if _lone(name) else ("invalid-object" if name == "" else "ok")
    for kind in ("blob", "message"):
        value: dict[str, Any] = (
            _blob({name: "v"}) if kind == "blob"
            else {"type": "message", "content": bytes.fromhex(ID_A), "headers": {name: "v"}}
        )  # fmt: skip
        _check_bytes(
            "OBJ-006.2", impl, cbor(value), want, ["decode", "id"], f"{kind} header name {name!a}"
        )
        _check_encode("OBJ-006.2", impl, g_json(value), want, f"{kind} header name")


@pytest.mark.req("OBJ-006.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("text", ALL, ids=_ids(ALL))
@pytest.mark.req("CONV-004")
def test_a_header_value_is_any_text_and_nothing_else(impl: Implementation, text: str) -> None:
    """Text of every class is a value (empty too, OBJ-006.4); the same bytes as a byte
    string, or the text in an array, are no text → ``invalid-object``."""
    want = "invalid-utf8" if _lone(text) else "ok"
    _check_bytes(
        "OBJ-006.3", impl, cbor(_blob({"h": text})), want, ["decode", "id"], f"value {text!a}"
    )
    _check_encode(
        "OBJ-006.3", impl, {"type": "blob", "data": "", "headers": {"h": text}}, want, "value"
    )
    raw = text.encode("utf-8", "surrogatepass")
    _check_bytes(
        "OBJ-006.3", impl, cbor(_blob({"h": raw})), "invalid-object", ["decode", "id"], "bytes"
    )
    nested = "invalid-utf8" if _lone(text) else "invalid-object"
    _check_bytes(
        "OBJ-006.3", impl, cbor(_blob({"h": [text]})), nested, ["decode", "id"], "an array"
    )
    _check_encode(
        "OBJ-006.3", impl, {"type": "blob", "data": "", "headers": {"h": [text]}}, nested, "[text]"
    )


# --- OBJ-011, OBJ-017.1: tree entry names ---------------------------------------------------


def _sized(unit: str, size: int) -> str:
    """A name of exactly ``size`` UTF-8 bytes made of ``unit`` (ASCII padding)."""
    n = size // tc.utf8_len(unit)
    return unit * n + "a" * (size - n * tc.utf8_len(unit))


def _name_cases() -> list[str]:
    out: list[str] = []
    for s in ALL:
        out += [s, s + "/", "/" + s, s + "\x00", "." + s, ".." + s, s + "."]
    out += [".", "..", "...", "/", "\x00", ". ", ".\u0301", "\uff0e", "\u2024"]
    for unit in ("a", "é", "中", "\U0001f600", "\ue000"):
        out += [_sized(unit, 255), _sized(unit, 256)]
    return list(dict.fromkeys(out))


NAME_CASES = _name_cases()


def _name_class(name: str) -> str:
    if _lone(name):
        return "invalid-utf8"
    return "ok" if tc.is_valid_name(name) else "invalid-name"


@pytest.mark.req("OBJ-011.1", "OBJ-011.2", "OBJ-011.3", "OBJ-017.1")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "largest",
    "past-largest",
)  # fmt: skip
@pytest.mark.parametrize(
    "name", NAME_CASES, ids=[f"{i}-{tc.utf8_len(n)}" for i, n in enumerate(NAME_CASES)]
)
@pytest.mark.req("CONV-004")
def test_tree_names_of_every_class(impl: Implementation, name: str) -> None:
    """1–255 bytes of UTF-8 (bytes: 255 of 4-byte code points and of 2-byte ones fit,
    256 do not), no ``/`` or NUL, not ``.`` or ``..``: ``encode`` refuses what ``decode``
    and ``id`` refuse, with the same class (OBJ-017.1)."""
    want = _name_class(name)
    value = {"type": "tree", "entries": {name: bytes.fromhex(ID_A), "~": bytes.fromhex(ID_B)}}
    _check_bytes("OBJ-011", impl, cbor(value), want, ["decode", "id"], f"the name {name!a:.80}")
    _check_encode(("OBJ-011", "OBJ-017.1"), impl, g_json(value), want, "a tree name")


def _byte_twins(s: str) -> list[str]:
    return [v for v in _variants(s) if tc.is_valid_name(v)]


@pytest.mark.req("OBJ-011.4")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.parametrize("text", VALID, ids=_ids(VALID))
@pytest.mark.req("CONV-004")
def test_names_are_compared_as_bytes(impl: Implementation, text: str) -> None:
    """Names that differ only in normalisation or case are distinct entries; a name that
    equals another up to a NUL (as C strings compare) is no duplicate of it but an
    invalid name (``invalid-name``, not ``duplicate-key``)."""
    names = _byte_twins(text) or ["x"]
    value = {"type": "tree", "entries": {n: bytes.fromhex(ID_A) for n in names}}
    _check_bytes("OBJ-011.4", impl, cbor(value), "ok", ["decode", "id"], f"names {_ids(names)}")
    reply = _check_encode("OBJ-011.4", impl, g_json(value), "ok", "names")
    data = ok_answer(reply, "OBJ-011.4", f"encode of names {_ids(names)}")["bytes"]
    decoded = ok_answer(impl.call("decode", bytes=data), "OBJ-011.4", "decode of its bytes")
    entries = decoded["object"].get("entries") or {}
    check_equal("OBJ-011.4", sorted(names), sorted(entries), "the names decode gives")
    cut = text.split("\x00")[0]
    if cut != text:
        twins = {
            "type": "tree",
            "entries": {cut or "x": bytes.fromhex(ID_A), text: bytes.fromhex(ID_B)},
        }
        _check_bytes(
            "OBJ-011.4", impl, cbor(twins), "invalid-name", ["decode", "id"], "a name and it + NUL"
        )
    if text == "":
        empty = {"type": "tree", "entries": {"": bytes.fromhex(ID_A), "\x00": bytes.fromhex(ID_B)}}
        _check_bytes("OBJ-011.4", impl, cbor(empty), "invalid-name", ["decode", "id"], "'' and NUL")


# --- OBJ-014 / ID-003: mailbox keys and ids of the classes the near misses lack --------------


def _astral_ids() -> list[str]:
    return [
        ID_A[:-1] + "\U0001d7d8",  # MATHEMATICAL DOUBLE-STRUCK DIGIT ZERO
        ID_A + "\U00010000",
        "\U0001f600" + ID_A[1:],
        ID_A[:32] + "\U000e0030" + ID_A[33:],  # TAG DIGIT ZERO
    ]


def _lone_ids() -> list[str]:
    return [ID_A[:-1] + "\ud800", ID_A + "\udc00", "\udfff" + ID_A[1:]]


@pytest.mark.req("OBJ-014", "ID-003")
@pytest.mark.inputs("astral", "lone-surrogate", "largest", "past-largest")
@pytest.mark.parametrize("bad", _astral_ids() + _lone_ids(), ids=_ids(_astral_ids() + _lone_ids()))
@pytest.mark.req("CONV-004")
def test_a_mailbox_key_of_astral_or_surrogate_text_is_no_id(impl: Implementation, bad: str) -> None:
    """Astral digits and letters are no hex digits (``invalid-id``); a lone surrogate is
    no text (``invalid-utf8``); 64 digits are an id, 65 are not."""
    want = "invalid-utf8" if _lone(bad) else "invalid-id"
    mailbox = {"type": "mailbox", "entries": {bad: ID_B}}
    _check_encode("OBJ-014", impl, mailbox, want, "a mailbox key")
    value = {"type": "mailbox", "entries": {bad: bytes.fromhex(ID_B)}}
    _check_bytes("OBJ-014", impl, cbor(value), want, ["decode", "id"], "a mailbox key")
    for field in ("content", "previous"):
        message = {"type": "message", "content": ID_A, field: bad}
        _check_encode("OBJ-014", impl, message, want, f"a message {field}")
    _check_encode("OBJ-014", impl, {"type": "mailbox", "entries": {ID_A: ID_B}}, "ok", "64 digits")
    _check_encode(
        "OBJ-014", impl, {"type": "mailbox", "entries": {ID_A + "0": ID_B}}, "invalid-id", "65"
    )


# --- OBJ-016: the order in which fields and entries are checked -----------------------------


@pytest.mark.req("OBJ-016.2")
@pytest.mark.inputs(
    "order:utf8", "order:codepoint", "order:utf16", "order:casefold", "order:signed-bytes"
)
@pytest.mark.req("CONV-004")
def test_core_is_checked_before_actor(impl: Implementation) -> None:
    """``core`` (4 bytes) precedes ``actor`` (5) in canonical order; in plain byte, code
    point, UTF-16, case-insensitive or signed-byte order ``actor`` would come first."""
    for rule in ("utf8", "codepoint", "utf16", "casefold", "signed-bytes"):
        ordered = tc.sort_by(rule, ["core", "actor"]) == ["actor", "core"]
        suite_premise(ordered, f"{rule} order puts actor first")
    canonical = tc.sort_by("canonical", ["core", "actor"]) == ["core", "actor"]
    suite_premise(canonical, "canonical order puts core first")
    cases = [
        ({"core": None, "actor": b"\x01" * 31}, "invalid-object"),
        ({"core": b"\x01" * 31, "actor": None}, "invalid-id"),
    ]
    for fields, want in cases:
        value = {"type": "step", **fields}
        _check_bytes("OBJ-016.2", impl, cbor(value), want, ["decode", "id"], f"a step {fields}")
        _check_encode("OBJ-016.2", impl, g_json(value), want, "a step")


def _separating_names(rule: str) -> tuple[str, str]:
    """Two names in canonical order that ``rule`` puts the other way, exactly one of which
    is a valid tree name (so the first checked decides the class)."""
    pool: list[str] = []
    for s in VALID:
        pool += [s, s + "/", s + "\x00", "/" + s]
    pool = [p for p in dict.fromkeys(pool) if p]
    canon, other = tc.ORDER_RULES["canonical"], tc.ORDER_RULES[rule]
    best: tuple[str, str] | None = None
    for x in pool:
        for y in pool:
            if tc.is_valid_name(x) == tc.is_valid_name(y):
                continue
            shorter = best is None or tc.utf8_len(x + y) < tc.utf8_len(best[0] + best[1])
            if canon(x) < canon(y) and not other(x) < other(y) and shorter:
                best = (x, y)
    if best is None:
        raise ValueError(f"no two names separate canonical order from {rule}")
    return best


WRONG_CANONICAL = tc.wrong_rules("canonical")


@pytest.mark.req("OBJ-016.3")
@pytest.mark.inputs(
    "order:utf8", "order:codepoint", "order:utf16", "order:casefold", "order:signed-bytes",
    "order:length-first-codepoints", "order:length-first-utf16", "order:canonical-utf16",
    "order:canonical-casefold", "order:canonical-signed-bytes",
)  # fmt: skip
@pytest.mark.parametrize("rule", WRONG_CANONICAL)
@pytest.mark.req("CONV-004")
def test_tree_entries_are_checked_in_canonical_order(impl: Implementation, rule: str) -> None:
    """Of two entries — one with a bad name, the other with a bad id — the one first in
    canonical order decides: ``invalid-name`` or ``invalid-id``; ``rule`` would pick the
    other."""
    first, second = _separating_names(rule)
    entries = {}
    for name in (first, second):
        entries[name] = bytes.fromhex(ID_A) if not tc.is_valid_name(name) else b"\x01" * 31
    want = "invalid-name" if not tc.is_valid_name(first) else "invalid-id"
    value = {"type": "tree", "entries": entries}
    what = f"names {_ids([first, second])} (canonical order; {rule} reverses it)"
    _check_bytes("OBJ-016.3", impl, cbor(value), want, ["decode", "id"], what)
    described = {n: (v.hex() if len(v) == 32 else "01" * 31) for n, v in entries.items()}
    for order in (list(described), list(described)[::-1]):
        _check_encode(
            "OBJ-016.3",
            impl,
            {"type": "tree", "entries": {n: described[n] for n in order}},
            want,
            what,
        )


# --- OBJ-017.2: the size limit after every object rule --------------------------------------


@pytest.mark.req("OBJ-017.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("CONV-004")
def test_the_size_limit_is_checked_after_the_object_rules(impl: Implementation) -> None:
    headers = {"h": "v"}
    around = len(cbor(_blob(headers, data=b"\x00" * 65536))) - 65536
    size = LIMIT - around
    reply = _check_encode(
        "OBJ-017.2", impl, {"type": "blob", "data": "00" * size, "headers": headers}, "ok", "16 MiB"
    )
    data = ok_answer(reply, "OBJ-017.2", "encode of a blob of exactly 16 MiB")["bytes"]
    check_equal("OBJ-017.2", 2 * LIMIT, len(data), "the hex digits of its encoding")
    over = {"type": "blob", "data": "00" * (size + 1), "headers": headers}
    _check_encode("OBJ-017.2", impl, over, "too-large", "16 MiB + 1")
    _check_encode(
        "OBJ-017.2", impl, over | {"headers": {"h": 1}}, "invalid-object", "16 MiB + 1, bad value"
    )


# --- OBJ-018.3: a lone surrogate, and only that, is invalid-utf8 -----------------------------

PLACES: dict[str, Callable[[str], dict[str, Any]]] = {
    "header-name": lambda s: {"type": "blob", "data": "", "headers": {s: "v"}},
    "header-value": lambda s: {"type": "blob", "data": "", "headers": {"h": s}},
    "tree-name": lambda s: {"type": "tree", "entries": {s: ID_A}},
    "type": lambda s: {"type": s, "data": ""},
    "unknown-key": lambda s: {"type": "blob", "data": "", s: 1},
    "data": lambda s: {"type": "blob", "data": s},
    "content": lambda s: {"type": "message", "content": s},
    "mailbox-key": lambda s: {"type": "mailbox", "entries": {s: ID_A}},
}


@pytest.mark.req("OBJ-018.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.req("CONV-004")
def test_only_a_lone_surrogate_is_invalid_utf8(impl: Implementation, place: str) -> None:
    """Text of every class in every place of a description: ``invalid-utf8`` exactly when
    it holds a lone surrogate, otherwise the reference's answer (never ``invalid-utf8``)."""
    for text in ALL:
        description = PLACES[place](text)
        reply = impl.call("encode", check=False, object=description)
        what = f"encode of {text!a} as the {place}"
        if _lone(text):
            check_outcome("OBJ-018.3", reply, "invalid-utf8", what)
            continue
        want = reference_answer("encode", object=description)
        if reply.outcome() == "invalid-utf8" or reply.outcome() != want.outcome():
            expected = "a value" if want.ok else f"error {want.error_class}"
            fail("OBJ-018.3", expected=f"{expected} (no lone surrogate)", came=reply, what=what)
        if want.ok:
            check_equal("OBJ-018.3", want.result, reply.result, what)


# --- OBJ-018.8: blob data and id fields of a description ------------------------------------

DATA_TEXTS = [
    "", "00ff", "0", "abc", "00FF", "00fF", "\uff10\uff10", "\u0660\u0660", "00\u00e9",
    "00\U00010000", "\U0001d7d8\U0001d7d8", "00\ud800", "\udc0000", "00\x00", "\x0000", "0x00",
    " 00", "00\n", "ff" * 1000,
]  # fmt: skip


@pytest.mark.req("OBJ-018.8")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "largest",
    "past-largest",
)  # fmt: skip
@pytest.mark.parametrize(
    "data", DATA_TEXTS, ids=[f"{i}-{ascii(d)[:20]}" for i, d in enumerate(DATA_TEXTS)]
)
@pytest.mark.req("CONV-004")
def test_blob_data_is_even_lowercase_hex_and_ids_64_digits(impl: Implementation, data: str) -> None:
    want = "invalid-utf8" if _lone(data) else "ok" if tc.is_lower_hex(data) else "invalid-object"
    reply = _check_encode("OBJ-018.8", impl, {"type": "blob", "data": data}, want, "blob data")
    if want == "ok":
        got = ok_answer(reply, "OBJ-018.8", "encode of blob data")["bytes"]
        check_equal("OBJ-018.8", cbor(_blob(data=bytes.fromhex(data))).hex(), got, "its bytes")
    for text, want_id in ((ID_A, "ok"), (ID_A + "0", "invalid-id"), (ID_A[:-1], "invalid-id"),
                          (ID_A + "00", "invalid-id"), (ID_A[:-2], "invalid-id")):  # fmt: skip
        _check_encode(
            "OBJ-018.8", impl, {"type": "message", "content": text}, want_id, f"{len(text)} digits"
        )

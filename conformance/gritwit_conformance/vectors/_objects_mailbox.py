"""The ``objects/mailbox`` suite (OBJ-013, OBJ-014, OBJ-019.2, ID-003, ID-005).

A mailbox maps text-form actor ids to message ids and may name a ``base`` mailbox
(OBJ-013, OBJ-019): ``base`` is an optional id like a message's ``previous``, so it is
omitted when absent (OBJ-004.1), refused as ``null`` (OBJ-004.2) and judged as an id
(OBJ-005); its key ``"base"`` sorts before ``"type"`` and ``"entries"`` (ENC-010), so it
is the first field checked after the map's keys (OBJ-016.2).
"""

from __future__ import annotations

from typing import Any

import gritwit as g

from . import _build as b
from ._format import Group, Suite
from ._objects import fake_id, with_fields

__all__ = ["mailbox_suite"]


def _mailbox(entries: dict[bytes, bytes]) -> dict[str, Any]:
    return {"type": "mailbox", "entries": {actor.hex(): msg for actor, msg in entries.items()}}


_ACTOR = fake_id("actor 0")
_MSG = fake_id("message 0")
_BASE = fake_id("mailbox base")
_ONE = _mailbox({_ACTOR: _MSG})
_BASED: dict[str, Any] = {**_ONE, "base": _BASE}


def _mailbox_valid() -> Group:
    group = Group(
        "valid-mailboxes",
        "Mailboxes: text-form actor ids to message ids; keys in "
        "text order, which is the byte order of the ids (ID-005).",
        "object",
    )
    group.valid("mailbox/one-entry", "one actor", ("OBJ-013", "OBJ-014", "ID-003"), _ONE)
    low, high = b"\x00" * 31 + b"\x01", b"\xff" * 32
    group.valid(
        "mailbox/extreme-ids",
        "the all-0x00…01 and all-0xff actor ids",
        ("OBJ-014", "ID-003", "ID-005"),
        _mailbox({high: _MSG, low: _MSG}),
        flags=["KeyOrder", "Boundary"],
    )
    for count in (24, 256):
        entries = {fake_id(f"actor {i}"): fake_id(f"message {i}") for i in range(count)}
        group.valid(
            f"mailbox/entries-{count}",
            f"{count} actors (a count-width boundary)",
            ("OBJ-013", "ID-005", "ENC-007.1"),
            _mailbox(entries),
            flags=["KeyOrder", "Boundary"],
        )
    return group


def _based_valid() -> Group:
    group = Group(
        "valid-based-mailboxes",
        "Mailboxes naming a base (OBJ-013, OBJ-019): 'base' is an id, its key first in "
        "canonical order ('base' < 'type' < 'entries'); its description gives the base's "
        "text-form id, and a mailbox without one describes it as null (OBJ-018.1).",
        "object",
    )
    group.valid(
        "mailbox/with-base",
        "one entry over a base",
        ("OBJ-013", "OBJ-019.2", "OBJ-018.1", "OBJ-003.2", "ENC-010"),
        _BASED,
        flags=["OptionalPresent", "KeyOrder"],
        built=g.Mailbox(entries={g.ObjectId(_ACTOR): g.ObjectId(_MSG)}, base=g.ObjectId(_BASE)),
    )
    group.valid(
        "mailbox/base-equals-an-entry",
        "the same id as base and as an entry's message: a decoder reads neither object",
        ("OBJ-019.2", "OBJ-005"),
        {**_ONE, "base": _MSG},
        flags=["OptionalPresent"],
    )
    group.valid(
        "mailbox/without-base",
        "no base: the key is omitted (OBJ-004.1)",
        ("OBJ-004.1", "OBJ-013", "OBJ-018.1"),
        _ONE,
        flags=["OptionalAbsent"],
        built=g.Mailbox(entries={g.ObjectId(_ACTOR): g.ObjectId(_MSG)}, base=None),
    )
    return group


def _mailbox_invalid() -> Group:
    group = Group("invalid-mailboxes", "Bad mailbox entries and keys.", "object")

    def entries(key: bytes, value: bytes = b.bstr(_MSG)) -> bytes:
        return with_fields(_ONE, {"entries": b.raw_map([(key, value)])})

    group.invalid(
        "mailbox/empty",
        "no entries",
        ("OBJ-013",),
        with_fields(_ONE, {"entries": b.raw_map([])}),
        "invalid-object",
        flags=["Empty"],
    )
    group.invalid(
        "mailbox/entries-missing",
        "no entries field",
        ("OBJ-003.1", "OBJ-013"),
        with_fields(_ONE, drop=("entries",)),
        "invalid-object",
        flags=["MissingField"],
    )
    group.invalid(
        "mailbox/entries-array",
        "entries as an array",
        ("OBJ-013",),
        with_fields(_ONE, {"entries": b.array([b.bstr(_MSG)])}),
        "invalid-object",
        flags=["WrongType"],
    )
    text = _ACTOR.hex()
    keys = {
        "uppercase": text.upper(),
        "one-uppercase-digit": text[:-1] + text[-1].upper() if text[-1] > "9" else "A" + text[1:],
        "63-digits": text[:63],
        "65-digits": text + "0",
        "non-hex": "g" + text[1:],
        "0x-prefix": "0x" + text[:62],
        "space": " " + text[1:],
        "empty": "",
    }
    for slug, key in keys.items():
        group.invalid(
            f"mailbox/key-{slug}",
            f"actor key {slug.replace('-', ' ')}",
            ("OBJ-014", "ID-003"),
            entries(b.tstr(key)),
            "invalid-id",
            flags=["InvalidId"],
        )
    values = {"31-bytes": b.bstr(_MSG[:31]), "text": b.tstr(_MSG.hex()), "null": b.NULL}
    for slug, raw in values.items():
        group.invalid(
            f"mailbox/value-{slug}",
            f"message id as {slug.replace('-', ' ')}",
            ("OBJ-005", "OBJ-013"),
            entries(b.tstr(text), raw),
            "invalid-id",
            flags=["InvalidId"],
        )
    group.invalid(
        "mailbox/key-binary-id",
        "the 32-byte id as the key",
        ("ENC-009",),
        entries(b.bstr(_ACTOR)),
        "non-text-key",
        flags=["NonTextKey"],
    )
    group.invalid(
        "mailbox/key-array-of-hex-digits",
        "the key as an array of 64 one-digit texts",
        ("ENC-009",),
        entries(b.array([b.tstr(c) for c in text])),
        "non-text-key",
        flags=["NonTextKey"],
    )
    other = fake_id("actor 1")
    first, second = sorted((_ACTOR.hex(), other.hex()))
    group.invalid(
        "mailbox/keys-unsorted",
        "actor keys in descending order",
        ("ENC-010",),
        with_fields(
            _ONE,
            {"entries": b.raw_map([(b.tstr(second), b.bstr(_MSG)), (b.tstr(first), b.bstr(_MSG))])},
        ),
        "unsorted-keys",
        flags=["KeyOrder"],
    )
    group.invalid(
        "mailbox/keys-duplicate",
        "one actor twice",
        ("ENC-011",),
        with_fields(_ONE, {"entries": b.raw_map([(b.tstr(text), b.bstr(_MSG))] * 2)}),
        "duplicate-key",
        flags=["DuplicateKey"],
    )
    group.invalid(
        "mailbox/unknown-field-headers",
        "a mailbox has no headers",
        ("OBJ-003.3", "OBJ-013"),
        with_fields(_ONE, {"headers": b.canonical_map({"a": b.tstr("b")})}),
        "invalid-object",
        flags=["UnknownField"],
    )
    group.invalid(
        "mailbox/bad-key-before-bad-value",
        "the first entry's key is checked before its value",
        ("OBJ-014", "OBJ-016.3"),
        entries(b.tstr(text.upper()), b.uint(0)),
        "invalid-id",
        flags=["Precedence", "InvalidId"],
    )
    return group


def _based_invalid() -> Group:
    group = Group(
        "invalid-based-mailboxes",
        "A mailbox's base that is no id, null, out of key order, or checked out of turn; "
        "fields a mailbox still lacks.",
        "object",
    )
    bad = {
        "31-bytes": b.bstr(_BASE[:31]),
        "33-bytes": b.bstr(_BASE + b"\x00"),
        "empty-bytes": b.bstr(b""),
        "text": b.tstr(_BASE.hex()),
        "int": b.uint(1),
        "false": b.FALSE,
        "empty-map": b.raw_map([]),
        "array": b.array([b.bstr(_BASE)]),
    }
    for slug, raw in bad.items():
        group.invalid(
            f"mailbox/base-{slug}",
            f"base as {slug.replace('-', ' ')}",
            ("OBJ-005", "OBJ-013", "OBJ-019.2"),
            with_fields(_BASED, {"base": raw}),
            "invalid-id",
            flags=["InvalidId"],
        )
    group.invalid(
        "mailbox/base-null",
        "base as null, not omitted",
        ("OBJ-004.2", "OBJ-013"),
        with_fields(_BASED, {"base": b.NULL}),
        "invalid-object",
        flags=["Null"],
    )
    group.invalid(
        "mailbox/base-undefined",
        "base as undefined",
        ("ENC-004",),
        with_fields(_BASED, {"base": b.UNDEFINED}),
        "forbidden-type",
        flags=["Simple"],
    )
    fields = {key: b.encode(value) for key, value in _BASED.items()}
    for slug, keys in {
        "base-after-type": ("type", "base", "entries"),
        "base-last": ("type", "entries", "base"),
    }.items():
        group.invalid(
            f"mailbox/{slug}",
            f"keys in the order {', '.join(keys)}: 'base' sorts first (ENC-010)",
            ("ENC-010", "OBJ-013"),
            b.raw_map([(b.tstr(key), fields[key]) for key in keys]),
            "unsorted-keys",
            flags=["KeyOrder"],
        )
    group.invalid(
        "mailbox/base-twice",
        "the base key twice",
        ("ENC-011",),
        b.raw_map(
            [(b.tstr("base"), fields["base"])] * 2
            + [(b.tstr(k), fields[k]) for k in ("type", "entries")]
        ),
        "duplicate-key",
        flags=["DuplicateKey"],
    )
    for name in ("previous", "bases", "outbox"):
        group.invalid(
            f"mailbox/unknown-field-{name}",
            f"a mailbox has no {name!r} field, with or without base",
            ("OBJ-003.3", "OBJ-013"),
            with_fields(_BASED, {name: b.bstr(_BASE)}),
            "invalid-object",
            flags=["UnknownField"],
        )
    order: dict[str, tuple[dict[str, bytes], tuple[str, ...], str, str]] = {
        # the type first (OBJ-002), then the keys, then base: the first key in canonical order
        "bad-base-before-empty-entries": (
            {"base": b.bstr(b""), "entries": b.raw_map([])},
            (),
            "invalid-id",
            "OBJ-005",
        ),
        "null-base-before-bad-key": (
            {"base": b.NULL, "entries": b.raw_map([(b.tstr(_ACTOR.hex().upper()), b.bstr(_MSG))])},
            (),
            "invalid-object",
            "OBJ-004.2",
        ),
        "bad-base-before-entries-array": (
            {"base": b.tstr(_BASE.hex()), "entries": b.array([])},
            (),
            "invalid-id",
            "OBJ-005",
        ),
        "unknown-type-before-bad-base": (
            {"base": b.bstr(b""), "type": b.tstr("mailboxes")},
            (),
            "invalid-object",
            "OBJ-002",
        ),
        "unknown-field-before-bad-base": (
            {"base": b.bstr(b""), "zzz": b.uint(0)},
            (),
            "invalid-object",
            "OBJ-003.3",
        ),
        "missing-entries-before-bad-base": (
            {"base": b.bstr(b"")},
            ("entries",),
            "invalid-object",
            "OBJ-003.1",
        ),
    }
    for slug, (replace, drop, error, req) in order.items():
        group.invalid(
            f"mailbox/{slug}",
            slug.replace("-", " ") + ": fields are checked in canonical key order "
            "(base, then entries), after the type and unknown and missing keys",
            ("OBJ-016.2", req),
            with_fields(_BASED, replace, drop),
            error,
            flags=["Precedence"],
        )
    return group


def mailbox_suite() -> Suite:
    """The ``objects/mailbox`` suite."""
    return Suite(
        "objects/mailbox",
        "Mailboxes: non-empty maps of text-form actor ids to message ids, over an "
        "optional base mailbox.",
        (_mailbox_valid(), _based_valid(), _mailbox_invalid(), _based_invalid()),
    )

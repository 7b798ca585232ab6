"""The ``objects/message`` and ``objects/mailbox`` suites (OBJ-012 … OBJ-014, ID-003, ID-005)."""

from __future__ import annotations

from typing import Any

from . import _build as b
from ._format import Group, Suite
from ._objects import fake_id, with_fields

__all__ = ["mailbox_suite", "message_suite"]

_CONTENT = fake_id("message content")
_PREVIOUS = fake_id("previous message")
_MESSAGE: dict[str, Any] = {"type": "message", "content": _CONTENT}
_FULL: dict[str, Any] = {**_MESSAGE, "previous": _PREVIOUS, "headers": {"kind": "call"}}


def _message_valid() -> Group:
    group = Group("valid-messages", "Messages with every combination of optional fields.", "object")
    combos: dict[str, tuple[dict[str, Any], str]] = {
        "content-only": ({}, "OptionalAbsent"),
        "with-previous": ({"previous": _PREVIOUS}, "OptionalPresent"),
        "with-headers": ({"headers": {"kind": "call"}}, "OptionalPresent"),
        "all-fields": ({"previous": _PREVIOUS, "headers": {"kind": "call"}}, "OptionalPresent"),
    }
    for slug, (extra, flag) in combos.items():
        group.valid(
            f"message/{slug}",
            slug.replace("-", " "),
            ("OBJ-012", "OBJ-004.1"),
            {**_MESSAGE, **extra},
            flags=[flag],
        )
    group.valid(
        "message/previous-equals-content",
        "the same id in content and previous",
        ("OBJ-012",),
        {**_MESSAGE, "previous": _CONTENT},
        flags=["OptionalPresent"],
    )
    headers = {
        "\u4ef6\u540d": "\u3053\u3093\u306b\u3061\u306f",
        "x-\U0001f600": "\U0001f600",
        "b": "",
        "aa": "two",
    }
    group.valid(
        "message/unicode-headers",
        "multi-byte headers, 'b' before 'aa'",
        ("OBJ-003.2", "OBJ-012", "ENC-010"),
        {**_MESSAGE, "headers": headers},
        flags=["Unicode", "KeyOrder", "OptionalPresent"],
    )
    return group


def _message_invalid() -> Group:
    group = Group(
        "invalid-messages",
        "Missing, unknown, null and mistyped message fields, "
        "and the order in which they are reported.",
        "object",
    )
    group.invalid(
        "message/content-missing",
        "no content",
        ("OBJ-003.1", "OBJ-012"),
        with_fields(_MESSAGE, drop=("content",)),
        "invalid-object",
        flags=["MissingField"],
    )
    for field in ("content", "previous"):
        bad = {
            "31-bytes": b.bstr(_CONTENT[:31]),
            "33-bytes": b.bstr(_CONTENT + b"\x00"),
            "text": b.tstr(_CONTENT.hex()),
            "int": b.uint(1),
            "false": b.FALSE,
        }
        for slug, raw in bad.items():
            group.invalid(
                f"message/{field}-{slug}",
                f"{field} as {slug.replace('-', ' ')}",
                ("OBJ-005", "OBJ-012"),
                with_fields(_MESSAGE, {field: raw}),
                "invalid-id",
                flags=["InvalidId"],
            )
        group.invalid(
            f"message/{field}-null",
            f"{field} as null",
            ("OBJ-004.2",),
            with_fields(_MESSAGE, {field: b.NULL}),
            "invalid-object",
            flags=["Null"],
        )
    group.invalid(
        "message/previous-undefined",
        "previous as undefined",
        ("ENC-004",),
        with_fields(_MESSAGE, {"previous": b.UNDEFINED}),
        "forbidden-type",
        flags=["Simple"],
    )
    group.invalid(
        "message/headers-empty-map",
        "headers {} instead of omitted",
        ("OBJ-007.2",),
        with_fields(_MESSAGE, {"headers": b.raw_map([])}),
        "invalid-object",
        flags=["Empty"],
    )
    group.invalid(
        "message/headers-text",
        "headers as a text",
        ("OBJ-006.1",),
        with_fields(_MESSAGE, {"headers": b.tstr("kind: call")}),
        "invalid-object",
        flags=["WrongType"],
    )
    group.invalid(
        "message/headers-null",
        "headers as null",
        ("OBJ-004.2",),
        with_fields(_MESSAGE, {"headers": b.NULL}),
        "invalid-object",
        flags=["Null"],
    )
    group.invalid(
        "message/headers-array-key",
        "a header name that is an array",
        ("ENC-009",),
        with_fields(_MESSAGE, {"headers": b.raw_map([(b.array([b.tstr("a")]), b.tstr("b"))])}),
        "non-text-key",
        flags=["NonTextKey"],
    )
    for name in ("data", "actor", "next"):
        group.invalid(
            f"message/unknown-field-{name}",
            f"a message has no {name!r} field",
            ("OBJ-003.3", "OBJ-012"),
            with_fields(_MESSAGE, {name: b.bstr(_CONTENT)}),
            "invalid-object",
            flags=["UnknownField"],
        )
    order = {
        "unknown-field-before-bad-content": (
            {"content": b.bstr(b""), "zzz": b.uint(0)},
            "invalid-object",
            "OBJ-003.3",
        ),
        "bad-content-before-empty-headers": (
            {"content": b.bstr(b""), "headers": b.raw_map([])},
            "invalid-id",
            "OBJ-005",
        ),
        "empty-headers-before-bad-previous": (
            {"headers": b.raw_map([]), "previous": b.bstr(b"")},
            "invalid-object",
            "OBJ-007.2",
        ),
        "missing-content-before-bad-previous": (
            {"previous": b.bstr(b"")},
            "invalid-object",
            "OBJ-003.1",
        ),
    }
    for slug, (fields, error, req) in order.items():
        drop = ("content",) if slug.startswith("missing") else ()
        group.invalid(
            f"message/{slug}",
            slug.replace("-", " ") + ": fields are checked in "
            "canonical key order (type, content, headers, previous)",
            ("OBJ-016.2", req),
            with_fields(_MESSAGE, fields, drop),
            error,
            flags=["Precedence"],
        )
    return group


def message_suite() -> Suite:
    """The ``objects/message`` suite."""
    return Suite(
        "objects/message",
        "Messages: a content id, an optional previous message and optional headers.",
        (_message_valid(), _message_invalid()),
    )


def _mailbox(entries: dict[bytes, bytes]) -> dict[str, Any]:
    return {"type": "mailbox", "entries": {actor.hex(): msg for actor, msg in entries.items()}}


_ACTOR = fake_id("actor 0")
_MSG = fake_id("message 0")
_ONE = _mailbox({_ACTOR: _MSG})


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


def mailbox_suite() -> Suite:
    """The ``objects/mailbox`` suite."""
    return Suite(
        "objects/mailbox",
        "Mailboxes: non-empty maps of text-form actor ids to message ids.",
        (_mailbox_valid(), _mailbox_invalid()),
    )

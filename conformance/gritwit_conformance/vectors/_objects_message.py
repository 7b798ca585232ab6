"""The ``objects/message`` suite (OBJ-012, OBJ-004, OBJ-005, OBJ-016.2)."""

from __future__ import annotations

from typing import Any

from . import _build as b
from ._format import Group, Suite
from ._objects import fake_id, with_fields

__all__ = ["message_suite"]

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

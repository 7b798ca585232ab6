"""The ``objects/common`` suite: rules shared by every object type (OBJ-001 … OBJ-003, OBJ-016).

What is not a map, which ``type`` values name no type, and encoding violations
at the top level of an object: decode errors always win over object rules
(OBJ-016), and the first violation in the input is reported (ENC-016).
"""

from __future__ import annotations

from typing import Any

from . import _build as b
from ._format import Group, Suite
from ._objects import fake_id, raw_object, with_fields

__all__ = ["suite"]

_BLOB: dict[str, Any] = {"type": "blob", "data": b""}
_STEP: dict[str, Any] = {"type": "step", "actor": fake_id("a"), "core": fake_id("c")}


def _shape() -> Group:
    group = Group(
        "not-an-object",
        "Canonical data items that are not objects: not a map, or "
        "a map whose type names no object type.",
        "object",
    )
    not_maps = {
        "array": b.array([]),
        "array-of-blob": b.array([b.encode(_BLOB)]),
        "text": b.tstr("blob"),
        "bytes": b.bstr(b.encode(_BLOB)),
        "uint": b.uint(0),
        "null": b.NULL,
        "true": b.TRUE,
    }
    for slug, data in not_maps.items():
        group.invalid(
            f"object/not-a-map-{slug}",
            f"a {slug.replace('-', ' ')} instead of a map",
            ("OBJ-001",),
            data,
            "invalid-object",
            flags=["WrongType"],
        )
    types = {
        "Blob": b.tstr("Blob"),
        "blob-space": b.tstr("blob "),
        "blob-nul": b.tstr("blob\x00"),
        "empty": b.tstr(""),
        "commit": b.tstr("commit"),
        "int": b.uint(0),
        "bytes": b.bstr(b"blob"),
        "array": b.array([b.tstr("blob")]),
    }
    for slug, raw in types.items():
        group.invalid(
            f"object/type-{slug.lower()}",
            f"type {slug!r}",
            ("OBJ-002",),
            with_fields(_BLOB, {"type": raw}),
            "invalid-object",
            flags=["UnknownType"],
        )
    group.invalid(
        "object/type-null",
        "type null",
        ("OBJ-002", "OBJ-004.2"),
        with_fields(_BLOB, {"type": b.NULL}),
        "invalid-object",
        flags=["UnknownType", "Null"],
    )
    group.invalid(
        "object/empty-map",
        "an empty map has no type",
        ("OBJ-002",),
        b.raw_map([]),
        "invalid-object",
        flags=["Empty", "UnknownType"],
    )
    group.invalid(
        "object/type-missing",
        "blob fields without a type",
        ("OBJ-002",),
        with_fields(_BLOB, drop=("type",)),
        "invalid-object",
        flags=["MissingField", "UnknownType"],
    )
    group.invalid(
        "object/unknown-type-before-unknown-field",
        "unknown type and unknown field",
        ("OBJ-002", "OBJ-016.2"),
        with_fields(_BLOB, {"type": b.tstr("x"), "zz": b.uint(0)}),
        "invalid-object",
        flags=["UnknownType", "Precedence"],
    )
    group.invalid(
        "object/type-of-other-fields",
        "a step's fields under type blob",
        ("OBJ-003.3", "OBJ-008"),
        with_fields(_STEP, {"type": b.tstr("blob")}),
        "invalid-object",
        flags=["UnknownField"],
    )
    return group


def _encoding() -> Group:
    group = Group(
        "encoding",
        "Encoding violations at the top level of an object; they are "
        "reported before any object rule (OBJ-016).",
        "object",
    )
    data, type_ = b.tstr("data"), b.tstr("type")
    blob, empty = b.tstr("blob"), b.bstr(b"")
    cases = {
        "keys-unsorted": (
            b.raw_map([(type_, blob), (data, empty)]),
            "unsorted-keys",
            "ENC-010",
            "KeyOrder",
        ),
        "key-duplicate": (
            b.raw_map([(data, empty), (type_, blob), (type_, blob)]),
            "duplicate-key",
            "ENC-011",
            "DuplicateKey",
        ),
        "key-int": (
            b.raw_map([(b.uint(0), empty), (type_, blob)]),
            "non-text-key",
            "ENC-009",
            "NonTextKey",
        ),
        "map-indefinite": (
            b.indefinite(5, [data, empty, type_, blob]),
            "indefinite-length",
            "ENC-006",
            "Indefinite",
        ),
        "count-non-shortest": (
            b.raw_map([(data, empty), (type_, blob)], 1),
            "non-shortest",
            "ENC-007.2",
            "NonShortest",
        ),
        "key-length-non-shortest": (
            b.raw_map([(data, empty), (b.tstr("type", 1), blob)]),
            "non-shortest",
            "ENC-007.2",
            "NonShortest",
        ),
        "type-length-non-shortest": (
            b.raw_map([(data, empty), (type_, b.tstr("blob", 2))]),
            "non-shortest",
            "ENC-007.2",
            "NonShortest",
        ),
        "type-invalid-utf8": (
            b.raw_map([(data, empty), (type_, b.tstr(b"bl\xc3b"))]),
            "invalid-utf8",
            "ENC-008.1",
            "InvalidUtf8",
        ),
        "key-invalid-utf8": (
            b.raw_map([(data, empty), (type_, blob), (b.tstr(b"zzzz\xff"), blob)]),
            "invalid-utf8",
            "ENC-008.1",
            "InvalidUtf8",
        ),
        "type-indefinite": (
            b.raw_map([(data, empty), (type_, b.indefinite(3, [blob]))]),
            "indefinite-length",
            "ENC-006",
            "Indefinite",
        ),
        "self-describe-tag": (b.tag(55799, b.encode(_BLOB)), "forbidden-type", "ENC-003.1", "Tag"),
        "type-tagged": (
            b.raw_map([(data, empty), (type_, b.tag(0, blob))]),
            "forbidden-type",
            "ENC-003.1",
            "Tag",
        ),
        "data-simple-value": (
            b.raw_map([(data, b.simple(16)), (type_, blob)]),
            "forbidden-type",
            "ENC-004",
            "Simple",
        ),
        "reserved-ai-28": (
            b.raw_map([(data, b"\x5c"), (type_, blob)]),
            "malformed",
            "ENC-005",
            "Reserved",
        ),
        "reserved-ai-29-in-key": (
            b.raw_map([(data, empty), (b"\x7d", blob)]),
            "malformed",
            "ENC-005",
            "Reserved",
        ),
        "reserved-ai-30-as-map": (
            b"\xbe" + data + empty + type_ + blob,
            "malformed",
            "ENC-005",
            "Reserved",
        ),
        "stray-break": (
            b.raw_map([(data, empty), (type_, b.BREAK)]),
            "malformed",
            "ENC-005",
            "Reserved",
        ),
        "map-claims-2p32": (
            b.head(5, 2**32) + data + empty + type_ + blob,
            "truncated",
            "ENC-002.1",
            "HugeClaim",
        ),
        "map-claims-2p63": (b.head(5, 2**63) + data + empty, "truncated", "ENC-002.1", "HugeClaim"),
    }
    for slug, (raw, error, req, flag) in cases.items():
        flags = [flag] + (["Truncated"] if error == "truncated" else [])
        group.invalid(f"object/{slug}", slug.replace("-", " "), (req,), raw, error, flags=flags)
    return group


def _framing() -> Group:
    group = Group(
        "framing",
        "One object per input: trailing bytes and truncation; decode "
        "errors come before object rules.",
        "object",
    )
    blob = b.encode(_BLOB)
    trailing = {
        "one-byte": (blob + b"\x00", "one zero byte after a blob"),
        "many-bytes": (blob + bytes(64), "64 zero bytes after a blob"),
        "second-object": (blob + b.encode(_STEP), "a step after a blob"),
        "same-object-twice": (blob + blob, "a blob twice"),
        "break": (blob + b.BREAK, "a break code after a blob"),
        "after-non-object": (
            b.array([]) + b"\x00",
            "an array (no object) and one byte: the decode error wins over OBJ-001",
        ),
    }
    for slug, (data, comment) in trailing.items():
        requirements = ("ENC-001", "OBJ-016.1") if slug == "after-non-object" else ("ENC-001",)
        group.invalid(
            f"object/trailing-{slug}",
            comment,
            requirements,
            data,
            "trailing-bytes",
            flags=["Trailing"],
        )
    for cut in range(len(blob)):
        group.invalid(
            f"object/blob-truncated-to-{cut}-bytes",
            f"the first {cut} of the {len(blob)} bytes of blob/empty-data",
            ("ENC-002.1",),
            blob[:cut],
            "truncated",
            flags=["Truncated"] + (["Empty"] if cut == 0 else []),
        )
    precedence = {
        "bad-field-then-tag": (
            raw_object(
                {
                    "data": b.tstr("text"),
                    "type": b.tstr("blob"),
                    "headers": b.canonical_map({"a": b.tag(1, b.uint(0))}),
                }
            ),
            "forbidden-type",
            "ENC-003.1",
            "data is a text (an object error) but a later tag is a decode error, which wins",
        ),
        "unknown-type-then-float": (
            raw_object({"type": b.tstr("nope"), "zzzzz": b.float16(0)}),
            "forbidden-type",
            "ENC-004",
            "an unknown type, then a float: the decode error wins",
        ),
        "missing-field-then-trailing": (
            b.encode({"type": "tree"}) + b"\x00",
            "trailing-bytes",
            "ENC-001",
            "a tree without entries, then a trailing byte: the decode error wins",
        ),
        "unsorted-then-bad-utf8": (
            b.raw_map([(b.tstr("type"), b.tstr("blob")), (b.tstr("data"), b.tstr(b"\xc0"))]),
            "unsorted-keys",
            "ENC-010",
            "unsorted keys, then bad UTF-8: the first one wins",
        ),
    }
    for slug, (data, error, req, comment) in precedence.items():
        group.invalid(
            f"object/{slug}",
            comment,
            ("OBJ-016.1", "ENC-016", req),
            data,
            error,
            flags=["Precedence"],
        )
    return group


def suite() -> Suite:
    """The ``objects/common`` suite."""
    return Suite(
        "objects/common",
        "Rules every object shares: a map with a known type, one "
        "canonical data item, encoding rules before object rules.",
        (_shape(), _encoding(), _framing()),
    )

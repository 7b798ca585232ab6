"""The ``objects/blob`` suite: blobs (OBJ-006 … OBJ-008) and their headers."""

from __future__ import annotations

from typing import Any

from . import _build as b
from ._format import Group, Suite
from ._objects import with_fields

__all__ = ["suite"]

_EMPTY: dict[str, Any] = {"type": "blob", "data": b""}
_HEADED: dict[str, Any] = {"type": "blob", "data": b"hi", "headers": {"a": "b"}}


def _valid() -> Group:
    group = Group("valid-blobs", "Blobs the reference accepts, from empty to large.", "object")
    group.valid(
        "blob/empty-data",
        "empty data, no headers",
        ("OBJ-008", "OBJ-004.1", "OBJ-007.1"),
        _EMPTY,
        flags=["Empty", "OptionalAbsent"],
    )
    group.valid(
        "blob/with-headers",
        "data and one header",
        ("OBJ-003.2", "OBJ-008"),
        {"type": "blob", "data": b"hello", "headers": {"content-type": "text/plain"}},
        flags=["OptionalPresent"],
    )
    group.valid(
        "blob/every-byte-value",
        "data holds every byte value 0..255 once",
        ("OBJ-008",),
        {"type": "blob", "data": bytes(range(256))},
    )
    for n in (23, 24, 255, 256, 65535, 65536):
        data = bytes((i * 7 + n) % 256 for i in range(n))
        flags = ["Boundary"] + (["Large"] if n >= 65535 else [])
        group.valid(
            f"blob/data-{n}-bytes",
            f"{n} bytes of data: a length-width boundary",
            ("OBJ-008", "ENC-007.1"),
            {"type": "blob", "data": data},
            flags=flags,
        )
    group.valid(
        "blob/data-is-cbor",
        "data that is itself an encoded blob is opaque",
        ("OBJ-008",),
        {"type": "blob", "data": b.encode(_HEADED)},
    )
    unicode_headers = {
        "\u540d\u524d": "\u5024",
        "emoji-\U0001f600": "\U0001f389",
        "\u00e9": "precomposed",
        "e\u0301": "combining",
    }
    group.valid(
        "blob/unicode-headers",
        "multi-byte names and values; precomposed and combining 'é' are two names",
        ("ENC-008.2", "ENC-010"),
        {"type": "blob", "data": b"", "headers": unicode_headers},
        flags=["Unicode", "Normalization", "KeyOrder", "OptionalPresent"],
    )
    group.valid(
        "blob/header-empty-value",
        "a header whose value is the empty text",
        ("OBJ-006.4",),
        {"type": "blob", "data": b"", "headers": {"a": ""}},
        flags=["Empty", "OptionalPresent"],
    )
    group.valid(
        "blob/headers-key-order",
        "header names 'b' and 'aa': shorter first",
        ("ENC-010",),
        {"type": "blob", "data": b"", "headers": {"b": "1", "aa": "2"}},
        flags=["KeyOrder", "OptionalPresent"],
    )
    many = {f"h{i:02d}": str(i) for i in range(24)}
    group.valid(
        "blob/headers-24",
        "24 headers: the map count needs one extra byte",
        ("ENC-007.1",),
        {"type": "blob", "data": b"", "headers": many},
        flags=["Boundary", "OptionalPresent"],
    )
    sized = {"n" * 23: "v" * 255, "m" * 24: "w" * 256}
    group.valid(
        "blob/header-length-boundaries",
        "names of 23 and 24 bytes, values of 255 and 256 bytes",
        ("ENC-007.1",),
        {"type": "blob", "data": b"", "headers": sized},
        flags=["Boundary", "OptionalPresent"],
    )
    return group


def _fields() -> Group:
    group = Group("invalid-fields", "Missing, unknown, null and mistyped blob fields.", "object")
    wrong = {
        "data-text": (b.tstr("abc"), "data as a text string"),
        "data-int": (b.uint(3), "data as an integer"),
        "data-array": (b.array([b.uint(1)]), "data as an array"),
        "data-map": (b.canonical_map({"a": b.bstr(b"")}), "data as a map"),
        "data-false": (b.FALSE, "data as false"),
    }
    for slug, (raw, comment) in wrong.items():
        group.invalid(
            f"blob/{slug}",
            comment,
            ("OBJ-008",),
            with_fields(_EMPTY, {"data": raw}),
            "invalid-object",
            flags=["WrongType"],
        )
    group.invalid(
        "blob/data-null",
        "data as null",
        ("OBJ-004.2",),
        with_fields(_EMPTY, {"data": b.NULL}),
        "invalid-object",
        flags=["Null"],
    )
    group.invalid(
        "blob/data-missing",
        "no data field",
        ("OBJ-003.1", "OBJ-008"),
        with_fields(_EMPTY, drop=("data",)),
        "invalid-object",
        flags=["MissingField"],
    )
    for name in ("size", "content", "Data", "headerz"):
        group.invalid(
            f"blob/unknown-field-{name.lower()}",
            f"unknown field {name!r}",
            ("OBJ-003.3", "OBJ-008"),
            with_fields(_EMPTY, {name: b.tstr("x")}),
            "invalid-object",
            flags=["UnknownField"],
        )
    for name in ("previous", "inbox"):  # the bytes behind OBJ-018.7's null on a lacking key
        group.invalid(
            f"blob/unknown-field-{name}-null",
            f"{name} as null: a field blobs lack, unknown whatever its value",
            ("OBJ-003.3", "OBJ-016.2"),
            with_fields(_EMPTY, {name: b.NULL}),
            "invalid-object",
            flags=["UnknownField", "Null"],
        )
    headers = {
        "headers-empty-map": (b.raw_map([]), "OBJ-007.2", "headers {} instead of omitted"),
        "headers-array": (b.array([b.tstr("a")]), "OBJ-006.1", "headers as an array"),
        "headers-text": (b.tstr("a: b"), "OBJ-006.1", "headers as a text"),
        "header-value-int": (b.canonical_map({"a": b.uint(1)}), "OBJ-006.3", "integer value"),
        "header-value-bytes": (b.canonical_map({"a": b.bstr(b"b")}), "OBJ-006.3", "bytes value"),
        "header-value-null": (b.canonical_map({"a": b.NULL}), "OBJ-006.3", "null value"),
        "header-value-map": (b.canonical_map({"a": b.raw_map([])}), "OBJ-006.3", "map value"),
        "header-value-true": (b.canonical_map({"a": b.TRUE}), "OBJ-006.3", "true as value"),
        "header-name-empty": (b.canonical_map({"": b.tstr("x")}), "OBJ-006.2", "empty name"),
    }
    for slug, (raw, req, comment) in headers.items():
        group.invalid(
            f"blob/{slug}",
            comment,
            (req,),
            with_fields(_EMPTY, {"headers": raw}),
            "invalid-object",
            flags=["Empty" if "empty" in slug else "WrongType"],
        )
    group.invalid(
        "blob/headers-null",
        "headers as null",
        ("OBJ-004.2",),
        with_fields(_EMPTY, {"headers": b.NULL}),
        "invalid-object",
        flags=["Null"],
    )
    deep32 = b.canonical_map({"a": b.nest(30, b.tstr("x"))})
    group.invalid(
        "blob/header-value-nested-32",
        "32 levels in all, but the value is no text",
        ("OBJ-006.3", "ENC-012"),
        with_fields(_EMPTY, {"headers": deep32}),
        "invalid-object",
        flags=["Nesting"],
    )
    return group


def _encoding() -> Group:
    group = Group(
        "invalid-encoding",
        "Blob bytes that break an encoding rule; the encoding "
        "rules are checked before any object rule (OBJ-016).",
        "object",
    )
    cases = {
        "headers-int-key": (
            b.raw_map([(b.uint(1), b.tstr("x"))]),
            "non-text-key",
            "ENC-009",
            "NonTextKey",
        ),
        "headers-bytes-key": (
            b.raw_map([(b.bstr(b"a"), b.tstr("x"))]),
            "non-text-key",
            "ENC-009",
            "NonTextKey",
        ),
        "headers-unsorted": (
            b.raw_map([(b.tstr("aa"), b.tstr("1")), (b.tstr("b"), b.tstr("2"))]),
            "unsorted-keys",
            "ENC-010",
            "KeyOrder",
        ),
        "headers-duplicate": (
            b.raw_map([(b.tstr("a"), b.tstr("1"))] * 2),
            "duplicate-key",
            "ENC-011",
            "DuplicateKey",
        ),
        "header-value-invalid-utf8": (
            b.canonical_map({"a": b.tstr(b"\xed\xa0\x80")}),
            "invalid-utf8",
            "ENC-008.1",
            "InvalidUtf8",
        ),
        "header-name-invalid-utf8": (
            b.raw_map([(b.tstr(b"\xc0\xaf"), b.tstr("x"))]),
            "invalid-utf8",
            "ENC-008.1",
            "InvalidUtf8",
        ),
        "header-value-float": (
            b.canonical_map({"a": b.float64(1.0)}),
            "forbidden-type",
            "ENC-004",
            "Float",
        ),
        "header-value-tag": (
            b.canonical_map({"a": b.tag(0, b.tstr("2013-03-21T20:04:00Z"))}),
            "forbidden-type",
            "ENC-003.1",
            "Tag",
        ),
        "header-value-undefined": (
            b.canonical_map({"a": b.UNDEFINED}),
            "forbidden-type",
            "ENC-004",
            "Simple",
        ),
        "header-value-indefinite": (
            b.canonical_map({"a": b.indefinite(3, [b.tstr("x")])}),
            "indefinite-length",
            "ENC-006",
            "Indefinite",
        ),
        "header-value-indefinite-array": (
            b.canonical_map({"a": b.indefinite(4, [b.tstr("x")])}),
            "indefinite-length",
            "ENC-006",
            "Indefinite",
        ),
        "header-value-array-claims-2p63": (
            b.canonical_map({"a": b.head(4, 2**63)}),
            "truncated",
            "ENC-002.1",
            "HugeClaim",
        ),
        "header-value-nested-33": (
            b.canonical_map({"a": b.nest(31, b.tstr("x"))}),
            "too-deep",
            "ENC-012",
            "Nesting",
        ),
        "headers-count-non-shortest": (
            b.canonical_map({"a": b.tstr("b")}, 1),
            "non-shortest",
            "ENC-007.2",
            "NonShortest",
        ),
    }
    for slug, (raw, error, req, flag) in cases.items():
        group.invalid(
            f"blob/{slug}",
            slug.replace("-", " "),
            (req, "OBJ-016.1"),
            with_fields(_HEADED, {"headers": raw}),
            error,
            flags=[flag, "Truncated"] if error == "truncated" else [flag],
        )
    for width in (1, 2, 4, 8):
        group.invalid(
            f"blob/data-length-in-{width}-bytes",
            f"3 bytes of data with a {width}-byte length",
            ("ENC-007.2",),
            with_fields(_EMPTY, {"data": b.bstr(b"abc", width)}),
            "non-shortest",
            flags=["NonShortest"],
        )
    group.invalid(
        "blob/data-24-length-in-2-bytes",
        "24 bytes of data with a 2-byte length",
        ("ENC-007.2",),
        with_fields(_EMPTY, {"data": b.bstr(bytes(24), 2)}),
        "non-shortest",
        flags=["NonShortest", "Boundary"],
    )
    group.invalid(
        "blob/data-256-length-in-4-bytes",
        "256 bytes of data with a 4-byte length",
        ("ENC-007.2",),
        with_fields(_EMPTY, {"data": b.bstr(bytes(256), 4)}),
        "non-shortest",
        flags=["NonShortest", "Boundary"],
    )
    group.invalid(
        "blob/data-indefinite",
        "data as an indefinite byte string",
        ("ENC-006",),
        with_fields(_EMPTY, {"data": b.indefinite(2, [b.bstr(b"a")])}),
        "indefinite-length",
        flags=["Indefinite"],
    )
    group.invalid(
        "blob/data-float",
        "data as a float",
        ("ENC-004",),
        with_fields(_EMPTY, {"data": b.float16(0x3E00)}),
        "forbidden-type",
        flags=["Float"],
    )
    group.invalid(
        "blob/data-tagged",
        "data wrapped in tag 24 (embedded CBOR)",
        ("ENC-003.1",),
        with_fields(_EMPTY, {"data": b.tag(24, b.bstr(b"\x00"))}),
        "forbidden-type",
        flags=["Tag"],
    )
    for power in (32, 63):
        group.invalid(
            f"blob/data-claims-2p{power}",
            f"data claims 2^{power} bytes",
            ("ENC-002.1", "ENC-002.2"),
            with_fields(_EMPTY, {"data": b.head(2, 2**power)}),
            "truncated",
            flags=["Truncated", "HugeClaim"],
        )
    return group


def suite() -> Suite:
    """The ``objects/blob`` suite."""
    return Suite(
        "objects/blob",
        "Blobs: opaque data with optional text headers.",
        (_valid(), _fields(), _encoding()),
    )


#: Size of the one large blob: 1 MiB, in a file of its own so that users can skip it.
LARGE_BLOB_BYTES = 1 << 20


def large_suite() -> Suite:
    """The ``objects/large`` suite: one blob of 1 MiB (about 4 MiB of JSON)."""
    group = Group(
        "large-blobs",
        "A blob far above the argument-width boundaries but well under the 16 MiB limit (ENC-013).",
        "object",
    )
    data = bytes(j % 251 for j in range(LARGE_BLOB_BYTES))
    group.valid(
        "blob/data-1-mib",
        "1 MiB of the repeating 0..250 byte pattern",
        ("OBJ-008", "ENC-013.1"),
        {"type": "blob", "data": data},
        flags=["Large"],
    )
    return Suite("objects/large", "One large blob, kept apart because of its size.", (group,))

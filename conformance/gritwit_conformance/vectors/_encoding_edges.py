"""The ``encoding`` suite, continued: maps, nesting, major types 6 and 7, framing, precedence.

Every input is assembled from explicit heads (:mod:`._build`) so that it holds
exactly the violation it is about.
"""

from __future__ import annotations

from . import _build as b
from ._encoding_precedence import precedence
from ._format import Group

__all__ = ["edge_groups"]


def _maps() -> Group:
    group = Group(
        "maps",
        "Map keys: canonical order is bytewise order of the encoded keys (so shorter keys "
        "first), keys are unique text strings.",
        "value",
    )
    valid = {
        "order-b-aa": ({"b": 1, "aa": 2}, "a shorter key sorts first even if it is greater"),
        "order-ab-e-acute": ({"ab": 1, "\u00e9": 2}, "'ab' (2 bytes) before 'é' (2 bytes)"),
        "order-e-acute-aaa": ({"\u00e9": 1, "aaa": 2}, "'é' (1 character, 2 bytes) before 'aaa'"),
        "order-abc-emoji": ({"abc": 1, "\U0001f600": 2}, "'abc' (3 bytes) before an emoji (4)"),
        "order-empty-key": ({"": 0, "a": 1}, "the empty key sorts first"),
        "order-24-byte-key": ({"z" * 23: 0, "a" * 24: 1}, "a 23-byte key before a 24-byte key"),
    }
    for slug, (value, comment) in valid.items():
        flags = ["KeyOrder"] + ([] if all(k.isascii() for k in value) else ["Unicode"])
        group.valid(f"encoding/map-{slug}", comment, ("ENC-009", "ENC-010"), value, flags=flags)
    one, two = b.uint(1), b.uint(2)
    unsorted = {
        "aa-b": ([("aa", one), ("b", two)], "code-point order instead of length-first"),
        "e-acute-ab": ([("\u00e9", one), ("ab", two)], "character-count order"),
        "b-a": ([("b", one), ("a", two)], "two one-byte keys reversed"),
        "a-c-b": ([("a", one), ("c", two), ("b", one)], "the third key is out of order"),
        "a-empty": ([("a", one), ("", two)], "the empty key after 'a'"),
        "emoji-abc": ([("\U0001f600", one), ("abc", two)], "4-byte key before 3-byte key"),
    }
    for slug, (pairs, comment) in unsorted.items():
        data = b.raw_map([(b.tstr(k), v) for k, v in pairs])
        group.invalid(
            f"encoding/map-unsorted-{slug}",
            comment,
            ("ENC-010",),
            data,
            "unsorted-keys",
            flags=["KeyOrder"],
        )
    duplicates = {
        "same-value": [("a", one), ("a", one)],
        "other-value": [("a", one), ("a", two)],
        "after-others": [("a", one), ("b", one), ("b", two)],
        "empty-key": [("", one), ("", one)],
    }
    for slug, pairs in duplicates.items():
        data = b.raw_map([(b.tstr(k), v) for k, v in pairs])
        group.invalid(
            f"encoding/map-duplicate-{slug}",
            f"duplicate key, {slug.replace('-', ' ')}",
            ("ENC-011",),
            data,
            "duplicate-key",
            flags=["DuplicateKey"],
        )
    keys = {
        "uint": b.uint(1),
        "nint": b.nint(-1),
        "bstr": b.bstr(b"a"),
        "array": b.array([b.tstr("a")]),
        "map": b.canonical_map({"a": b.uint(1)}),
        "false": b.FALSE,
        "null": b.NULL,
    }
    for slug, key in keys.items():
        group.invalid(
            f"encoding/map-key-{slug}",
            f"a map key that is {slug}",
            ("ENC-009",),
            b.raw_map([(key, one)]),
            "non-text-key",
            flags=["NonTextKey"],
        )
    group.invalid(
        "encoding/map-key-uint-after-text",
        "an integer key after a text key",
        ("ENC-009",),
        b.raw_map([(b.tstr("a"), one), (b.uint(1), one)]),
        "non-text-key",
        flags=["NonTextKey"],
    )
    group.invalid(
        "encoding/map-count-non-shortest",
        "map of one pair with a 1-byte count",
        ("ENC-007.2",),
        b.raw_map([(b.tstr("a"), one)], 1),
        "non-shortest",
        flags=["NonShortest"],
    )
    group.invalid(
        "encoding/array-count-non-shortest",
        "array of 3 with a 2-byte count",
        ("ENC-007.2",),
        b.array([one, one, one], 2),
        "non-shortest",
        flags=["NonShortest"],
    )
    return group


def _nested(levels: int, container: str) -> tuple[object, bytes]:
    """``levels`` nested arrays/maps/alternating, innermost empty."""
    value: object = [] if container != "map" else {}
    data = b.array([]) if container != "map" else b.raw_map([])
    for level in range(1, levels):
        as_map = container == "map" or (container == "mixed" and level % 2 == 1)
        if as_map:
            value, data = {"a": value}, b.raw_map([(b.tstr("a"), data)])
        else:
            value, data = [value], b.array([data])
    return value, data


def _nesting() -> Group:
    group = Group(
        "nesting",
        "At most 32 nested arrays/maps on any path, the outermost included; strings do not count.",
        "value",
    )
    for container in ("array", "map", "mixed"):
        value, _ = _nested(32, container)
        group.valid(
            f"encoding/depth-32-{container}",
            f"32 nested {container} levels",
            ("ENC-012",),
            value,
            flags=["Nesting", "Boundary"],
        )
        _, deeper = _nested(33, container)
        group.invalid(
            f"encoding/depth-33-{container}",
            f"33 nested {container} levels",
            ("ENC-012",),
            deeper,
            "too-deep",
            flags=["Nesting", "Boundary"],
        )
    value, _ = _nested(31, "array")
    group.valid(
        "encoding/depth-32-with-string",
        "an array of 31 nested arrays and a text",
        ("ENC-012",),
        [value, "leaf"],
        flags=["Nesting", "Boundary"],
    )
    group.invalid(
        "encoding/depth-1000",
        "1000 nested arrays",
        ("ENC-012",),
        b.nest(1000, b.uint(0)),
        "too-deep",
        flags=["Nesting"],
    )
    group.invalid(
        "encoding/depth-33-in-second-item",
        "depth 33 reached in the second element",
        ("ENC-012",),
        b.array([b.uint(0), b.nest(32, b.uint(0))]),
        "too-deep",
        flags=["Nesting"],
    )
    return group


def _major7_and_tags() -> Group:
    group = Group(
        "major-types-6-and-7",
        "Tags, floats and simple values are outside the subset (only false, true, null); "
        "reserved additional information and stray breaks are malformed.",
        "value",
    )
    simple = {
        "simple-0": b"\xe0",
        "simple-19": b"\xf3",
        "simple-32": b"\xf8\x20",
        "false-two-byte-form": b"\xf8\x14",
        "null-two-byte-form": b"\xf8\x16",
    }
    for slug, data in simple.items():
        group.invalid(
            f"encoding/{slug}",
            f"simple value 0x{data.hex()}",
            ("ENC-004",),
            data,
            "forbidden-type",
            flags=["Simple"],
        )
    floats = {
        "float16-zero": b.float16(0),
        "float32-zero": b.float32(0.0),
        "float64-zero": b.float64(0.0),
        "float64-integral": b.float64(2.0),
        "float16-truncated": b"\xf9\x3c",
    }
    for slug, data in floats.items():
        group.invalid(
            f"encoding/{slug}",
            f"float 0x{data.hex()}",
            ("ENC-004",),
            data,
            "forbidden-type",
            flags=["Float"],
        )
    tags = {
        "tag-0-text": b.tag(0, b.tstr("2013-03-21T20:04:00Z")),
        "tag-self-describe": b.tag(55799, b.uint(0)),
        "tag-4-byte-number": b.tag(2**20, b.uint(0)),
        "tag-8-byte-number": b.tag(2**40, b.uint(0)),
        "tag-bignum-small": b.tag(2, b.bstr(b"\x01")),
        "tag-in-array": b.array([b.uint(1), b.tag(1, b.uint(0))]),
        "tag-as-map-value": b.raw_map([(b.tstr("a"), b.tag(32, b.tstr("x")))]),
    }
    for slug, data in tags.items():
        group.invalid(
            f"encoding/{slug}",
            f"tag: 0x{data.hex()}",
            ("ENC-003.1",),
            data,
            "forbidden-type",
            flags=["Tag"],
        )
    for major in range(8):
        for ai in (28, 29, 30):
            group.invalid(
                f"encoding/major-{major}-ai-{ai}",
                f"major type {major} with reserved additional information {ai}",
                ("ENC-005",),
                bytes([major << 5 | ai]) + b"\x00" * 8,
                "malformed",
                flags=["Reserved"],
            )
    malformed = {
        "tag-ai-31": (b"\xdf\x00", "major type 6 with AI 31"),
        "stray-break": (b.BREAK, "a break code as the data item"),
        "break-in-definite-array": (b"\x82\x01\xff", "a break inside a definite-length array"),
        "break-as-map-value": (b.raw_map([(b.tstr("a"), b.BREAK)]), "a break as a map value"),
    }
    for slug, (data, comment) in malformed.items():
        group.invalid(
            f"encoding/{slug}", comment, ("ENC-005",), data, "malformed", flags=["Reserved"]
        )
    indefinite = {
        "indefinite-bstr-empty": b.indefinite(2, []),
        "indefinite-tstr-empty": b.indefinite(3, []),
        "indefinite-array-in-map": b.raw_map([(b.tstr("a"), b.indefinite(4, [b.uint(1)]))]),
        "indefinite-map-empty": b.indefinite(5, []),
        "indefinite-bstr-unterminated": b"\x5f\x41\x00",
    }
    for slug, data in indefinite.items():
        group.invalid(
            f"encoding/{slug}",
            f"indefinite length: 0x{data.hex()}",
            ("ENC-006",),
            data,
            "indefinite-length",
            flags=["Indefinite"],
        )
    return group


def _framing() -> Group:
    group = Group(
        "framing",
        "Exactly one data item: an empty or cut-short input is truncated, bytes after the "
        "item are trailing; counts claiming more than the input holds are truncated.",
        "value",
    )
    group.invalid(
        "encoding/empty-input",
        "no bytes at all",
        ("ENC-002.1",),
        b"",
        "truncated",
        flags=["Truncated", "Empty"],
    )
    trailing = {
        "trailing-one-byte": (b"\x00\x00", "0 followed by one byte"),
        "trailing-many-bytes": (b"\x80" + bytes(16), "[] followed by 16 zero bytes"),
        "trailing-second-item": (b"\xa0\xa0", "{} followed by another {}"),
        "trailing-break": (b"\x80\xff", "[] followed by a break code"),
        "trailing-after-text": (b.tstr("a") + b"\x61", "text followed by a stray head"),
    }
    for slug, (data, comment) in trailing.items():
        group.invalid(
            f"encoding/{slug}", comment, ("ENC-001",), data, "trailing-bytes", flags=["Trailing"]
        )
    truncated = {
        "array-missing-item": (b"\x82\x00", "array claims 2 items, holds 1"),
        "map-missing-value": (b.head(5, 1) + b.tstr("a"), "map claims 1 pair, holds a key only"),
        "nested-array-cut": (b"\x81\x81\x81", "three array heads and nothing inside"),
        "map-in-array-cut": (b"\x82\xa1\x61\x61\x01", "array of 2 holding one map"),
    }
    for slug, (data, comment) in truncated.items():
        group.invalid(
            f"encoding/{slug}", comment, ("ENC-002.1",), data, "truncated", flags=["Truncated"]
        )
    claims = {
        "array-claims-2p32": (4, 2**32),
        "array-claims-2p63": (4, 2**63),
        "array-claims-2p64-1": (4, 2**64 - 1),
        "map-claims-2p32-1": (5, 2**32 - 1),
        "map-claims-2p63": (5, 2**63),
    }
    for slug, (major, claim) in claims.items():
        what = "array" if major == 4 else "map"
        group.invalid(
            f"encoding/{slug}",
            f"{what} claims {claim} entries, 2 bytes follow",
            ("ENC-002.1", "ENC-002.2"),
            b.head(major, claim) + b"\x00\x00",
            "truncated",
            flags=["Truncated", "HugeClaim"],
        )
    return group


def edge_groups() -> list[Group]:
    """The groups of the ``encoding`` suite beyond integers, strings and UTF-8."""
    return [_maps(), _nesting(), _major7_and_tags(), _framing(), precedence()]

"""The ``objects/tree`` suite: trees, their names and entries (OBJ-009 … OBJ-011)."""

from __future__ import annotations

from typing import Any

import blake3

from . import _build as b
from ._format import Group, Suite
from ._objects import fake_id, id_chain, with_fields

__all__ = ["suite"]

_ID = fake_id("tree entry")
_ONE: dict[str, Any] = {"type": "tree", "entries": {"a": _ID}}
_CHAIN_LENGTH = 20


def _name_clause(name: str) -> str:
    """The clause of OBJ-011 a bad tree name breaks, in the order the rules are checked."""
    if name in (".", ".."):
        return "OBJ-011.3"
    if name and ("/" in name or "\x00" in name):
        return "OBJ-011.2"
    return "OBJ-011.1"


def _tree(*names: str) -> dict[str, Any]:
    return {"type": "tree", "entries": {name: fake_id(f"tree/{name}") for name in names}}


def _raw_entries(names: list[str | bytes], oid: bytes = _ID) -> bytes:
    """Entries map with the names in exactly the given order (raw UTF-8 for ``bytes``)."""
    return b.raw_map([(b.tstr(name), b.bstr(oid)) for name in names])


def _valid() -> Group:
    group = Group("valid-trees", "Trees the reference accepts.", "object")
    group.valid("tree/one-entry", "one name", ("OBJ-009", "OBJ-010"), _ONE)
    orders = {
        "b-aa": ("b", "aa"),
        "ab-e-acute": ("ab", "\u00e9"),
        "e-acute-aaa": ("\u00e9", "aaa"),
        "abc-emoji": ("abc", "\U0001f600"),
        "mixed": ("b", "aa", "\u00e9", "ab", "aaa", "\U0001f600", "abcd", "z", "A"),
    }
    for slug, names in orders.items():
        flags = ["KeyOrder"] + ([] if all(n.isascii() for n in names) else ["Unicode"])
        group.valid(
            f"tree/order-{slug}",
            "names in canonical order: "
            + ", ".join(n.encode("unicode_escape").decode() for n in names),
            ("OBJ-009", "ENC-010"),
            _tree(*names),
            flags=flags,
        )
    group.valid(
        "tree/precomposed-and-combining",
        "'\\u00e9' and 'e\\u0301' are two names",
        ("OBJ-011.4", "ENC-008.2"),
        _tree("\u00e9", "e\u0301"),
        flags=["Normalization", "Unicode"],
    )
    group.valid(
        "tree/unicode-names",
        "CJK, Greek, emoji and a ZWJ sequence",
        ("OBJ-011.1",),
        _tree("\u65e5\u672c\u8a9e", "\u03a9", "\U0001f600", "\U0001f469\u200d\U0001f4bb"),
        flags=["Unicode"],
    )
    group.valid(
        "tree/dot-like-names",
        "names that only look special: '...', '.a', 'a.', ' '",
        ("OBJ-011.2", "OBJ-011.3"),
        _tree("...", ".a", "a.", " ", ".hidden", "\\", "a\\b"),
    )
    long_names = {
        "name-255-ascii": "a" * 255,
        "name-255-three-byte": "\u20ac" * 85,
        "name-255-four-byte": "\U0001f600" * 63 + "abc",
        "name-23-bytes": "n" * 23,
        "name-24-bytes": "n" * 24,
    }
    for slug, name in long_names.items():
        flags = ["Boundary"] + ([] if name.isascii() else ["Unicode"])
        group.valid(
            f"tree/{slug}",
            f"a name of {len(name.encode())} UTF-8 bytes ({len(name)} characters)",
            ("OBJ-011.1", "ENC-007.1"),
            _tree(name),
            flags=flags,
        )
    for count in (23, 24, 255, 256):
        numbered = [f"e{i:03d}" for i in range(count)]
        group.valid(
            f"tree/entries-{count}",
            f"{count} entries: a count-width boundary",
            ("OBJ-009", "ENC-007.1"),
            _tree(*numbered),
            flags=["Boundary"],
        )
    return group


def _chain() -> Group:
    group = Group(
        "id-chain",
        f"A chain of {_CHAIN_LENGTH} trees, each naming the one before "
        "by its id; the first names the empty blob.",
        "object",
    )
    leaf: bytes = blake3.blake3(b.encode({"type": "blob", "data": b""})).digest()
    for depth, tree in enumerate(id_chain(leaf, _CHAIN_LENGTH), start=1):
        group.valid(
            f"tree/chain-{depth:02d}",
            f"tree {depth} of the chain",
            ("OBJ-009", "ID-001"),
            tree,
            flags=["IdChain"],
        )
    return group


def _names() -> Group:
    group = Group(
        "invalid-names",
        "Names outside the grammar: 1..255 UTF-8 bytes, no '/' or NUL, not '.' or '..'.",
        "object",
    )
    bad = {
        "empty": "",
        "dot": ".",
        "dot-dot": "..",
        "slash": "/",
        "slash-inside": "a/b",
        "leading-slash": "/a",
        "trailing-slash": "a/",
        "nul": "\x00",
        "nul-inside": "a\x00b",
        "256-ascii": "a" * 256,
        "256-three-byte": "\u20ac" * 85 + "a",
        "256-four-byte": "\U0001f600" * 64,
    }
    for slug, name in bad.items():
        shown = name.encode("unicode_escape").decode()
        shown = shown if len(shown) <= 24 else shown[:24] + "..."
        group.invalid(
            f"tree/name-{slug}",
            f"tree name '{shown}' ({len(name.encode())} bytes)",
            (_name_clause(name),),
            b.encode(_tree(name)),
            "invalid-name",
            flags=["InvalidName"],
        )
    group.invalid(
        "tree/name-bad-after-good",
        "the second of two names is '..'",
        ("OBJ-011.3",),
        b.encode(_tree("a", "..")),
        "invalid-name",
        flags=["InvalidName"],
    )
    return group


def _entries() -> Group:
    group = Group(
        "invalid-entries", "Bad entries maps and ids; encoding violations inside.", "object"
    )
    group.invalid(
        "tree/empty",
        "no entries",
        ("OBJ-010",),
        with_fields(_ONE, {"entries": b.raw_map([])}),
        "invalid-object",
        flags=["Empty"],
    )
    group.invalid(
        "tree/entries-missing",
        "no entries field",
        ("OBJ-003.1", "OBJ-009"),
        with_fields(_ONE, drop=("entries",)),
        "invalid-object",
        flags=["MissingField"],
    )
    group.invalid(
        "tree/entries-null",
        "entries as null",
        ("OBJ-004.2",),
        with_fields(_ONE, {"entries": b.NULL}),
        "invalid-object",
        flags=["Null"],
    )
    for slug, raw in {
        "array": b.array([b.bstr(_ID)]),
        "text": b.tstr("a"),
        "bytes": b.bstr(_ID),
    }.items():
        group.invalid(
            f"tree/entries-{slug}",
            f"entries as {slug}",
            ("OBJ-009",),
            with_fields(_ONE, {"entries": raw}),
            "invalid-object",
            flags=["WrongType"],
        )
    ids = {
        "31-bytes": b.bstr(_ID[:31]),
        "33-bytes": b.bstr(_ID + b"\x00"),
        "empty": b.bstr(b""),
        "text": b.tstr(_ID.hex()),
        "int": b.uint(0),
        "null": b.NULL,
    }
    for slug, raw in ids.items():
        group.invalid(
            f"tree/entry-id-{slug}",
            f"entry id as {slug.replace('-', ' ')}",
            ("OBJ-005", "OBJ-009"),
            with_fields(_ONE, {"entries": b.canonical_map({"a": raw})}),
            "invalid-id",
            flags=["InvalidId"],
        )
    short = b.bstr(_ID[:31])
    good = b.bstr(_ID)
    for slug, what, pairs, error, clause in (
        ("bad-id-before-bad-name", "an entry's bad id before a later entry's bad name",
         [("a", short), ("b/c", good)], "invalid-id", "OBJ-005"),
        ("bad-name-before-bad-id", "an entry's bad name before a later entry's bad id",
         [("..", good), ("zzz", short)], "invalid-name", "OBJ-011.3"),
        ("name-before-its-id", "one entry with a bad name and a bad id: the name first",
         [("a/b", short)], "invalid-name", "OBJ-011.2"),
    ):  # fmt: skip
        group.invalid(
            f"tree/{slug}",
            what,
            ("OBJ-016.3", clause),
            with_fields(_ONE, {"entries": b.raw_map([(b.tstr(n), v) for n, v in pairs])}),
            error,
            flags=["Precedence"],
        )
    for slug in ("headers", "name"):
        group.invalid(
            f"tree/unknown-field-{slug}",
            f"a tree has no {slug!r} field",
            ("OBJ-003.3", "OBJ-009"),
            with_fields(_ONE, {slug: b.canonical_map({"a": b.tstr("b")})}),
            "invalid-object",
            flags=["UnknownField"],
        )
    group.invalid(
        "tree/unknown-field-before-bad-name",
        "unknown field and a name '..': OBJ-003 is checked before the fields",
        ("OBJ-003.3", "OBJ-016.2"),
        with_fields(_tree(".."), {"extra": b.uint(0)}),
        "invalid-object",
        flags=["UnknownField", "Precedence"],
    )
    encoding = {
        "names-code-point-order": (
            _raw_entries(["aa", "b"]),
            "unsorted-keys",
            "ENC-010",
            "KeyOrder",
        ),
        "names-character-count-order": (
            _raw_entries(["\u00e9", "ab"]),
            "unsorted-keys",
            "ENC-010",
            "KeyOrder",
        ),
        "names-duplicate": (_raw_entries(["a", "a"]), "duplicate-key", "ENC-011", "DuplicateKey"),
        "name-bytes": (
            b.raw_map([(b.bstr(b"a"), b.bstr(_ID))]),
            "non-text-key",
            "ENC-009",
            "NonTextKey",
        ),
        "name-invalid-utf8": (
            _raw_entries([b"\xe6\xb0"]),
            "invalid-utf8",
            "ENC-008.1",
            "InvalidUtf8",
        ),
        "name-surrogate": (
            _raw_entries([b"\xed\xa0\x80"]),
            "invalid-utf8",
            "ENC-008.1",
            "InvalidUtf8",
        ),
        "name-overlong-slash": (
            _raw_entries([b"\xc0\xaf"]),
            "invalid-utf8",
            "ENC-008.1",
            "InvalidUtf8",
        ),
        "entries-count-non-shortest": (
            b.canonical_map({"a": b.bstr(_ID)}, 1),
            "non-shortest",
            "ENC-007.2",
            "NonShortest",
        ),
        "entry-id-length-non-shortest": (
            b.canonical_map({"a": b.bstr(_ID, 2)}),
            "non-shortest",
            "ENC-007.2",
            "NonShortest",
        ),
        "entries-indefinite": (
            b.indefinite(5, [b.tstr("a"), b.bstr(_ID)]),
            "indefinite-length",
            "ENC-006",
            "Indefinite",
        ),
        "entry-id-tagged": (
            b.canonical_map({"a": b.tag(42, b.bstr(_ID))}),
            "forbidden-type",
            "ENC-003.1",
            "Tag",
        ),
        "entries-claims-2p32-1": (
            b.head(5, 2**32 - 1) + b.tstr("a"),
            "truncated",
            "ENC-002.1",
            "HugeClaim",
        ),
    }
    for slug, (raw, error, req, flag) in encoding.items():
        flags = [flag] + (["Truncated"] if error == "truncated" else [])
        group.invalid(
            f"tree/{slug}",
            slug.replace("-", " "),
            (req,),
            with_fields(_ONE, {"entries": raw}),
            error,
            flags=flags,
        )
    return group


def suite() -> Suite:
    """The ``objects/tree`` suite."""
    return Suite(
        "objects/tree",
        "Trees: non-empty maps of names to the ids of blobs and trees.",
        (_valid(), _chain(), _names(), _entries()),
    )

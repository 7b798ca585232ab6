"""The ``encoding`` suite: generic data items of the canonical CBOR subset (ENC-001 … ENC-016).

Kind ``value``: each valid vector decodes to a value and re-encodes to the same
bytes; each invalid one is rejected in the decode phase with the declared
class.  The RFC 8949 Appendix A examples come from :mod:`._appendix_a`; the
other groups probe each rule at its edges.
"""

from __future__ import annotations

from . import _build as b
from ._appendix_a import ADMITTED, REJECTED, SOURCE_NAME, SOURCE_URL
from ._encoding_edges import edge_groups
from ._format import Group, Source, Suite

__all__ = ["suite"]


def _appendix_flags(hex_item: str, error: str, requirement: str) -> tuple[str, ...]:
    if error == "non-text-key":
        return ("Rfc8949AppendixA", "NonTextKey")
    if error == "indefinite-length":
        return ("Rfc8949AppendixA", "Indefinite")
    if requirement == "ENC-003.1":
        return ("Rfc8949AppendixA", "Tag")
    if hex_item[:2] in ("f9", "fa", "fb"):
        return ("Rfc8949AppendixA", "Float")
    return ("Rfc8949AppendixA", "Simple")


def _appendix_groups() -> list[Group]:
    admitted = Group(
        "rfc8949-appendix-a-admitted",
        "RFC 8949 Appendix A examples that are in the canonical subset: they decode and "
        "re-encode to the same bytes.",
        "value",
    )
    for hex_item, diag, value, requirements in ADMITTED:
        flags = ["Rfc8949AppendixA"]
        if isinstance(value, str) and not value.isascii():
            flags.append("Unicode")
        admitted.valid(
            f"appendix-a/0x{hex_item}",
            f"RFC 8949 Appendix A: {diag}",
            requirements,
            value,
            flags=flags,
            data=bytes.fromhex(hex_item),
            diagnostic=diag,
        )
    rejected = Group(
        "rfc8949-appendix-a-rejected",
        "RFC 8949 Appendix A examples outside the subset: tags (bignums included), floats, "
        "simple values other than false/true/null, indefinite lengths, non-text map keys.",
        "value",
    )
    for hex_item, diag, error, requirement in REJECTED:
        rejected.invalid(
            f"appendix-a/0x{hex_item}",
            f"RFC 8949 Appendix A: {diag}",
            (requirement,),
            bytes.fromhex(hex_item),
            error,
            flags=_appendix_flags(hex_item, error, requirement),
        )
    return [admitted, rejected]


_WIDTHS = (1, 2, 4, 8)


def _integers() -> Group:
    group = Group(
        "integers",
        "Integers over the whole range of major types 0 and 1, at every argument width, "
        "and in every non-shortest form.",
        "value",
    )
    unsigned = (0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1)
    for value in unsigned:
        flags = ["Boundary"] if value else []
        group.valid(
            f"encoding/uint-{value}",
            f"unsigned {value}",
            # the largest integer: the encoder's range ends here, not before (ENC-003.2)
            ("ENC-007.1", "ENC-015", *(("ENC-003.2",) if value == 2**64 - 1 else ())),
            value,
            flags=flags,
        )
    for value in (-1, -24, -25, -256, -257, -65536, -65537, -(2**32), -(2**32) - 1, -(2**64)):
        group.valid(
            f"encoding/nint-{-value}",
            f"negative {value}",
            ("ENC-007.1", "ENC-015", *(("ENC-003.2",) if value == -(2**64) else ())),
            value,
            flags=["Boundary"],
        )
    shortest = {0: 0, 23: 0, 255: 1, 65535: 2, 2**32 - 1: 4}
    for value, width in shortest.items():
        for wider in (w for w in _WIDTHS if w > width):
            for sign, item in (("uint", b.uint(value, wider)), ("nint", b.nint(-1 - value, wider))):
                shown = value if sign == "uint" else -1 - value
                group.invalid(
                    f"encoding/non-shortest-{sign}-{abs(shown)}-in-{wider}-bytes",
                    f"{shown} with a {wider}-byte argument",
                    ("ENC-007.2",),
                    item,
                    "non-shortest",
                    flags=["NonShortest"],
                )
    group.invalid(
        "encoding/uint-ai-31",
        "major 0 with AI 31",
        ("ENC-005",),
        b"\x1f",
        "malformed",
        flags=["Reserved"],
    )
    group.invalid(
        "encoding/nint-ai-31",
        "major 1 with AI 31",
        ("ENC-005",),
        b"\x3f",
        "malformed",
        flags=["Reserved"],
    )
    for width in _WIDTHS:
        cut = b.uint(2**64 - 1 if width == 8 else (1 << (8 * width)) - 1, width)[:-1]
        group.invalid(
            f"encoding/uint-{width}-byte-argument-truncated",
            f"a {width}-byte argument missing its last byte",
            ("ENC-002.1",),
            cut,
            "truncated",
            flags=["Truncated"],
        )
    return group


def _strings() -> Group:
    group = Group(
        "strings",
        "Byte and text strings at length boundaries, non-shortest lengths, truncation and "
        "length claims far beyond the input.",
        "value",
    )
    for n in (0, 23, 24, 255, 256):
        flags = ["Boundary"] if n else ["Empty"]
        data = bytes(i % 256 for i in range(n))
        group.valid(
            f"encoding/bstr-{n}", f"byte string of {n} bytes", ("ENC-007.1",), data, flags=flags
        )
        group.valid(
            f"encoding/tstr-{n}",
            f"text string of {n} bytes",
            ("ENC-007.1", "ENC-008.1"),
            "a" * n,
            flags=flags,
        )
    for width in _WIDTHS:
        group.invalid(
            f"encoding/bstr-empty-length-in-{width}-bytes",
            f"empty byte string with a {width}-byte length",
            ("ENC-007.2",),
            b.bstr(b"", width),
            "non-shortest",
            flags=["NonShortest", "Empty"],
        )
    group.invalid(
        "encoding/tstr-1-length-in-1-byte",
        "text 'a' with a 1-byte length",
        ("ENC-007.2",),
        b.tstr("a", 1),
        "non-shortest",
        flags=["NonShortest"],
    )
    group.invalid(
        "encoding/tstr-24-length-in-2-bytes",
        "24-byte text with a 2-byte length",
        ("ENC-007.2",),
        b.tstr("a" * 24, 2),
        "non-shortest",
        flags=["NonShortest", "Boundary"],
    )
    group.invalid(
        "encoding/bstr-256-length-in-4-bytes",
        "256-byte string with a 4-byte length",
        ("ENC-007.2",),
        b.bstr(bytes(256), 4),
        "non-shortest",
        flags=["NonShortest", "Boundary"],
    )
    truncated = {
        "bstr-missing-content": (b"\x41", "byte string claims 1 byte, none follow"),
        "tstr-missing-last-byte": (b"\x63ab", "text claims 3 bytes, 2 follow"),
        "bstr-missing-length": (b"\x58", "1-byte length missing"),
        "tstr-missing-length": (b"\x79\x01", "2-byte length cut after 1 byte"),
        "tstr-cut-inside-utf8": (b"\x62\xc3", "text claims 2 bytes, ends after a lead byte"),
    }
    for slug, (data, comment) in truncated.items():
        group.invalid(
            f"encoding/{slug}", comment, ("ENC-002.1",), data, "truncated", flags=["Truncated"]
        )
    claims = {
        "bstr-claims-2p32": (2, 2**32, b"abc"),
        "bstr-claims-2p63": (2, 2**63, b"abc"),
        "bstr-claims-2p64-1": (2, 2**64 - 1, b""),
        "bstr-claims-2p32-1": (2, 2**32 - 1, b"abc"),
        "tstr-claims-2p63": (3, 2**63, b"abc"),
        "tstr-claims-2p32": (3, 2**32, b""),
    }
    for slug, (major, claim, tail) in claims.items():
        kind = "byte" if major == 2 else "text"
        group.invalid(
            f"encoding/{slug}",
            f"{kind} string claims {claim} bytes, {len(tail)} follow",
            ("ENC-002.1", "ENC-002.2"),
            b.head(major, claim) + tail,
            "truncated",
            flags=["Truncated", "HugeClaim"],
        )
    return group


def _utf8() -> Group:
    group = Group(
        "utf8",
        "Valid UTF-8 at every sequence length and code-point boundary, and each kind of "
        "ill-formed sequence (overlong, surrogate, truncated, out of range, stray byte).",
        "value",
    )
    valid = {
        "nul": "\x00",
        "u007f": "\x7f",
        "u0080": "\x80",
        "u07ff": "\u07ff",
        "u0800": "\u0800",
        "uffff": "\uffff",
        "bom": "\ufeff",
        "u10000": "\U00010000",
        "u10ffff": "\U0010ffff",
        "emoji": "\U0001f600",
        "precomposed-e-acute": "\u00e9",
        "combining-e-acute": "e\u0301",
    }
    for slug, text in valid.items():
        flags = ["Unicode"] if not text.isascii() else ["Boundary"]
        if "acute" in slug:
            flags.append("Normalization")
        group.valid(
            f"encoding/utf8-{slug}",
            f"text {text.encode('unicode_escape').decode()}",
            ("ENC-008.1", "ENC-008.2"),
            text,
            flags=flags,
        )
    invalid = {
        "overlong-nul": (b"\xc0\x80", "overlong 2-byte NUL (modified UTF-8)"),
        "overlong-slash": (b"\xc0\xaf", "overlong 2-byte '/'"),
        "overlong-3-byte": (b"\xe0\x80\xaf", "overlong 3-byte '/'"),
        "overlong-4-byte": (b"\xf0\x80\x80\xaf", "overlong 4-byte '/'"),
        "high-surrogate": (b"\xed\xa0\x80", "encoded U+D800"),
        "low-surrogate": (b"\xed\xbf\xbf", "encoded U+DFFF"),
        "surrogate-pair-cesu8": (b"\xed\xa0\xbd\xed\xb8\x80", "CESU-8 surrogate pair"),
        "truncated-2-byte": (b"a\xc3", "2-byte sequence missing its continuation"),
        "truncated-3-byte": (b"\xe6\xb0", "3-byte sequence cut after 2 bytes"),
        "truncated-4-byte": (b"\xf0\x90\x85", "4-byte sequence cut after 3 bytes"),
        "lone-continuation": (b"\x80", "continuation byte without a lead byte"),
        "above-u10ffff": (b"\xf4\x90\x80\x80", "code point U+110000"),
        "byte-f5": (b"\xf5\x80\x80\x80", "lead byte 0xf5"),
        "byte-fe": (b"\xfe", "byte 0xfe"),
        "byte-ff": (b"\xff", "byte 0xff"),
        "bad-in-middle": (b"ab\xc3(cd", "a lead byte followed by an ASCII byte"),
    }
    for slug, (raw, comment) in invalid.items():
        group.invalid(
            f"encoding/utf8-{slug}",
            comment,
            ("ENC-008.1",),
            b.tstr(raw),
            "invalid-utf8",
            flags=["InvalidUtf8"],
        )
    return group


def suite() -> Suite:
    """The ``encoding`` suite."""
    return Suite(
        "encoding",
        "Generic data items of the canonical CBOR subset: the RFC 8949 Appendix A examples "
        "and each encoding rule at its edges.",
        (*_appendix_groups(), _integers(), _strings(), _utf8(), *edge_groups()),
        sources=(
            Source(
                SOURCE_NAME,
                SOURCE_URL,
                "The hex examples of Appendix A, as collected in "
                "https://github.com/cbor/test-vectors (appendix_a.json), with the verdict of the "
                "subset for each.",
                "IETF Trust (RFC text; examples reproduced as test data)",
            ),
        ),
    )

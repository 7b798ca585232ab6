"""The ``precedence`` group of the ``encoding`` suite (ENC-016).

Each input holds two violations; the vector declares which one a single
left-to-right pass meets first, and so which error class is reported.
"""

from __future__ import annotations

from . import _build as b
from ._format import Group

__all__ = ["precedence"]


def precedence() -> Group:
    """Inputs with two violations and the one reported."""
    group = Group(
        "precedence",
        "Inputs with two violations: one left-to-right pass reports the first (ENC-016).",
        "value",
    )
    one, half = b.uint(1), b.float16(0x3C00)
    bad_utf8, tagged = b.tstr(b"\xc0\x80"), b.tag(0, one)
    cases = {
        "non-shortest-before-float": (
            b.array([b.uint(0, 1), half]),
            "non-shortest",
            "ENC-007.2",
            "[0 in a 1-byte argument, 1.0]: the non-shortest integer comes first",
        ),
        "float-before-non-shortest": (
            b.array([half, b.uint(0, 1)]),
            "forbidden-type",
            "ENC-004",
            "[1.0, 0 in a 1-byte argument]: the float comes first",
        ),
        "utf8-before-tag": (
            b.array([bad_utf8, tagged]),
            "invalid-utf8",
            "ENC-008.1",
            "[overlong UTF-8 text, tag 0]: the bad text comes first",
        ),
        "tag-before-utf8": (
            b.array([tagged, bad_utf8]),
            "forbidden-type",
            "ENC-003.1",
            "[tag 0, overlong UTF-8 text]: the tag comes first",
        ),
        "unsorted-before-duplicate": (
            b.raw_map([(b.tstr("b"), one), (b.tstr("a"), one), (b.tstr("a"), one)]),
            "unsorted-keys",
            "ENC-010",
            "keys b, a, a: 'a' after 'b' is out of order before it is repeated",
        ),
        "duplicate-before-unsorted": (
            b.raw_map([(b.tstr("a"), one), (b.tstr("a"), one), (b.tstr(""), one)]),
            "duplicate-key",
            "ENC-011",
            "keys a, a, '': the repeated 'a' comes before the misplaced ''",
        ),
        "non-text-key-before-indefinite": (
            b.raw_map([(one, b.indefinite(4, []))]),
            "non-text-key",
            "ENC-009",
            "{1: [_ ]}: the integer key comes before the indefinite value",
        ),
        "item-error-before-trailing": (
            b.uint(0, 1) + b"\x00",
            "non-shortest",
            "ENC-007.2",
            "a non-shortest 0 followed by a trailing byte: the item's error comes first",
        ),
        "non-shortest-before-truncated": (
            b"\x82\x18\x00",
            "non-shortest",
            "ENC-007.2",
            "an array of 2 holding a non-shortest 0 and then nothing",
        ),
        "too-deep-before-truncated": (
            b.nest(33, b""),
            "too-deep",
            "ENC-012",
            "33 array heads with nothing inside: the 33rd level comes before the missing item",
        ),
        "indefinite-before-unsorted": (
            b.raw_map([(b.tstr("b"), b.indefinite(2, [])), (b.tstr("a"), one)]),
            "indefinite-length",
            "ENC-006",
            "{'b': (_ ), 'a': 1}: the indefinite value comes before the misplaced key",
        ),
        "unsorted-before-tag": (
            b.raw_map([(b.tstr("b"), one), (b.tstr("a"), tagged)]),
            "unsorted-keys",
            "ENC-010",
            "{'b': 1, 'a': 0(1)}: the misplaced key comes before its tagged value",
        ),
    }
    for slug, (data, error, requirement, comment) in cases.items():
        group.invalid(
            f"encoding/{slug}",
            comment,
            ("ENC-016", requirement),
            data,
            error,
            flags=["Precedence"],
        )
    return group

"""Input classes where implementations differ: text classes and orders of names.

Shared by the suite's tests: a wrong implementation usually works on the
ASCII input of a worked example and breaks on another *class* of input.  This module
names those classes once, each both as a plain list of samples (for ``parametrize``
and for fixed cases) and as a hypothesis strategy (for ``@given``).

Text classes (:data:`TEXT_CLASSES`), every sample a Python ``str``:

``ascii``
    printable and control ASCII, U+0001–U+007F (no NUL: that is its own class);
``mixed-case``
    letters in both cases, ASCII and not (``"aB"``, ``"Éé"``, ``"ΣσΣ"``);
``bmp``
    at least one non-ASCII code point of the BMP, U+0080–U+FFFF without the
    surrogates, *including* U+E000–U+FFFF (private use, U+FEFF, U+FFFD, U+FFFF) —
    there UTF-16 code-unit order and UTF-8 byte order disagree with astral text;
``astral``
    at least one code point above U+FFFF (UTF-8: 4 bytes, UTF-16: a surrogate pair);
``lone-surrogate``
    at least one unpaired surrogate U+D800–U+DFFF (never a high surrogate directly
    followed by a low one, which JSON would read back as a pair): *not* valid text;
``nul``
    at least one U+0000;
``empty``
    the empty string only.

All classes but ``lone-surrogate`` are valid Unicode text (:func:`is_valid_text`).

Orders (:data:`ORDER_RULES`): a rule is a sort key over ``str``.  ``canonical`` is the
order of ENC-010 (UTF-8 length first, then UTF-8 bytes, i.e. the bytewise order of
the CBOR encodings); ``utf8`` is plain UTF-8 byte order (that of ref listings and of
directory listings inside the sandbox, SBX-005.13; tree entries themselves are map keys
and follow ``canonical``, whichever the clause says); the others are the plausible wrong rules
(UTF-16 code units as JavaScript/Java/C# sort, case-insensitive, length-first
counting code points or UTF-16 units, signed bytes as C ``char`` compares them).
Note ``codepoint`` and ``utf8`` never disagree (UTF-8 preserves code-point order);
the rule is listed for completeness and :func:`separating_pair` returns ``None``
for that pair.

API (stable):

- :data:`TEXT_CLASSES`, :data:`TEXT_SAMPLES`, :func:`samples`, :func:`all_samples`
- :func:`text_strategy`, :func:`texts`, :data:`VALID_CLASSES`
- :func:`is_valid_text`, :func:`is_valid_name`, :func:`utf8_len`
- :data:`ORDER_RULES`, :func:`wrong_rules`, :func:`sort_by`, :func:`orders_differ`
- :func:`separating_pair`, :func:`separating_sets`, :func:`name_sets`
- :func:`is_text_id`, :func:`bad_text_ids`, :func:`bad_text_id_strategy` (ID-003)
- :func:`is_lower_hex`, :func:`bad_hex`, :func:`bad_hex_strategy` (ADP-004.5)

Near misses of a text-form id (ID-003) and of lowercase hex (ADP-004.5) are classes
too: a trailing newline (``$`` of a regular expression matches before it), other
whitespace (``bytes.fromhex`` and ``int(…, 16)`` skip it), upper case (stock hex
decoders take it), non-ASCII digits (``\\d``, ``str.isdigit``), a ``0x`` prefix, one
digit too few or too many, and the empty string.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "BAD_ID_KINDS",
    "ORDER_RULES",
    "TEXT_CLASSES",
    "TEXT_SAMPLES",
    "VALID_CLASSES",
    "all_samples",
    "bad_hex",
    "bad_hex_strategy",
    "bad_text_id_strategy",
    "bad_text_ids",
    "is_lower_hex",
    "is_text_id",
    "is_valid_name",
    "is_valid_text",
    "name_sets",
    "orders_differ",
    "samples",
    "separating_pair",
    "separating_sets",
    "sort_by",
    "text_strategy",
    "texts",
    "utf8_len",
    "wrong_rules",
]

# --------------------------------------------------------------------------- text classes

#: The names of the text classes, in a fixed order.
TEXT_CLASSES: tuple[str, ...] = (
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "lone-surrogate",
    "nul",
    "empty",
)
#: The classes whose samples are valid Unicode text (all but ``lone-surrogate``).
VALID_CLASSES: tuple[str, ...] = tuple(c for c in TEXT_CLASSES if c != "lone-surrogate")

#: Plain samples of each class (distinct within a class; a few short, a few long).
TEXT_SAMPLES: dict[str, tuple[str, ...]] = {
    "ascii": ("a", "z", "b", "aa", "A", "Z", "0", "~", "\x7f", "\x01", " x", "hello world", "a/b"),
    "mixed-case": ("aB", "Ab", "AB", "ab", "Éé", "éÉ", "ΣσΣ", "Straße", "STRASSE", "İi", "ǅx"),
    "bmp": (
        "é",
        "\u00ff",
        "\u0100",
        "\u07ff",
        "\u0800",
        "中文",
        "\ud7ff",
        "\ue000",
        "\uf8ff",
        "\ufeff",
        "\ufffd",
        "\uffff",
        "a\uffff",
        "\uffffa",
        "\ue000\ue000",
    ),
    "astral": (
        "\U00010000",
        "\U0001f600",
        "\U0010ffff",
        "a\U00010000",
        "\U00010000a",
        "\U0001f600\U0001f601",
        "𝄞",
    ),
    "lone-surrogate": (
        "\ud800",
        "\udfff",
        "\udc00",
        "a\ud800",
        "\udbffb",
        "\udc00\ud800",
        "é\udd1e",
    ),
    "nul": ("\x00", "a\x00", "\x00a", "\x00\x00", "é\x00\U00010000"),
    "empty": ("",),
}


def samples(*classes: str) -> list[str]:
    """The plain samples of the given classes (all valid classes when none are named)."""
    chosen = classes or VALID_CLASSES
    out: list[str] = []
    for cls in chosen:
        for s in TEXT_SAMPLES[cls]:
            if s not in out:
                out.append(s)
    return out


def all_samples() -> list[str]:
    """The samples of every class, the invalid ``lone-surrogate`` ones included."""
    return samples(*TEXT_CLASSES)


def is_valid_text(s: str) -> bool:
    """Whether ``s`` is valid Unicode text (encodes to UTF-8: no lone surrogate)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def utf8_len(s: str) -> int:
    """The UTF-8 length of ``s`` in bytes (surrogates counted as 3, as WTF-8 does)."""
    return len(s.encode("utf-8", "surrogatepass"))


def is_valid_name(s: str) -> bool:
    """Whether ``s`` is a valid tree entry name (OBJ rules: non-empty, not ``.``/``..``,
    no ``/`` or NUL, at most 255 UTF-8 bytes, valid text)."""
    return (
        s not in ("", ".", "..")
        and "/" not in s
        and "\x00" not in s
        and is_valid_text(s)
        and utf8_len(s) <= 255
    )


_E000 = st.characters(min_codepoint=0xE000, max_codepoint=0xFFFF)
_BMP = st.characters(min_codepoint=0x80, max_codepoint=0xFFFF, exclude_categories=["Cs"])
_ASTRAL = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF)
_ASCII = st.characters(min_codepoint=0x01, max_codepoint=0x7F)
_ANY_VALID = st.characters(min_codepoint=0x01, exclude_categories=["Cs"])
_SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
_CASED = st.sampled_from("aAbBzZéÉßσΣςİıǅǄǆ") | st.characters(categories=["Lu", "Ll", "Lt"])


def _with(needed: st.SearchStrategy[str], filler: st.SearchStrategy[str], max_size: int) -> Any:
    """Text of ``filler`` characters with at least one ``needed`` character inserted."""
    return st.tuples(
        st.text(filler, max_size=max(0, max_size - 1)), needed, st.integers(0, max_size)
    ).map(lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :])


def _no_pair(s: str) -> str:
    """Break every high-low surrogate pair so each surrogate of ``s`` stays lone."""
    out: list[str] = []
    for ch in s:
        if out and 0xD800 <= ord(out[-1]) <= 0xDBFF and 0xDC00 <= ord(ch) <= 0xDFFF:
            out.append("x")
        out.append(ch)
    return "".join(out)


def text_strategy(cls: str, max_size: int = 12) -> st.SearchStrategy[str]:
    """A hypothesis strategy for one text class (see the module docstring).

    Non-empty classes produce at most ``max_size`` code points (``lone-surrogate``
    may add one to break a pair) and always hold at least one character of the class;
    the samples of :data:`TEXT_SAMPLES` are mixed in so that they are tried early.
    """
    if cls not in TEXT_SAMPLES:
        raise ValueError(f"unknown text class {cls!r}; one of {TEXT_CLASSES}")
    fixed = st.sampled_from(TEXT_SAMPLES[cls])
    size = max(1, max_size)
    drawn: st.SearchStrategy[str]
    if cls == "empty":
        return st.just("")
    if cls == "ascii":
        drawn = st.text(_ASCII, min_size=1, max_size=size)
    elif cls == "mixed-case":
        drawn = st.text(_CASED, min_size=1, max_size=size).filter(
            lambda s: s != s.lower() or s != s.upper()
        )
    elif cls == "bmp":
        drawn = _with(_E000 | _BMP, _ANY_VALID, size)
    elif cls == "astral":
        drawn = _with(_ASTRAL, _ANY_VALID, size)
    elif cls == "lone-surrogate":
        drawn = _with(_SURROGATE, _ANY_VALID | _SURROGATE, size).map(_no_pair)
    else:  # nul
        drawn = _with(st.just("\x00"), _ANY_VALID | st.just("\x00"), size)
    return fixed | drawn


def texts(
    *classes: str,
    max_size: int = 12,
    where: Callable[[str], bool] | None = None,
) -> st.SearchStrategy[str]:
    """Text of any of ``classes`` (all valid classes when none are named), optionally
    restricted by the predicate ``where`` (e.g. :func:`is_valid_name`)."""
    chosen = classes or VALID_CLASSES
    strategy = st.one_of(*(text_strategy(c, max_size) for c in chosen))
    return strategy.filter(where) if where is not None else strategy


# --------------------------------------------------------------------------- orders


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogatepass")


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def _signed(s: str) -> tuple[int, ...]:
    return tuple(b - 256 if b >= 128 else b for b in _utf8(s))


def _fold(s: str) -> tuple[bytes, bytes]:
    return (_utf8(s.casefold()), _utf8(s))


#: Sort keys by name.  ``canonical`` is ENC-010's order; ``utf8`` plain byte order.
ORDER_RULES: dict[str, Callable[[str], Any]] = {
    "canonical": lambda s: (utf8_len(s), _utf8(s)),
    "utf8": _utf8,
    "codepoint": lambda s: tuple(map(ord, s)),
    "utf16": _utf16,
    "casefold": _fold,
    "signed-bytes": _signed,
    "length-first-codepoints": lambda s: (len(s), _utf8(s)),
    "length-first-utf16": lambda s: (len(_utf16(s)), _utf16(s)),
    "canonical-utf16": lambda s: (utf8_len(s), _utf16(s)),
    "canonical-casefold": lambda s: (utf8_len(s), _fold(s)),
    "canonical-signed-bytes": lambda s: (utf8_len(s), _signed(s)),
}


def wrong_rules(right: str) -> tuple[str, ...]:
    """The rules of :data:`ORDER_RULES` other than ``right``, that can be told apart from it."""
    return tuple(r for r in ORDER_RULES if r != right and separating_pair(right, r) is not None)


def sort_by(rule: str, names: Iterable[str]) -> list[str]:
    """``names`` sorted by the rule named ``rule`` (a key of :data:`ORDER_RULES`)."""
    return sorted(names, key=ORDER_RULES[rule])


def orders_differ(names: Iterable[str], rule_a: str, rule_b: str) -> bool:
    """Whether ``names`` sort differently under the two rules."""
    items = list(names)
    return sort_by(rule_a, items) != sort_by(rule_b, items)


def _pool(where: Callable[[str], bool] | None, valid_only: bool) -> list[str]:
    base = samples() if valid_only else all_samples()
    return [s for s in base if where is None or where(s)]


@functools.cache
def _pair_cached(
    rule_a: str, rule_b: str, where: Callable[[str], bool] | None, valid_only: bool
) -> tuple[str, str] | None:
    key_a, key_b = ORDER_RULES[rule_a], ORDER_RULES[rule_b]
    pool = _pool(where, valid_only)
    # Prefer pairs of short strings: they read best in a failure message.
    for x, y in sorted(itertools.combinations(pool, 2), key=lambda p: utf8_len(p[0] + p[1])):
        if (key_a(x) < key_a(y)) != (key_b(x) < key_b(y)) and key_a(x) != key_a(y):
            return (x, y) if key_a(x) < key_a(y) else (y, x)
    return None


def separating_pair(
    rule_a: str,
    rule_b: str,
    *,
    where: Callable[[str], bool] | None = None,
    valid_only: bool = True,
) -> tuple[str, str] | None:
    """Two sample strings, in ``rule_a``'s order, that ``rule_b`` orders the other way
    (or ties); ``None`` when no sample pair tells the rules apart.  ``where`` restricts
    the samples (pass a module-level function, it is a cache key)."""
    return _pair_cached(rule_a, rule_b, where, valid_only)


def separating_sets(
    right: str = "canonical",
    wrong: Sequence[str] | None = None,
    *,
    where: Callable[[str], bool] | None = None,
    valid_only: bool = True,
) -> list[list[str]]:
    """Small sets of distinct names, each in ``right``'s order, such that for every rule
    in ``wrong`` (default: every other rule) at least one set sorts differently under it.

    One set per wrong rule (duplicates dropped), plus one set holding every sample
    that ``where`` admits, in ``right``'s order.
    """
    rules = wrong_rules(right) if wrong is None else tuple(wrong)
    out: list[list[str]] = []
    for rule in rules:
        pair = separating_pair(right, rule, where=where, valid_only=valid_only)
        if pair is not None and list(pair) not in out:
            out.append(list(pair))
    everything = sort_by(right, _pool(where, valid_only))
    if len(everything) > 1:
        out.append(everything)
    return out


def name_sets(
    right: str = "canonical",
    wrong: Sequence[str] | None = None,
    *,
    classes: Sequence[str] = (),
    where: Callable[[str], bool] | None = None,
    max_size: int = 8,
    max_len: int = 6,
) -> st.SearchStrategy[list[str]]:
    """A strategy for lists of distinct names (in no particular order) that sort
    differently under ``right`` and under at least one rule of ``wrong`` (default:
    every other rule that can differ from it).

    Each list is drawn names of ``classes`` (default: every valid class) filtered by
    ``where``, plus one :func:`separating_pair` for a wrong rule chosen by hypothesis:
    since the pair's relative order differs, the whole list's order does too.  The
    list is shuffled, so sort it yourself by :func:`sort_by` to get the expected order.
    """
    rules = wrong_rules(right) if wrong is None else tuple(wrong)
    valid_only = "lone-surrogate" not in classes
    pairs = [
        p
        for r in rules
        if (p := separating_pair(right, r, where=where, valid_only=valid_only)) is not None
    ]
    if not pairs:
        raise ValueError(f"no sample pair tells {right!r} from {rules!r}")
    extra = st.lists(texts(*classes, max_size=max_len, where=where), max_size=max(0, max_size - 2))

    def build(t: tuple[tuple[str, str], list[str]]) -> list[str]:
        pair, more = t
        out: list[str] = []
        for s in (*pair, *more):
            if s not in out:
                out.append(s)
        return out

    return st.tuples(st.sampled_from(pairs), extra).map(build).flatmap(st.permutations)


# --------------------------------------------------------------------------- near-miss ids and hex

_TEXT_ID = re.compile(r"[0-9a-f]{64}")
_LOWER_HEX = re.compile(r"(?:[0-9a-f]{2})*")


def is_text_id(s: str) -> bool:
    """ID-003: exactly 64 lowercase hex digits, nothing else (no trailing newline)."""
    return _TEXT_ID.fullmatch(s) is not None


def is_lower_hex(s: str) -> bool:
    """ADP-004.5: an even number of lowercase hex digits (the empty string included)."""
    return _LOWER_HEX.fullmatch(s) is not None


def _upper_one(s: str) -> str:
    for i in range(len(s) - 1, -1, -1):
        if s[i] in "abcdef":
            return s[:i] + s[i].upper() + s[i + 1 :]
    return s[:-1] + "A" if s else "A"


#: The kinds of near miss :func:`bad_text_ids` and :func:`bad_hex` make, in order.
BAD_ID_KINDS: tuple[str, ...] = (
    "trailing-newline",
    "trailing-crlf",
    "leading-newline",
    "trailing-space",
    "leading-space",
    "inner-space",
    "trailing-tab",
    "trailing-nul",
    "trailing-nbsp",
    "trailing-line-separator",
    "upper-case",
    "one-upper-digit",
    "fullwidth-digit",
    "arabic-indic-digit",
    "0x-prefix",
    "one-short",
    "one-long",
    "two-long",
    "doubled",
    "empty",
)


def _near_misses(valid: str) -> dict[str, str]:
    half = len(valid) // 2 // 2 * 2
    return {
        "trailing-newline": valid + "\n",
        "trailing-crlf": valid + "\r\n",
        "leading-newline": "\n" + valid,
        "trailing-space": valid + " ",
        "leading-space": " " + valid,
        "inner-space": valid[:half] + " " + valid[half:],
        "trailing-tab": valid + "\t",
        "trailing-nul": valid + "\x00",
        "trailing-nbsp": valid + "\u00a0",
        "trailing-line-separator": valid + "\u2028",
        "upper-case": valid.upper() if valid.upper() != valid else "AB" + valid[2:],
        "one-upper-digit": _upper_one(valid),
        "fullwidth-digit": "\uff10" + valid[1:] if valid else "\uff10\uff10",
        "arabic-indic-digit": "\u0660" + valid[1:] if valid else "\u0660\u0660",
        "0x-prefix": "0x" + valid[2:] if len(valid) >= 2 else "0x" + valid,
        "one-short": valid[:-1],
        "one-long": valid + "0",
        "two-long": valid + "00",
        "doubled": valid + valid,
        "empty": "",
    }


def bad_text_ids(valid: str = "ab" * 32) -> dict[str, str]:
    """Near misses of the text-form id ``valid`` by kind (:data:`BAD_ID_KINDS`): none is
    a text-form id (``doubled`` and ``empty`` included), all as long as ``valid`` ± a few."""
    if not is_text_id(valid):
        raise ValueError(f"not a text-form id: {valid!r}")
    out = _near_misses(valid)
    assert not any(is_text_id(v) for v in out.values())
    return out


def bad_hex(valid: str = "00ff") -> dict[str, str]:
    """Near misses of the lowercase hex string ``valid`` (non-empty, with a digit a-f
    preferred), by kind: none is lowercase hex.  ``one-long`` is odd-length; ``two-long``
    and ``doubled`` stay valid hex, so they are left out, and so is ``empty`` (valid)."""
    if not valid or not is_lower_hex(valid):
        raise ValueError(f"not non-empty lowercase hex: {valid!r}")
    out = {k: v for k, v in _near_misses(valid).items() if not is_lower_hex(v)}
    return out


def bad_text_id_strategy(ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Strings that are not text-form ids but come close: a near miss (:func:`bad_text_ids`)
    of a drawn id, or a drawn id with one character of any text class inserted or replaced."""
    base = ids if ids is not None else st.binary(min_size=32, max_size=32).map(bytes.hex)
    near = base.flatmap(lambda v: st.sampled_from(sorted(bad_text_ids(v).values())))
    edit = st.tuples(base, st.integers(0, 64), texts(max_size=2), st.booleans()).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + (1 if t[3] else 0) :]
    )
    return (near | edit).filter(lambda s: not is_text_id(s))


def bad_hex_strategy(max_bytes: int = 8) -> st.SearchStrategy[str]:
    """Strings that are not lowercase hex but come close (see :func:`bad_hex`)."""
    base = st.binary(min_size=1, max_size=max_bytes).map(bytes.hex)
    near = base.flatmap(lambda v: st.sampled_from(sorted(bad_hex(v).values())))
    edit = st.tuples(base, st.integers(0, 2 * max_bytes), texts(max_size=2)).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
    )
    return (near | edit).filter(lambda s: not is_lower_hex(s))

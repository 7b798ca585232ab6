"""Diagnosis, not only difference: which rule an implementation's bytes break (ADP-020.9).

A wrong encoding fails hundreds of tests whose checks see only its consequences: ids
that differ (ID-001), answers the implementation's own decoder then refuses, a step id
four objects above the wrong map.  :func:`diagnose` compares an encoding that came from
the implementation with the expected one: it says in words where the two first part
(read leniently, :mod:`._tokens`) and reads the bytes that came with the reference's
strict decoder, which names the first encoding rule they break (``unsorted-keys at byte
7 (ENC-010)``); for keys out of order it also says in which order they came (as plain
strings, as UTF-16 code units) against the canonical one.

:class:`Diagnosis` is what a failure's report entry carries (``diagnosis``: the rule and
the words), and what the triage ranks and groups failures by.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import gritwit as g

from ._tokens import Token, describe, map_keys, read_tokens

__all__ = ["Diagnosis", "diagnose", "key_order", "read_bytes", "strict_error"]

#: Longest words of one diagnosis, in characters.
WORDS: Final = 600


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnosis:
    """Why an implementation's answer differs: the rule it breaks, said in words."""

    #: The requirement ID broken (``ENC-010``), or None when no rule can be named (the
    #: bytes are canonical: another value was encoded).
    rule: str | None
    #: The first difference and the rule, in a sentence or two.
    words: str
    #: Where the diagnosis comes from: ``bytes`` (bytes that came, against the expected
    #: ones), ``answer`` (an answer the implementation gave in the test, read or compared
    #: with the reference's), ``message`` (the test's own failure message), ``encoder``
    #: (the implementation's encoder, probed once after the run).
    source: str = "bytes"

    def line(self) -> str:
        """One line for a failure message: ``diagnosis (ENC-010): …``."""
        return f"diagnosis ({self.rule or 'no rule named'}): {self.words}"

    def as_json(self) -> dict[str, Any]:
        """The report entry's ``diagnosis`` (``gritwit-report/3``)."""
        return {"rule": self.rule, "words": self.words, "source": self.source}


def strict_error(data: bytes, *, as_object: bool) -> g.GritError | None:
    """The first error the reference's strict decoder finds in ``data`` (as a value, then
    as an object when ``as_object``), or None."""
    readers = (g.decode_value, g.decode_object) if as_object else (g.decode_value,)
    for read in readers:
        try:
            read(data)
        except g.GritError as exc:
            return exc
        except (ValueError, TypeError, RecursionError):  # a reader's own limit: no rule
            return None
    return None


def _is_object(data: bytes) -> bool:
    try:
        g.decode_object(data)
    except (g.GritError, ValueError, TypeError, RecursionError):
        return False
    return True


def _canonical_order(keys: list[str]) -> list[str]:
    """ENC-010: by the keys' encodings, so shorter UTF-8 first, then bytewise."""
    encoded = {k: k.encode("utf-8", "surrogatepass") for k in keys}
    return sorted(keys, key=lambda k: (len(encoded[k]), encoded[k]))


def key_order(keys: list[str]) -> str:
    """Which order ``keys`` are in, in words: the order an implementation sorted them by.

    Every phrase for a sort with no length rule starts ``sorted as plain strings``, so
    that the triage groups one bug's failures whatever keys each test had.
    """
    if keys == _canonical_order(keys):
        return "in canonical order"
    by_points = keys == sorted(keys)
    by_units = keys == sorted(keys, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
    if by_points and by_units:
        return (
            "sorted as plain strings (code points and UTF-16 code units agree on these), "
            "with no length rule"
        )
    if by_points:
        return "sorted as plain strings by code point, with no length rule"
    if by_units:
        return (
            "sorted as plain strings by UTF-16 code units (JavaScript's `<`), with no length rule"
        )
    if keys == sorted(keys, key=lambda k: (len(k), k)):
        return "sorted as strings by their length in characters, not in UTF-8 bytes"
    return "in no order the diagnosis knows (insertion order?)"


def _quoted(keys: list[str], limit: int = 6) -> str:
    shown = ", ".join(json.dumps(k, ensure_ascii=False) for k in keys[:limit])
    return shown + (f", … ({len(keys)} keys)" if len(keys) > limit else "")


def _first_difference(expected: list[Token], came: list[Token]) -> str:
    """Where the two readings first part, in words."""
    for want, have in zip(expected, came, strict=False):
        if want.same(have):
            continue
        if want.key_index is not None and have.key_index is not None and want.path == have.path:
            return (
                f"at byte {have.offset}, the map at {have.path} has {describe(have)} as its "
                f"key {have.key_index + 1} where the expected encoding has {describe(want)}"
            )
        if (want.kind, want.value) == (have.kind, have.value) and want.path == have.path:
            return (
                f"at byte {have.offset} ({have.path}), {describe(have)} has the head "
                f"{have.head.hex()} where the expected encoding has {want.head.hex()}"
            )
        if want.path != have.path:
            return (
                f"at byte {have.offset}, {describe(have)} at {have.path} where the expected "
                f"encoding has {describe(want)} at {want.path}"
            )
        return (
            f"at byte {have.offset} ({have.path}): expected {describe(want)}, came {describe(have)}"
        )
    if len(came) < len(expected):
        going_on = describe(expected[len(came)])
        return f"the bytes that came end where the expected encoding goes on with {going_on}"
    if len(came) > len(expected):
        more = describe(came[len(expected)])
        return f"the bytes that came go on after the expected value: {more}"
    return "the items read alike, but the bytes differ"


def _rule_words(error: g.GritError, came: list[Token]) -> str:
    """The strict decoder's reading, and for keys out of order which order they came in."""
    where = "" if error.offset is None else f" at byte {error.offset}"
    words = (
        f"the reference's strict decoder refuses the bytes that came: {error.error_class}"
        f"{where} ({error.requirement}): {error.detail}"
    )
    if error.error_class == "unsorted-keys" and error.offset is not None:
        key = next((t for t in came if t.offset == error.offset and t.key_index is not None), None)
        if key is not None:
            keys = map_keys(came, key)
            words += (
                f"; the map at {key.path} came with its keys {_quoted(keys)}, "
                f"{key_order(keys)}; ENC-010 orders keys by their encoded bytes, the shorter "
                f"first: {_quoted(_canonical_order(keys))}"
            )
    return words


def _cut(words: str) -> str:
    return words if len(words) <= WORDS else words[: WORDS - 1] + "…"


def diagnose(expected: bytes, came: bytes) -> Diagnosis | None:
    """Why ``came`` (an implementation's encoding) is not ``expected``; None when equal.

    The words give the first difference (byte offset, place in the value, both items),
    then what the strict decoder finds wrong in ``came`` and the rule that names
    (``rule``).  When ``came`` is canonical — it encodes another value — ``rule`` is
    None and the words say so.
    """
    if expected == came:
        return None
    want, have = read_tokens(expected), read_tokens(came)
    first = _first_difference(want, have)
    error = strict_error(came, as_object=_is_object(expected))
    if error is None:
        return Diagnosis(
            rule=None,
            words=_cut(f"{first}; the bytes that came are canonical: they encode another value"),
        )
    return Diagnosis(rule=error.requirement, words=_cut(f"{first}; {_rule_words(error, have)}"))


def read_bytes(came: bytes, *, as_object: bool, what: str) -> Diagnosis | None:
    """What the strict decoder finds wrong in bytes an implementation gave as an encoding
    (``what``: ``the bytes of wit-object``), with no expected bytes to compare; None when
    they read."""
    error = strict_error(came, as_object=as_object)
    if error is None:
        return None
    return Diagnosis(
        rule=error.requirement,
        words=_cut(f"{what}: {_rule_words(error, read_tokens(came))}"),
        source="answer",
    )

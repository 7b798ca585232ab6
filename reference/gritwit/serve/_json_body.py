"""JSON request bodies, judged before and after parsing (HTTP-002.1, HTTP-002.3).

Pure functions of bytes: :func:`nesting_depth` scans the text for its deepest nesting of
arrays and objects without recursion, before any parser sees it, so a body of a million
``[`` costs one linear pass and no stack; :func:`parse_object` then parses a body that
passed, refuses what RFC 8259 does not allow (``NaN``, a repeated key), a lone surrogate
anywhere (HTTP-002.3), and checks the object's fields against what the endpoint
defines: a missing required field, a field of the wrong type or one the endpoint does
not define is ``bad-request``.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Final

from ._limits import MAX_DEPTH
from ._problems import HttpProblem

__all__ = [
    "Field",
    "deeper_than",
    "is_bool",
    "is_list",
    "is_number",
    "is_object",
    "is_text",
    "nesting_depth",
    "parse_object",
]

_OPEN: Final = frozenset(b"[{")
_CLOSE: Final = frozenset(b"]}")
_QUOTE: Final = ord('"')
_BACKSLASH: Final = ord("\\")


def nesting_depth(data: bytes, stop_after: int | None = None) -> int:
    """The deepest nesting of arrays and objects in JSON text ``data`` (HTTP-002.3).

    Brackets inside strings do not count.  Malformed text gets a number too (the parser
    refuses it afterwards).  With ``stop_after``, the scan ends as soon as the depth
    passes it (the answer is then ``stop_after + 1``).
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_after is not None and deepest > stop_after:
                    return deepest
        elif byte in _CLOSE:
            depth -= 1
    return deepest


#: A JSON string, escapes and all (RFC 8259): what brackets inside do not nest.
_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
#: Opening brackets to +1, closing ones to -1 (as signed bytes), every other byte deleted.
_TO_STEPS: Final = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS: Final = bytes(b for b in range(256) if b not in b"[]{}")


def deeper_than(data: bytes | bytearray, limit: int) -> bool:
    """Whether JSON text ``data`` nests arrays and objects deeper than ``limit``
    (HTTP-002.3), at the speed of C loops: the largest running sum of its brackets'
    steps, strings cut out first.  Agrees with :func:`nesting_depth` on every JSON text
    (malformed text, such as a string left open, may count otherwise: the parser
    refuses it afterwards)."""
    steps = _STRING.sub(b"", data).translate(_TO_STEPS, _NOT_BRACKETS)
    if steps.count(1) <= limit:  # too few openings to nest deeper, whatever the order
        return False
    return max(accumulate(array("b", steps))) > limit


def is_text(value: object) -> bool:
    return isinstance(value, str)


def is_bool(value: object) -> bool:
    return isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_object(value: object) -> bool:
    return isinstance(value, dict)


def is_list(value: object) -> bool:
    return isinstance(value, list)


@dataclass(frozen=True, slots=True)
class Field:
    """A field an endpoint defines: whether it is required, and what its value must be."""

    required: bool
    check: Callable[[object], bool]
    what: str


class _Refused(ValueError):
    """Valid to Python's parser, not to RFC 8259: a constant, a repeated key."""


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not JSON (RFC 8259)")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Refused("a JSON object repeats a key")
    return found


def _bad(message: str) -> HttpProblem:
    return HttpProblem(400, "bad-request", message)


#: A surrogate code point: JSON's parser joins an escaped pair into one character, so
#: any left in a parsed string stood alone.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _holds_surrogate(value: Any) -> bool:
    """Whether any string of ``value``, key or value, holds a lone surrogate: searched in
    place, where encoding the whole value again held three more copies of a long body."""
    waiting = [value]
    while waiting:
        item = waiting.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            waiting.extend(item)
            waiting.extend(item.values())
        elif isinstance(item, list):
            waiting.extend(item)
    return False


def parse_object(data: bytes | bytearray, fields: Mapping[str, Field]) -> dict[str, Any]:
    """The JSON object of body ``data``, checked against ``fields`` (HTTP-002.3).

    In order: UTF-8, the nesting depth (at most :data:`MAX_DEPTH`), the JSON text, lone
    surrogates, a JSON object, then its fields: each name ``fields`` lacks, each
    required field missing, each value its check refuses → ``bad-request``.

    A ``bytearray`` is taken over: it is emptied once its text is decoded and judged
    for depth, so that the body's bytes, its text and its parsed value are never all
    held at once (a 15 MiB send held all three).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(f"HTTP-002.3: the body is not UTF-8: {exc.reason} at byte {exc.start}") from None
    if deeper_than(data, MAX_DEPTH):
        raise _bad(f"HTTP-002.3: the body nests arrays and objects deeper than {MAX_DEPTH}")
    # A lone surrogate can only come from a \\u escape (strict UTF-8 encodes none).
    escaped = b"\\u" in data
    if isinstance(data, bytearray):
        data.clear()  # the text holds it all now
    try:
        value = json.loads(text, parse_constant=_constant, object_pairs_hook=_pairs)
    except (ValueError, RecursionError) as exc:
        raise _bad(f"HTTP-002.3: the body is not JSON: {exc}") from None
    del text  # the body's text is not kept while the value is judged
    if escaped and _holds_surrogate(value):
        raise _bad("HTTP-002.3: the body holds a lone surrogate")
    if not isinstance(value, dict):
        raise _bad("HTTP-002.3: the body must be a JSON object")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise _bad(f"HTTP-002.3: the endpoint defines no field {unknown[0]!r:.60}")
    for name, field in fields.items():
        if name not in value:
            if field.required:
                raise _bad(f"HTTP-002.3: the field {name!r} is required")
            continue
        if not field.check(value[name]):
            raise _bad(f"HTTP-002.3: the field {name!r} must be {field.what}")
    return value

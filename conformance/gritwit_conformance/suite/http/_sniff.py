"""HTTP-006.1's three forms of a query's answer, as the suite reads the clause.

:func:`form_of` is the rule written out: ``html`` for UTF-8 data that, after leading
U+FEFF and ASCII whitespace, begins with ``<!doctype html`` or ``<html`` (ASCII letters
in any case) followed by one of six characters; ``json`` for other data that is a JSON
text of RFC 8259 (UTF-8, no byte order mark, ``NaN`` and ``Infinity`` are not JSON);
``blob`` for anything else. Where the clause can be read two ways (several U+FEFF, or
whitespace before one; a JSON text after a byte order mark) the suite's inputs stay out of
the difference: :func:`unambiguous` tells them apart.
"""

from __future__ import annotations

import json
from typing import Final

__all__ = ["HTML_SPACE", "form_of", "unambiguous"]

#: The ASCII whitespace HTTP-006.1 skips before the tag, and that may follow it.
HTML_SPACE: Final = "\t\n\x0c\r "
_TAGS: Final = ("<!doctype html", "<html")
_AFTER: Final = frozenset(HTML_SPACE + ">")


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _is_html(text: str) -> bool:
    rest = text.lstrip("\ufeff" + HTML_SPACE)
    for tag in _TAGS:
        head = rest[: len(tag)]
        if _ascii_lower(head) == tag and len(rest) > len(tag) and rest[len(tag)] in _AFTER:
            return True
    return False


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON (RFC 8259)")


def _parse(text: str) -> tuple[bool, object]:
    if text.startswith("\ufeff"):
        return False, None
    try:
        return True, json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return False, None


def _is_json(text: str) -> bool:
    return _parse(text)[0]


def _lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, list):
        return any(_lone_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_lone_surrogate(k) or _lone_surrogate(v) for k, v in value.items())
    return False


def form_of(data: bytes) -> str:
    """``html``, ``json`` or ``blob``: how HTTP-006.1 serves a query answer holding ``data``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "blob"
    if _is_html(text):
        return "html"
    return "json" if _is_json(text) else "blob"


def unambiguous(data: bytes) -> bool:
    """Whether every reading of HTTP-006.1 gives ``data`` the same form.

    Left out: U+FEFF anywhere but first in the leading run (one reading skips only a
    leading byte order mark, another any mix), a JSON text after a byte order mark
    (RFC 8259 lets a parser ignore it), and JSON whose escapes make a lone surrogate
    (RFC 8259's grammar allows them, its section 8.2 calls the result unpredictable).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    lead = len(text) - len(text.lstrip("\ufeff" + HTML_SPACE))
    if "\ufeff" in text[1:lead]:
        return False
    if text.startswith("\ufeff") and _is_json(text[1:]):
        return False
    parsed, value = _parse(text)
    return not (parsed and _lone_surrogate(value))

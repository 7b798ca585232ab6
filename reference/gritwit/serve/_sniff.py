"""How a query's answer blob is served: as a page, as JSON, or described (HTTP-006.1).

Pure functions of the blob's data.  :func:`holds_html` is HTTP-006.1's rule, a strict
subset of the WHATWG MIME Sniffing standard's HTML signatures; :func:`is_json_text`
tells RFC 8259 JSON text; :func:`answer_form` chooses between the three forms.
"""

from __future__ import annotations

import json
from typing import Any, Final, Literal

__all__ = ["AnswerForm", "answer_form", "holds_html", "is_json_text"]

AnswerForm = Literal["html", "json", "blob"]

#: What may come before the tag: U+FEFF and ASCII whitespace (HTTP-006.1).
_LEADING: Final = "\ufeff\t\n\x0c\r "
#: What must follow the tag's name: ASCII whitespace or ``>`` (HTTP-006.1).
_AFTER_TAG: Final = frozenset(" \t\n\x0c\r>")
_TAGS: Final = ("<!doctype html", "<html")


def holds_html(data: bytes) -> bool:
    """Whether ``data`` holds HTML by HTTP-006.1's rule.

    UTF-8 text that, after any leading U+FEFF and ASCII whitespace, begins with
    ``<!doctype html`` or ``<html`` in any case of its letters, followed by ASCII
    whitespace or ``>``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    rest = text.lstrip(_LEADING)
    for tag in _TAGS:
        head = rest[: len(tag)]
        if head.isascii() and head.lower() == tag:
            return len(rest) > len(tag) and rest[len(tag)] in _AFTER_TAG
    return False


def _refuse(_: str) -> Any:
    raise ValueError("not RFC 8259")


def is_json_text(data: bytes) -> bool:
    """Whether ``data`` is one JSON text (RFC 8259) in UTF-8.

    Numbers are not converted (an integer of 5,000 digits is JSON); ``NaN`` and
    ``Infinity`` are not JSON.  Text nested too deep for the parser's recursion counts
    as not JSON: it is then served described, as any other data (HTTP-006.1).
    """
    try:
        text = data.decode("utf-8")
        json.loads(text, parse_constant=_refuse, parse_int=len, parse_float=len)
    except (ValueError, RecursionError):
        return False
    return True


def answer_form(data: bytes) -> AnswerForm:
    """The form of HTTP-006.1 an answer with ``data`` is served in."""
    if holds_html(data):
        return "html"
    if is_json_text(data):
        return "json"
    return "blob"

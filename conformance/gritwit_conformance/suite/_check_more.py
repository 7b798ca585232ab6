"""More of the suite's checks (ADP-005.5, CONV-004), beside :mod:`._check`.

:func:`check_same` compares Grit objects, object ids and values holding them as
:func:`._check.check_equal` compares JSON: it passes exactly when ``came == expected``,
and a failure writes both in the protocol's object form (``{"type": "blob", "headers":
{…}, "data": "<hex>"}``, an id as 64 hex digits) with their first difference, never as a
Python ``repr`` such as ``Blob(data=b'0', headers=Headers({}))``.
"""

from __future__ import annotations

from collections.abc import Mapping

import gritwit as g

from ._check import Clause, describe, fail, first_difference

__all__ = ["check_same", "plain"]


def plain(value: object) -> object:
    """``value`` in the protocol's form: a Grit object as its JSON form, an id as hex,
    tuples as lists, mappings with text keys (an id key as hex), recursively."""
    if isinstance(value, g.ObjectId):
        return value.hex()
    if isinstance(value, g.Blob | g.Tree | g.Step | g.Mailbox | g.Message):
        return g.object_to_json(value)
    if isinstance(value, Mapping):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=repr)
    return value


def check_same(clause: Clause, expected: object, came: object, what: str = "") -> None:
    """Pass when ``came == expected`` (Grit objects, ids, or values holding them);
    otherwise fail with both in the protocol's form and their first difference."""
    if came == expected:
        return
    want, said = plain(expected), plain(came)
    shown = describe(said)
    if isinstance(want, dict | list) and type(said) is type(want):
        shown = f"{shown} ({first_difference(want, said)})"
    fail(clause, expected=describe(want), came=shown, what=what)

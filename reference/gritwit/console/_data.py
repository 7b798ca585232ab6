"""An actor's first state from the command line: ``--data KEY=VALUE`` and ``--data-json``.

Pure: text in, entry names → bytes out, or :class:`BadData` (one line).  Each entry
becomes a blob of the core (HTTP-004.1): ``--data count=5`` the blob ``5``;
``--data-json '{"count": "5", "limits": {"max": 3}}'`` a blob of each member's value —
a string's UTF-8, any other JSON value's compact JSON text (``{"max":3}``).  A name
given twice, by either option, is refused rather than one silently winning.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

__all__ = ["BadData", "parse_data"]


class BadData(ValueError):
    """``--data`` or ``--data-json`` that names no state: one line saying why."""


def _value_bytes(value: object) -> bytes:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadData("--data-json: a value holds a lone surrogate, which is no UTF-8") from None


def _no_twice(pairs: list[tuple[str, object]]) -> dict[str, object]:
    members: dict[str, object] = {}
    for name, value in pairs:
        if name in members:
            raise BadData(f"--data-json: the entry {name!r:.60} is given twice")
        members[name] = value
    return members


def parse_data(pairs: Sequence[str], documents: Sequence[str]) -> dict[str, bytes]:
    """The entries ``--data KEY=VALUE`` (each ``pairs`` item) and ``--data-json OBJECT``
    (each ``documents`` item) name, in the order given."""
    state: dict[str, bytes] = {}

    def put(name: str, data: bytes, where: str) -> None:
        if not name:
            raise BadData(f"{where}: an entry needs a name")
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise BadData(f"{where}: the name is not UTF-8") from None
        if name in state:
            raise BadData(f"{where}: the entry {name!r:.60} is given twice")
        state[name] = data

    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            raise BadData(f"--data {pair!r:.60} is not KEY=VALUE")
        # the argument's own bytes, even where they are not UTF-8 (argv's surrogateescape)
        put(name, value.encode("utf-8", "surrogateescape"), f"--data {pair!r:.60}")
    for document in documents:
        try:
            members = json.loads(document, object_pairs_hook=_no_twice)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise BadData(f"--data-json is not JSON: {exc}") from None
        if not isinstance(members, dict):
            raise BadData("--data-json is a JSON object of entry names to values")
        for name, value in members.items():
            put(name, _value_bytes(value), "--data-json")
    return state

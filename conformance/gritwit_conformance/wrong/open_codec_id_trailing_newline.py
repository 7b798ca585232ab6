"""Wrong adapter (open-loop, written from spec/ alone): the text-form id parser accepts 64 hex
digits followed by a newline (ID-003, ADP-004.3).

ID-003: a text-form id is exactly 64 lowercase hex digits, any other length → `invalid-id`.
The parser is written as a regular expression `^[0-9a-f]{64}$` with a search/match call; in
Python, PCRE, Ruby and Java's `Pattern` without `\\z` the `$` also matches before a final
`"\\n"`, and the hex decoder that follows (`bytes.fromhex`) skips whitespace.  So `"<64
hex>\\n"` (65 characters) is taken as that id: in descriptions given to `encode` and in the
id arguments of the store commands.
"""

from __future__ import annotations

import re
from typing import Any

from gritwit import _ids, _json
from gritwit._errors import InvalidId
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec", "store"),
    frozenset({"ID-003"}),
    "failed",
    'the text-form id parser (`^[0-9a-f]{64}$` with re.match) accepts "<64 hex>\\n" in '
    "descriptions and id arguments",
)

_ID = "44" * 32
_EMPTY_BLOB = "a2646461746140647479706564626c6f62"
_EMPTY_BLOB_ID = "1d135ad531cfc97d965a0db1ecf1861fe523ccc8dd25083ef3a24ee0aac3f548"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "encode", "object": {"type": "message", "content": _ID + "\n"}},
    {
        "cmd": "encode",
        "object": {"type": "step", "actor": _ID, "core": _ID, "previous": _ID + "\n"},
    },
    {"cmd": "store-open", "kind": "memory"},
    {"cmd": "put", "store": "s1", "bytes": _EMPTY_BLOB},
    {"cmd": "has", "store": "s1", "id": _EMPTY_BLOB_ID + "\n"},
]

_LOOSE = re.compile(r"^[0-9a-f]{64}$")  # `$` matches before a final newline


class _LooseTextId:
    """Stands for the reference's `fullmatch` pattern: a `match` with `^…$` instead."""

    @staticmethod
    def fullmatch(text: str) -> Any:
        return _LOOSE.match(text)


def _from_hex(cls: type[_ids.ObjectId], text: str) -> _ids.ObjectId:
    if type(text) is not str or _LOOSE.match(text) is None:
        raise InvalidId("ID-003", f"not 64 lowercase hex digits: {text!r:.80}")
    return tuple.__new__(cls, (bytes.fromhex(text),))


def install() -> None:
    patch(_json, "_TEXT_ID", _LooseTextId)
    patch(_ids.ObjectId, "from_hex", classmethod(_from_hex))


if __name__ == "__main__":
    run(ReferenceAdapter, install)

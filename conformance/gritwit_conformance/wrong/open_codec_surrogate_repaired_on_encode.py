"""Wrong adapter (open-loop, written from spec/ alone): `encode` repairs a lone surrogate in a
description to U+FFFD instead of refusing it (OBJ-018.3, ENC-017.1).

OBJ-018.3 says a description holding a lone surrogate (`"\\ud800"` in JSON) is `invalid-utf8`.
An implementation whose JSON reader hands strings to a UTF-8 encoder that does the
"well-formed" conversion (JavaScript's TextEncoder, Rust's `from_utf16_lossy`, Go's
`utf8.AppendRune`) silently turns each lone surrogate into U+FFFD and encodes a valid object.
Only the description path repairs: bytes with an encoded surrogate are still refused by the
decoder, so `encode` and `decode` disagree on the same text.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter, _handler
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-018.3"}),
    "failed",
    "encode replaces lone surrogates in a description with U+FFFD (TextEncoder-style) and "
    "encodes the object instead of failing invalid-utf8",
)

_ID = "22" * 32

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "encode", "object": {"type": "blob", "data": "", "headers": {"mt": "\ud800"}}},
    {"cmd": "encode", "object": {"type": "tree", "entries": {"a\udc00": _ID}}},
    {"cmd": "encode", "object": {"type": "message", "content": _ID, "headers": {"\udfff": "x"}}},
]


def _well_formed(node: Any) -> Any:
    """Every string of ``node`` with its lone surrogates replaced by U+FFFD."""
    if isinstance(node, str):
        return node.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(node, dict):
        return {_well_formed(key): _well_formed(item) for key, item in node.items()}
    if isinstance(node, list):
        return [_well_formed(item) for item in node]
    return node


_reference_object_from_json = _handler.object_from_json


def _object_from_json(desc: object) -> Any:
    if not isinstance(desc, dict):
        return _reference_object_from_json(desc)  # OBJ-018.2 first, as the reference
    return _reference_object_from_json(_well_formed(desc))


def install() -> None:
    patch(_handler, "object_from_json", _object_from_json)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

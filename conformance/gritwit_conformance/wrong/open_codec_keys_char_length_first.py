"""Wrong adapter (open-loop, written from spec/ alone): the encoder sorts map keys by their
length in characters, not in UTF-8 bytes, before comparing bytes (ENC-014.1, ENC-010).

ENC-010 is "UTF-8 length first, then UTF-8 bytes".  An implementer who reads "length first"
as the string's length (`len(key)` in Python, `key.length` in JavaScript) writes a sort that
agrees with the canonical order on ASCII but not beyond: `"é"` (one character, two bytes)
sorts before `"ab"` (two characters, two bytes), while their encodings `62 c3a9` and
`62 6162` put `"ab"` first.  The encoder then writes header and tree-entry maps out of order
and gives their objects wrong bytes and ids; the decoder is the reference's.
"""

from __future__ import annotations

from gritwit import _objects
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-014.1"}),
    "failed",
    "the encoder sorts header and tree-entry keys by character count, then bytes, not by "
    'UTF-8 length: "é" before "ab" (wrong bytes and ids beyond ASCII)',
)

_ID = "11" * 32

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "encode", "object": {"type": "blob", "data": "", "headers": {"é": "1", "ab": "2"}}},
    {"cmd": "encode", "object": {"type": "tree", "entries": {"ab": _ID, "é": _ID}}},
]


def _char_length_first(key: str) -> tuple[int, bytes]:
    """The wrong sort key: the number of characters, then the UTF-8 bytes."""
    return (len(key), key.encode("utf-8"))


def install() -> None:
    patch(_objects, "canonical_key_order", _char_length_first)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

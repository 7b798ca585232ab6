"""Wrong adapter (open-loop, written from spec/ alone): the 255 limit on tree entry names is
counted in UTF-16 code units instead of UTF-8 bytes (OBJ-011.1).

OBJ-011.1 says a name is 1 to 255 *bytes of UTF-8*.  A JavaScript or Java implementation that
checks `name.length <= 255` counts UTF-16 code units: it agrees on ASCII, but accepts a name
of 200 `é` (400 bytes) or 100 CJK characters (300 bytes), and counts an emoji as two.  Encode
and decode share the check, so both accept names the spec rejects as `invalid-name`.
"""

from __future__ import annotations

from gritwit import _objects
from gritwit._errors import InvalidName
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-011.1"}),
    "failed",
    "tree names are limited to 255 UTF-16 code units, not 255 UTF-8 bytes: 200 x 'é' "
    "(400 bytes) is accepted by encode and decode",
    copied_from=(("gritwit._objects:check_tree_name", "a96e7303c42a24dc"),),
)

_ID = "33" * 32
_NAME = "é" * 200  # 200 UTF-16 code units, 400 UTF-8 bytes
# a tree whose one entry is _NAME: {"type": "tree", "entries": {_NAME: h'33…'}}
_TREE = (
    "a2"
    + "64"
    + b"type".hex()
    + "64"
    + b"tree".hex()
    + "67"
    + b"entries".hex()
    + "a1"
    + "79"
    + "0190"
    + _NAME.encode("utf-8").hex()
    + "5820"
    + _ID
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "encode", "object": {"type": "tree", "entries": {_NAME: _ID}}},
    {"cmd": "decode", "bytes": _TREE},
    {"cmd": "id", "bytes": _TREE},
]


def _check_tree_name(name: str) -> None:
    """The reference's name rules (OBJ-011.1 … OBJ-011.3), the length in UTF-16 code units."""
    if not name:
        raise InvalidName("OBJ-011.1", "the empty tree name is not allowed")
    if name in (".", ".."):
        raise InvalidName("OBJ-011.3", f"tree name {name!r} is not allowed")
    if "/" in name or "\x00" in name:
        raise InvalidName("OBJ-011.2", f"tree name {name!r:.60} contains '/' or NUL")
    if len(name.encode("utf-16-le", "surrogatepass")) // 2 > _objects.MAX_NAME_BYTES:
        raise InvalidName("OBJ-011.1", "tree name is longer than 255 characters")


def install() -> None:
    patch(_objects, "check_tree_name", _check_tree_name)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

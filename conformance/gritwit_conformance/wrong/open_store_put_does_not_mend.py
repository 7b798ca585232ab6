"""Wrong adapter (open-loop, written from spec/ alone): `put` of bytes whose id is already
stored returns at once, so a corrupt copy is never mended (STO-002.3).

STO-002.2 says putting bytes already stored "changes nothing"; an implementer who reads it as
"if the id is present, return it" (`INSERT OR IGNORE`, or `if has(id): return id`) also skips
the case STO-002.3 singles out: the copy under that id is corrupt.  The `put` succeeds and
returns the right id, but the bad bytes stay and every later `get` still fails
`corrupt-object`.
"""

from __future__ import annotations

import blake3

from gritwit._codec import decode_object
from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"STO-002.3"}),
    "failed",
    "put returns at once when the id is present, so a corrupt copy is never replaced and "
    "get keeps failing corrupt-object",
)

_EMPTY_BLOB = "a2646461746140647479706564626c6f62"
_EMPTY_BLOB_ID = "1d135ad531cfc97d965a0db1ecf1861fe523ccc8dd25083ef3a24ee0aac3f548"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "store-open", "kind": "memory"},
    {"cmd": "put", "store": "s1", "bytes": _EMPTY_BLOB},
    {"cmd": "store-corrupt", "store": "s1", "id": _EMPTY_BLOB_ID},
    {"cmd": "put", "store": "s1", "bytes": _EMPTY_BLOB},
    {"cmd": "get", "store": "s1", "id": _EMPTY_BLOB_ID},
    {"cmd": "store-open", "kind": "durable", "path": "{tmp}"},
    {"cmd": "put", "store": "s2", "bytes": _EMPTY_BLOB},
    {"cmd": "store-corrupt", "store": "s2", "id": _EMPTY_BLOB_ID},
    {"cmd": "put", "store": "s2", "bytes": _EMPTY_BLOB},
    {"cmd": "get", "store": "s2", "id": _EMPTY_BLOB_ID},
]


def _put(self: Store, data: bytes) -> ObjectId:
    """The reference `put`, except that a present id is not written again."""
    data = bytes(data)
    decode_object(data)  # STO-001.1
    oid = ObjectId(blake3.blake3(data).digest())
    if self.backend.contains(oid):
        return oid  # "already stored: change nothing" (STO-002.2), corrupt or not
    self.backend.insert(oid, data)
    return oid


def install() -> None:
    patch(Store, "put", _put)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: tree entry names ordered by code point instead of by encoded bytes (ENC-010).

Python's ``sorted()`` on the names puts ``"aa"`` before ``"b"``; canonical
order compares the *encodings*, length head first, so ``"b"`` comes first.
Encoder and decoder share the mistake, so the adapter agrees with itself:
it emits its own order and accepts only that order for trees.
"""

from __future__ import annotations

from typing import Any

import blake3
import cbor2

from gritwit import GritObject, Tree, decode_object, encode_object, object_from_json, object_to_json
from gritwit._errors import UnsortedKeys
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _hex
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-010", "ENC-014.1"}),
    "failed",
    "orders tree entry names by code point, not by their encoded bytes (encode and decode)",
)


def encode(obj: GritObject) -> bytes:
    if isinstance(obj, Tree):  # the bug: sorted() on the names, then encoded in that order
        entries = {name: oid.digest for name, oid in sorted(obj.entries.items())}
        return bytes(cbor2.dumps({"type": "tree", "entries": entries}))
    return encode_object(obj)


def decode(data: bytes) -> GritObject:
    try:  # every other rule as the reference has it, on the canonical re-encoding
        obj: GritObject | None = decode_object(cbor2.dumps(cbor2.loads(data), canonical=True))
    except Exception:
        obj = None
    if isinstance(obj, Tree) and encode(obj) == data:
        return obj  # canonical in this adapter's own (wrong) order
    obj = decode_object(data)  # the reference's verdict, error class and all
    if isinstance(obj, Tree) and encode(obj) != data:
        raise UnsortedKeys("ENC-010", "tree entry names are not in code point order")
    return obj


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        data = encode(object_from_json(args.get("object")))
        return {"bytes": data.hex(), "id": blake3.blake3(data).hexdigest()}

    def cmd_decode(self, args: dict[str, Any]) -> dict[str, Any]:
        data = _hex(args, "bytes")
        return {"object": object_to_json(decode(data)), "id": blake3.blake3(data).hexdigest()}

    def cmd_id(self, args: dict[str, Any]) -> dict[str, Any]:
        data = _hex(args, "bytes")
        decode(data)
        return {"id": blake3.blake3(data).hexdigest()}


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: encoding lets the empty tree name through; decoding still refuses it (OBJ-017).

Its encoder builds a tree with an entry named ``""`` without checking the name,
so the two directions of the codec disagree about one rule.
"""

from __future__ import annotations

from typing import Any

import blake3
import cbor2

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-011.1", "OBJ-017.1"}),
    "failed",
    'encode accepts a tree with the empty name "" (decode still refuses it)',
    smoke=True,
)


class EncodeSkipsEmptyName(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        desc = args.get("object")
        entries = desc.get("entries") if isinstance(desc, dict) else None
        tree = isinstance(desc, dict) and desc.get("type") == "tree"
        if tree and isinstance(entries, dict) and "" in entries:  # the bug: no name check
            value = {
                "type": "tree",
                "entries": {k: bytes.fromhex(v) for k, v in entries.items()},
            }
            data = cbor2.dumps(value, canonical=True)
            return {"bytes": data.hex(), "id": blake3.blake3(data).hexdigest()}
        return super().cmd_encode(args)


if __name__ == "__main__":
    run(EncodeSkipsEmptyName)

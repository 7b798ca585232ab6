"""Wrong adapter: mailbox entries are ordered by their ids as *signed* bytes (ID-005).

The encoder sorts a mailbox by its binary actor ids the way Java's ``byte``
compares them, so ids starting with 0x80 … 0xff come before those starting
with 0x00 … 0x7f; ids must compare as unsigned byte strings.
"""

from __future__ import annotations

from typing import Any

import blake3
import cbor2

from gritwit import encode_object, object_from_json
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ID-005"}),
    "failed",
    "encodes mailbox entries ordered by their ids as signed bytes (0x80… before 0x00…)",
    smoke=True,
)


def _signed(key: str) -> list[int]:
    return [b - 256 if b >= 128 else b for b in bytes.fromhex(key)]


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_encode(args)
        description = args.get("object")
        if not (isinstance(description, dict) and description.get("type") == "mailbox"):
            return answer
        value = cbor2.loads(encode_object(object_from_json(description)))
        entries = value["entries"]
        value["entries"] = {key: entries[key] for key in sorted(entries, key=_signed)}  # the bug
        data = bytes(cbor2.dumps(value))
        return {"bytes": data.hex(), "id": blake3.blake3(data).hexdigest()}


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: the encoder drops a mailbox's ``base`` (OBJ-013, OBJ-019.2).

An encoder written before mailboxes had a base: it reads the description whole, checks
every field, and then writes the mailbox from its entries alone, so a mailbox over a
base gets the bytes, and the id, of the mailbox without one.
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
    frozenset({"OBJ-013", "OBJ-018.1"}),
    "failed",
    "encodes a mailbox without its base: a mailbox over a base gets the id of one without",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_encode(args)  # every rule checked as the reference does
        value = cbor2.loads(bytes.fromhex(answer["bytes"]))
        if value.get("type") != "mailbox" or "base" not in value:
            return answer
        del value["base"]  # the bug
        data = bytes(cbor2.dumps(value, canonical=True))
        return {"bytes": data.hex(), "id": blake3.blake3(data).hexdigest()}


if __name__ == "__main__":
    run(Adapter)

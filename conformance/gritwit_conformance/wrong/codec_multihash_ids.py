"""Wrong adapter: ids inside encoded objects carry a multihash prefix (ID-002.1).

The encoder writes every id field, tree entry and mailbox entry value as
``1e 20`` (BLAKE3, 32 bytes) followed by the digest, 34 bytes, as a multihash
would; the binary form of an id is exactly the 32 digest bytes.
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
    frozenset({"ID-002.1"}),
    "failed",
    "the encoder writes ids inside objects with a multihash prefix (1e 20), 34 bytes",
    smoke=True,
)

_PREFIX = b"\x1e\x20"
_IDS = ("actor", "core", "content", "previous", "inbox", "outbox", "base")


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_encode(args)
        value = cbor2.loads(bytes.fromhex(answer["bytes"]))
        for field in _IDS:
            if field in value:
                value[field] = _PREFIX + value[field]  # the bug
        if value["type"] in ("tree", "mailbox"):
            value["entries"] = {k: _PREFIX + v for k, v in value["entries"].items()}
        data = bytes(cbor2.dumps(value, canonical=True))
        return {"bytes": data.hex(), "id": blake3.blake3(data).hexdigest()}


if __name__ == "__main__":
    run(Adapter)

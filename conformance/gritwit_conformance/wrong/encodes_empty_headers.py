"""Wrong adapter: the encoder writes ``"headers": {}`` for an empty headers map (OBJ-007).

Absent and empty headers are kept apart: a description with ``"headers": {}``
(which is how OBJ-018 writes "no headers") is encoded with an empty map
instead of omitting the key.
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
    frozenset({"OBJ-007.1", "ENC-014.1"}),
    "failed",
    'the encoder writes "headers": {} when the description has an empty headers map',
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        description = args.get("object")
        if not (isinstance(description, dict) and description.get("headers") == {}):
            return super().cmd_encode(args)
        value = cbor2.loads(encode_object(object_from_json(description)))
        value["headers"] = {}  # the bug: an empty map is still a map, so it is written
        data = bytes(cbor2.dumps(value, canonical=True))
        return {"bytes": data.hex(), "id": blake3.blake3(data).hexdigest()}


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: ``id`` applies the encoding rules but not the object rules (ADP-009.3).

``id`` of ``a0`` (the empty map, canonical CBOR) answers a hash, where ``id`` MUST
apply every rule ``decode`` applies and fail ``invalid-object``.
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit._cbor import decode_value
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _hex
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-009.3"}),
    "failed",
    "id checks the encoding only, so it answers for canonical CBOR that is no object",
)


class Adapter(ReferenceAdapter):
    def cmd_id(self, args: dict[str, Any]) -> dict[str, Any]:
        data = _hex(args, "bytes")
        decode_value(data)  # the bug: the encoding rules only
        return {"id": blake3.blake3(data).hexdigest()}


if __name__ == "__main__":
    run(Adapter)

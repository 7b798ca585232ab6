"""Wrong adapter: ``put`` stores the bytes first and decodes them after (STO-001.2).

The answer is right — the decoder's error class — but the invalid bytes stay stored
under their hash: ``has`` then finds them.
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _hex
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"STO-001.2"}),
    "failed",
    "put stores the bytes, then decodes them: the error is right but invalid bytes stay",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_put(self, args: dict[str, Any]) -> dict[str, Any]:
        data = _hex(args, "bytes")
        store = self._store(args)
        store.backend.insert(ObjectId(blake3.blake3(data).digest()), data)  # the bug
        return super().cmd_put(args)


if __name__ == "__main__":
    run(Adapter)

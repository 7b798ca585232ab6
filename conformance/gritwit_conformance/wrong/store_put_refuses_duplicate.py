"""Wrong adapter: a second ``put`` of stored bytes fails, as a plain INSERT would (STO-002.2)."""

from __future__ import annotations

from typing import Any

import blake3

from gritwit._errors import RefConflict
from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _hex
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"STO-002.2"}),
    "failed",
    "a second put of stored bytes fails instead of succeeding with the same id",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_put(self, args: dict[str, Any]) -> dict[str, Any]:
        data = _hex(args, "bytes")
        oid = ObjectId(blake3.blake3(data).digest())
        if self._store(args).backend.read(oid) is not None:  # the bug: "already exists"
            raise RefConflict("STO-002", f"object {oid} exists", current=oid)
        return super().cmd_put(args)


if __name__ == "__main__":
    run(Adapter)

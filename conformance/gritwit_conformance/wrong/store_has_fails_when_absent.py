"""Wrong adapter: ``has`` is built on ``get``, so an absent id answers ``not-found`` (STO-005.2)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _id
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"STO-005.2"}),
    "failed",
    "has is built on get: an absent id answers not-found instead of false",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_has(self, args: dict[str, Any]) -> dict[str, Any]:
        store, oid = self._store(args), _id(args, "id")
        if not store.has(oid):
            store.get(oid)  # the bug: raises not-found instead of answering false
        return {"present": True}


if __name__ == "__main__":
    run(Adapter)

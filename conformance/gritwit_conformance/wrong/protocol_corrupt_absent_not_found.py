"""Wrong adapter: ``store-corrupt`` of an absent id answers ``not-found`` (ADP-010.2).

The test hook looks the object up with ``get`` first, whose error leaks out.
"""

from __future__ import annotations

from typing import Any

from gritwit import ObjectNotFound
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import _id
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-010.2"}),
    "failed",
    "store-corrupt of an absent id answers not-found instead of bad-request",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_store_corrupt(self, args: dict[str, Any]) -> dict[str, Any]:
        store, oid = self._store(args), _id(args, "id")
        if not store.has(oid):
            raise ObjectNotFound("STO-003", f"no object {oid}")  # the bug: not bad-request
        return super().cmd_store_corrupt(args)


if __name__ == "__main__":
    run(Adapter)

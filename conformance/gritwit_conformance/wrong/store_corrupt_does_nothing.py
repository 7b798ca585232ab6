"""Wrong adapter: the ``store-corrupt`` hook answers success and alters nothing
(ADP-010.5).

The hook MUST leave the stored copy so that it no longer hashes to its id.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import BadRequest, _id
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-010.5"}),
    "failed",
    "the store-corrupt hook answers success and alters nothing",
)


class Adapter(ReferenceAdapter):
    def cmd_store_corrupt(self, args: dict[str, Any]) -> dict[str, Any]:
        store, oid = self._store(args), _id(args, "id")
        if not store.has(oid):
            raise BadRequest(f"no object {oid} to corrupt")
        return {}  # the bug: nothing altered


if __name__ == "__main__":
    run(Adapter)

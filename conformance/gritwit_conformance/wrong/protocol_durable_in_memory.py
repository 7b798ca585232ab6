"""Wrong adapter: a ``durable`` store lives in memory only (ADP-010.3).

Durability is a to-do: ``kind: "durable"`` opens a memory store, so a new
adapter process finds nothing at the path.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-010.3"}),
    "failed",
    "a durable store lives in memory: a new adapter process finds nothing at its path",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_store_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("kind") != "durable":
            return super().cmd_store_open(args)
        result = super().cmd_store_open({**args, "kind": "memory"})  # the bug
        self._stores[result["store"]] = (Store.memory(), None)
        return result


if __name__ == "__main__":
    run(Adapter)

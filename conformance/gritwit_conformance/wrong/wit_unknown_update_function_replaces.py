"""Wrong adapter: an update whose ``wit_update`` names an unknown function is run with
``replace`` (WIT-014.3).

An unknown update function MUST fail the update's transition ``unknown-wit``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wit._executor import Executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-014.3"}),
    "failed",
    "runs an update naming an unknown wit_update function with replace",
)

_code = Executor._code


def _lenient(self: Any, blob_id: Any, table: Any, *, update: bool = False, gate: Any = None) -> Any:
    found = _code(self, blob_id, table, update=update, gate=gate)
    if found is None and table is self._updaters:
        return self._updaters["replace"]  # the bug
    return found


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(Executor, "_code", _lenient))

"""Wrong adapter: ``ref-get`` looks any name up unchecked: ``null`` for a bad name (REF-007.2)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _str
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-007.2"}),
    "failed",
    "ref-get looks any name up without checking it: null instead of invalid-ref-name",
)


class Adapter(ReferenceAdapter):
    def cmd_ref_get(self, args: dict[str, Any]) -> dict[str, Any]:
        oid = self._store(args).backend.get_ref(_str(args, "name"))  # the bug: no name check
        return {"id": None if oid is None else oid.hex()}


if __name__ == "__main__":
    run(Adapter)

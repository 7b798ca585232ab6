"""Wrong adapter: ``get`` returns what the backend holds without re-hashing it (STO-004)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _id
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"STO-004.1", "STO-004.2"}),
    "failed",
    "get returns the stored bytes without re-hashing them: corruption goes unnoticed",
)


class Adapter(ReferenceAdapter):
    def cmd_get(self, args: dict[str, Any]) -> dict[str, Any]:
        oid = _id(args, "id")
        data = self._store(args).backend.read(oid)  # the bug: no re-hash against oid
        if data is None:
            return super().cmd_get(args)  # not-found, as the reference says
        return {"bytes": data.hex()}


if __name__ == "__main__":
    run(Adapter)

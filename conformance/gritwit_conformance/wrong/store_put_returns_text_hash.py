"""Wrong adapter: ``put`` answers the BLAKE3 hash of the hex text it was sent (STO-002.1).

The object is stored correctly under its id; only the id ``put`` answers is wrong, as
in an adapter that hashes its argument string instead of the decoded bytes.
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _str
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"STO-002.1"}),
    "failed",
    "put answers the BLAKE3 of the hex text it was sent, not the object's id",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_put(self, args: dict[str, Any]) -> dict[str, Any]:
        super().cmd_put(args)
        return {"id": blake3.blake3(_str(args, "bytes").encode()).hexdigest()}  # the bug


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: ``decode`` answers the hash of the hex text as ``id`` (ADP-009.1).

It hashes the request's ``bytes`` string instead of the bytes it stands for.
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-009.1"}),
    "failed",
    "decode answers the hash of the hex text as id",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_decode(self, args: dict[str, Any]) -> dict[str, Any]:
        result = super().cmd_decode(args)
        result["id"] = blake3.blake3(str(args["bytes"]).encode()).hexdigest()  # the bug
        return result


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: ``id`` hashes the bytes it is given without decoding them (ID-004).

A shortcut: the id is the BLAKE3 hash of the input, so ``id`` answers for
non-canonical, malformed and invalid encodings as well as for valid ones.
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ID-004"}),
    "failed",
    "id hashes the given bytes without decoding them, so it answers for invalid encodings",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_id(self, args: dict[str, Any]) -> dict[str, Any]:
        data = bytes.fromhex(args["bytes"])
        return {"id": blake3.blake3(data).hexdigest()}  # the bug: no decode first


if __name__ == "__main__":
    run(Adapter)

"""Broken adapter: ``hash`` answers the digest in uppercase hex (ADP-004.1).

As ``Convert.ToHexString`` and ``%X`` write it.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-004.1", "ADP-012"}),
    "errored",
    "hash answers the digest in uppercase hex",
    reason="result of hash breaks the protocol schema",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_hash(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"digest": super().cmd_hash(args)["digest"].upper()}  # the bug


if __name__ == "__main__":
    run(Adapter)

"""Broken adapter: ``has`` answers ``present`` as 0 or 1, not a boolean (ADP-013)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-013", "ADP-012"}),
    "errored",
    "has answers present as 0 or 1, not a boolean",
    reason="result of has breaks the protocol schema",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_has(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"present": int(super().cmd_has(args)["present"])}  # the bug


if __name__ == "__main__":
    run(Adapter)

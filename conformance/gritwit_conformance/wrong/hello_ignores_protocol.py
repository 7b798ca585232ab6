"""Wrong adapter: ``hello`` accepts every protocol version (ADP-005)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import PROTOCOL_VERSION, ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-005.2"}),
    "failed",
    "hello accepts any protocol version instead of answering unsupported-protocol",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_hello(self, args: dict[str, Any]) -> dict[str, Any]:
        return super().cmd_hello({**args, "protocol": PROTOCOL_VERSION})  # the bug: never refuses


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: a step's senders are sorted by the text shown, not by id (HTTP-007.6).

The history answers the outside as ``"outside"`` and sorts a step's parties by that
text: ``o`` comes after every hex digit, so the outside, whose id is 32 zero bytes
(WIT-003) and sorts first, is listed after every actor.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.6"}),
    "failed",
    "a history step lists the outside after the actors it read from (sorted by 'outside')",
)


def install() -> None:
    from gritwit.serve import _reads

    original = _reads.traffic_rows

    def traffic_rows(items: Any, role: str) -> list[dict[str, Any]]:
        rows = original(items, role)
        return sorted(rows, key=lambda row: str(row[role]))  # the bug: by the text shown

    patch(_reads, "traffic_rows", traffic_rows)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

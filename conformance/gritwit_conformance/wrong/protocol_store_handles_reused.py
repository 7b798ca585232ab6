"""Wrong adapter: every ``store-open`` answers the same handle (ADP-010.1).

The handle counter is never incremented: a second store replaces the first
under handle ``s1``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-010.1"}),
    "failed",
    "every store-open answers the same handle: a new store replaces the last",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_store_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._next_store = 0  # the bug
        return super().cmd_store_open(args)


if __name__ == "__main__":
    run(Adapter)

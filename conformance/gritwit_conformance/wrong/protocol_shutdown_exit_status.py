"""Wrong adapter: exits with status 1 after answering ``shutdown`` (ADP-011.1).

Its main returns the count of open stores it had to close, as an exit status.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-011.1"}),
    "failed",
    "exits with status 1 after answering shutdown",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_shutdown(self, args: dict[str, Any]) -> dict[str, Any]:
        result = super().cmd_shutdown(args)
        import atexit
        import os

        atexit.register(os._exit, 1)  # the bug: status 1, not 0
        return result


if __name__ == "__main__":
    run(Adapter)

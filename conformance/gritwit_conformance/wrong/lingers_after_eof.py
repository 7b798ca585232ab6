"""Wrong adapter: when its input ends without ``shutdown`` it lingers for 30 s (ADP-011).

Its clean-up waits for work that never comes unless it was asked to stop; it
does end by itself.
"""

from __future__ import annotations

import time
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-011.2"}),
    "failed",
    "keeps running for 30 s when its input ends without a shutdown request",
    smoke=True,
)

LINGER = 30.0


class Adapter(ReferenceAdapter):
    asked_to_stop = False

    def cmd_shutdown(self, args: dict[str, Any]) -> dict[str, Any]:
        self.asked_to_stop = True
        return super().cmd_shutdown(args)

    def close(self) -> None:
        super().close()
        if not self.asked_to_stop:
            time.sleep(LINGER)  # the bug: end of input is not treated as the end


if __name__ == "__main__":
    run(Adapter)

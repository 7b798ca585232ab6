"""Broken adapter: numbers its responses itself instead of echoing ``seq`` (ADP-003).

It agrees with the harness only while the harness numbers the requests of
this process 1, 2, 3 … from its first ``hello``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-003.1", "ADP-012"}),
    "errored",
    "answers with its own count of requests instead of echoing the request's seq",
    reason="carries seq",
    smoke=True,
    breaks_handshake=True,
)


class Adapter(ReferenceAdapter):
    answered = 0

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        self.answered += 1
        return {**super().handle(request), "seq": self.answered}  # the bug


if __name__ == "__main__":
    run(Adapter)

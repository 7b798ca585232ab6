"""Broken adapter: numbers its responses itself instead of echoing ``seq`` (ADP-003).

It agrees with the harness only while the harness numbers the requests of
this process 1, 2, 3 … from its first ``hello``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    answered = 0

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        self.answered += 1
        return {**super().handle(request), "seq": self.answered}  # the bug


if __name__ == "__main__":
    run(Adapter)

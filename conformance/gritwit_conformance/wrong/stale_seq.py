"""Broken adapter: answers ``get`` with the previous request's ``seq`` (ADP-003).

The harness must record the test as errored (ADP-012), restart the adapter
and carry on with the next test.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-003.1", "ADP-012"}),
    "errored",
    "answers get with the seq of the previous request",
    reason="response to get carries seq",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        if request.get("cmd") == "get" and isinstance(request.get("seq"), int):
            response["seq"] = max(0, request["seq"] - 1)  # the bug: a stale seq
        return response


if __name__ == "__main__":
    run(Adapter)

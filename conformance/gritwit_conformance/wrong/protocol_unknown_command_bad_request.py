"""Wrong adapter: answers a command it does not know with ``bad-request`` (ADP-008)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-008"}),
    "failed",
    "answers a command it does not know with bad-request, not unsupported-command",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        if response.get("error", {}).get("class") == "unsupported-command":
            response["error"]["class"] = "bad-request"  # the bug
        return response


if __name__ == "__main__":
    run(Adapter)

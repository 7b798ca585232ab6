"""Broken adapter: its error responses carry the error as a string (ADP-003.2).

``{"seq": 7, "ok": false, "error": "invalid-id: …"}``: the class is only in the text.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-003.2", "ADP-012"}),
    "errored",
    'error responses carry the error as a string: "error": "invalid-id: …"',
    reason="breaks the protocol schema",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        if response.get("ok") is False:
            error = response["error"]
            response["error"] = f"{error['class']}: {error.get('message', '')}"  # the bug
        return response


if __name__ == "__main__":
    run(Adapter)

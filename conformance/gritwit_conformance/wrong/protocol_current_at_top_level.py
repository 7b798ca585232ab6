"""Wrong adapter: ``current`` of a ``ref-conflict`` beside ``error``, not in it
(ADP-003.3, ADP-010.4).

``{"seq": 7, "ok": false, "current": null, "error": {"class": "ref-conflict"}}``:
the protocol schema refuses it, so the harness records a broken adapter.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-010.4", "ADP-012"}),
    "errored",
    "puts current of a ref-conflict beside error instead of inside it",
    reason="protocol schema",
)


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        error = response.get("error")
        if isinstance(error, dict) and "current" in error:
            response["current"] = error.pop("current")  # the bug: one level up
        return response


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: the ``requirement`` of an error beside ``error``, not in it (ADP-003.3).

``{"seq": 7, "ok": false, "requirement": "ID-003", "error": {"class": "invalid-id"}}``:
a failed response MUST have exactly ``seq``, ``ok`` and ``error``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-003.3", "ADP-012"}),
    "errored",
    "puts the requirement of an error beside error instead of inside it",
    reason="protocol schema",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        error = response.get("error")
        if isinstance(error, dict) and "requirement" in error:
            response["requirement"] = error.pop("requirement")  # the bug: one level up
        return response


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: claims ``store`` but does not implement ``store-corrupt`` (ADP-006, ADP-010).

A profile is all or nothing: a claimed profile's command answered with
``unsupported-command`` is a failure, not a skip.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-006"}),
    "failed",
    "claims the store profile but answers store-corrupt with unsupported-command (ADP-006)",
)


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("cmd") == "store-corrupt":  # the bug: a hole in a claimed profile
            return self.error(request.get("seq"), "unsupported-command", "not implemented")
        return super().handle(request)


if __name__ == "__main__":
    run(Adapter)

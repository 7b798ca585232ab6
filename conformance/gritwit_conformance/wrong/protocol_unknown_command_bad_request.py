"""Wrong adapter: answers a command it does not know with ``bad-request`` (ADP-008)."""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        if response.get("error", {}).get("class") == "unsupported-command":
            response["error"]["class"] = "bad-request"  # the bug
        return response


if __name__ == "__main__":
    run(Adapter)

"""Broken adapter: its error responses carry the error as a string (ADP-003.2).

``{"seq": 7, "ok": false, "error": "invalid-id: …"}``: the class is only in the text.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        if response.get("ok") is False:
            error = response["error"]
            response["error"] = f"{error['class']}: {error.get('message', '')}"  # the bug
        return response


if __name__ == "__main__":
    run(Adapter)

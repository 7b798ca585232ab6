"""Wrong adapter: refuses requests with fields it does not know (ADP-002).

It validates requests strictly (``additionalProperties: false``), so a newer
harness that adds a field breaks it.
"""

from __future__ import annotations

from typing import Any

from gritwit._schemas import load_schema
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-002"}),
    "failed",
    "refuses requests carrying fields it does not know with bad-request",
    smoke=True,
)

_ARGS = load_schema("adapter-protocol.schema.json")["$defs"]["arguments"]


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        known = {"seq", "cmd", *_ARGS.get(request.get("cmd"), {}).get("properties", {})}
        unknown = sorted(set(request) - known)
        if request.get("cmd") in _ARGS and unknown:  # the bug: unknown fields refused
            return self.error(request.get("seq"), "bad-request", f"unknown fields {unknown}")
        return super().handle(request)


if __name__ == "__main__":
    run(Adapter)

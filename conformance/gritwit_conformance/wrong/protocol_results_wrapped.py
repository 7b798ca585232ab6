"""Wrong adapter: successful responses carry their results in a ``result`` object
(ADP-003.4).

``{"seq": 3, "ok": true, "result": {"digest": "…"}}``: the results MUST be members of
the response itself; the protocol schema refuses the wrapped form.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-003.4", "ADP-012"}),
    "errored",
    "wraps the results of hash in a result object",
    reason="protocol schema",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        if response.get("ok") is True and request.get("cmd") == "hash":
            results = {k: v for k, v in response.items() if k not in ("seq", "ok")}
            response = {"seq": response["seq"], "ok": True, "result": results}  # the bug
        return response


if __name__ == "__main__":
    run(Adapter)

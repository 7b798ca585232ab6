"""Wrong adapter: every decode error is reported as ``malformed`` (CONV-004).

The decoder rejects exactly the right inputs, but, like a CBOR library with one
exception type for "bad input", it names every decode-phase violation with the
same class instead of the class its rule defines.
"""

from __future__ import annotations

from typing import Any

from gritwit import ERROR_CLASSES
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"CONV-004"}),
    "failed",
    "reports every decode error as malformed instead of the class its rule defines",
    smoke=True,
)

_DECODE = frozenset(name for name, cls in ERROR_CLASSES.items() if cls.phase == "decode")


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().handle(request)
        error = response.get("error")
        if isinstance(error, dict) and error.get("class") in _DECODE:
            error["class"] = "malformed"  # the bug: one class for every decode error
        return response


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: a whole number written with a fraction (``4099.0``) counts as an integer
(ADP-004.12), as in an implementation whose JSON reader keeps every number as a double and
asks only that it have no fractional part: a choice the spec once left open.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit", "runtime"),
    frozenset({"ADP-004.12"}),
    "failed",
    "1.0 taken for the integer 1 in every argument",
)


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the bug
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    return value


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        return super().handle(_whole(request))


if __name__ == "__main__":
    run(Adapter)

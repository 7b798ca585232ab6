"""Wrong adapter: ``encode`` reports every refused description as ``bad-request`` (ADP-009.2).

Its description parser treats an object the object rules refuse as a malformed
request, not as an input error of the class the rule names (ADP-007).
"""

from __future__ import annotations

from typing import Any

from gritwit import GritError
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import BadRequest
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-007", "ADP-009.2"}),
    "failed",
    "encode reports every description the object rules refuse as bad-request",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return super().cmd_encode(args)
        except GritError as exc:
            raise BadRequest(str(exc)) from None  # the bug: the spec's class is lost


if __name__ == "__main__":
    run(Adapter)

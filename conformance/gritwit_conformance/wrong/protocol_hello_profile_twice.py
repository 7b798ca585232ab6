"""Wrong adapter: ``hello`` lists a profile twice (ADP-005.4).

The profiles are collected from the command tables of the adapter's modules, and
two of them add ``wit``: the list is ``[…, "wit", …, "wit", …]``. Each claimed profile
must be named once.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-005.4", "ADP-012"}),
    "errored",
    "hello lists the profile wit twice (collected from two command tables)",
    reason="profiles",
    smoke=True,
    breaks_handshake=True,
)


class TwiceWit(ReferenceAdapter):
    def cmd_hello(self, args: Any) -> Any:
        answer = dict(super().cmd_hello(args))
        answer["profiles"] = [*answer["profiles"], "wit"]  # the bug
        return answer


if __name__ == "__main__":
    run(TwiceWit, lambda: None)

"""Broken adapter: ``hello`` leaves out ``implementation.homepage`` (ADP-005.1).

The project has no homepage yet, so the field was dropped.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-005.1", "ADP-012"}),
    "errored",
    "hello leaves out implementation.homepage",
    reason="result of hello breaks the protocol schema",
    smoke=True,
    breaks_handshake=True,
)


class Adapter(ReferenceAdapter):
    def cmd_hello(self, args: dict[str, Any]) -> dict[str, Any]:
        result = super().cmd_hello(args)
        del result["implementation"]["homepage"]  # the bug
        return result


if __name__ == "__main__":
    run(Adapter)

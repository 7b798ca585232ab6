"""Wrong adapter: ``hello`` takes a ``protocol`` of ``1.0`` or ``true`` for version 1
(ADP-004.12, ADP-004.6), as Python's ``1.0 == 1`` and ``True == 1`` do, and refuses
``"1"`` as an unsupported version: the reference's own ``hello`` before the reading was
pinned, where a ``protocol`` that is no integer is ``bad-request``, an argument's fault
found before ADP-005.2 compares versions.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import PROTOCOL_VERSION, ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-004.12", "ADP-004.6"}),
    "failed",
    "hello accepts protocol 1.0 and true as version 1 and answers unsupported-protocol "
    "to the text 1",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_hello(self, args: dict[str, Any]) -> dict[str, Any]:
        given = args.get("protocol")
        if given == PROTOCOL_VERSION:  # the bug: 1.0 and True compare equal to 1
            given = PROTOCOL_VERSION
        elif not isinstance(given, int):
            given = 0  # the bug: no integer, refused as another version (ADP-005.2)
        return super().cmd_hello({**args, "protocol": given})


if __name__ == "__main__":
    run(Adapter)

"""Wrong adapter: a message's ``data`` is given in hex, not base64 (SBX-010.2).

The host writes each pending message's content data into ``/input/transition.json``
as lowercase hex, the protocol's habit, where the chapter says base64.
"""

from __future__ import annotations

import base64
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-010.2"}),
    "failed",
    "gives a pending message's data in hex instead of base64",
    timeout=STARTUP_TIMEOUT,
)

_real = _actor.message_json


def message_json(reader: Any, sender: Any, item: Any) -> dict[str, Any]:
    found = _real(reader, sender, item)
    if found["data"] is not None:
        found["data"] = base64.b64decode(found["data"]).hex()  # the bug
    return found


def install() -> None:
    patch(_actor, "message_json", message_json)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: reads byte strings with ``bytes.fromhex`` alone (ADP-004.2).

``bytes.fromhex`` takes uppercase digits and spaces, so such requests are
answered instead of refused with ``bad-request``.
"""

from __future__ import annotations

from typing import Any

import gritwit.adapter._handler as handler
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import BadRequest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-004.2"}),
    "failed",
    "reads byte strings with bytes.fromhex: uppercase digits and spaces are accepted",
    smoke=True,
)


def lax_hex(args: dict[str, Any], key: str) -> bytes:
    try:
        return bytes.fromhex(args[key])  # the bug: any case, spaces allowed
    except (KeyError, TypeError, ValueError):
        raise BadRequest(f"{key} must be hex") from None


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(handler, "_hex", lax_hex))

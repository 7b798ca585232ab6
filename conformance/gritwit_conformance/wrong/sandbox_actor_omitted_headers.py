"""Wrong adapter: a message handed omitted keeps its headers (SBX-010.6).

The host leaves out an oversize message's data but hands its headers, which may be what
made it oversize: the omitted object is not the one SBX-010.6 writes.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _input
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-010.6"}),
    "failed",
    "keeps an omitted message's headers",
    timeout=STARTUP_TIMEOUT,
)

_real = _input.omitted_json


def omitted_json(sender: Any, item: Any, size: int) -> dict[str, Any]:
    found = _real(sender, item, size)
    found["headers"] = dict(item.message.headers)  # the bug
    return found


def install() -> None:
    patch(_input, "omitted_json", omitted_json)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

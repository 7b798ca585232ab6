"""Wrong adapter: a message whose content is not a blob is shown with empty data
(SBX-015.1, SBX-010.2).

The host writes ``data: ""`` where the content is a tree — the genesis message above
all —, instead of ``null``: a program cannot tell its genesis from an empty message.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-015.1", "SBX-010.2"}),
    "failed",
    'shows a message whose content is not a blob, the genesis above all, with data "" '
    "instead of null",
    timeout=STARTUP_TIMEOUT,
)

_real = _actor.message_json


def message_json(reader: Any, sender: Any, item: Any) -> dict[str, Any]:
    found = _real(reader, sender, item)
    if found["data"] is None:
        found["data"] = ""  # the bug
    return found


def install() -> None:
    patch(_actor, "message_json", message_json)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

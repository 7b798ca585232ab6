"""Wrong adapter: a transition is handed every pending message, however many bytes (SBX-010.5).

The host writes the whole pending list into ``/input/transition.json``, as it once did:
two messages past the input bound together are handed in one transition.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-010.5"}),
    "failed",
    "hands a transition every pending message, past the input bound",
    timeout=STARTUP_TIMEOUT,
)

_real = _actor.handed


def handed(reader: Any, pending: Any, start: Any, build: Any, bound: int = 0) -> Any:
    return _real(reader, pending, start, build, 1 << 62)  # the bug: no bound


def install() -> None:
    patch(_actor, "handed", handed)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a malformed ``/out/sends.json`` means no sends (SBX-004.5).

The host reads the file leniently: when it is not a list of well-formed sends it
answers the run as successful with no sends, instead of ``invalid-transition``.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import InvalidTransition
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-004.5"}),
    "failed",
    "a malformed /out/sends.json means no sends instead of invalid-transition",
    timeout=STARTUP_TIMEOUT,
)

_real = _run._sends


def sends(data: bytes | None, limit: int) -> Any:
    try:
        return _real(data, limit)
    except InvalidTransition:
        return ()  # the bug


def install() -> None:
    patch(_run, "_sends", sends)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

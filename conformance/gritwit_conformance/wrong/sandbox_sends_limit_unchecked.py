"""Wrong adapter: ``/out/sends.json`` has no size limit of its own (SBX-007.3).

The host checks the file's size only against the write budget, never against the
sends limit: a file one byte over it is read as usual.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-007.3"}),
    "failed",
    "/out/sends.json is not checked against the sends limit",
    timeout=STARTUP_TIMEOUT,
)

_real = _run._sends


def sends(data: bytes | None, limit: int) -> Any:
    return _real(data, 1 << 62)  # the bug


def install() -> None:
    patch(_run, "_sends", sends)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

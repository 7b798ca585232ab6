"""Wrong adapter: a Python actor answers every query with an empty blob (SBX-014.1).

Instead of ``unknown-query``, the host answers a query of a ``python-wasi`` actor,
``wut`` included, with an empty answer.
"""

from __future__ import annotations

from typing import Any

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-014.1"}),
    "failed",
    "answers every query of a Python actor with an empty blob instead of unknown-query",
    timeout=STARTUP_TIMEOUT,
)


def query(self: _actor.SandboxWit, name: str, inp: Any) -> Blob:
    return Blob(data=b"")  # the bug


def install() -> None:
    patch(_actor.SandboxWit, "query", query)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

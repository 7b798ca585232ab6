"""Wrong adapter: the interpreter's stack exhausted is reported as a generic trap (SBX-008.6).

The host classifies every trap away from the memory limit as ``trap``, as it once did:
recursion through C past the interpreter's stack fails ``trap`` instead of
``stack-exhausted``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-008.6"}),
    "failed",
    "reports the interpreter's stack exhausted as a generic trap",
    timeout=STARTUP_TIMEOUT,
)


def _stack_exhausted(trap: Any, instance: Any, store: Any) -> bool:
    return False  # the bug


def install() -> None:
    patch(_run, "_stack_exhausted", _stack_exhausted)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

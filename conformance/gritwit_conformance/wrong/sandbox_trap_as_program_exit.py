"""Wrong adapter: a trap of the interpreter is a ``program-exit`` (SBX-008.4).

The host maps every way the interpreter stops abnormally to ``program-exit``: an
``abort()`` (an ``unreachable`` trap) is not reported as ``trap``.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import FuelExhausted, GritError, ProgramExit
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-008.4"}),
    "failed",
    "every trap but fuel is reported as program-exit, not trap",
    timeout=STARTUP_TIMEOUT,
)

_real = _run._typed


def typed(trap: Any) -> GritError:
    error = _real(trap)
    if isinstance(error, FuelExhausted):
        return error
    return ProgramExit("SBX-008.3", "the program stopped abnormally")  # the bug


def install() -> None:
    patch(_run, "_typed", typed)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

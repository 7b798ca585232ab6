"""Wrong adapter: a forbidden operation ends the run as ``program-exit`` (CONV-004).

An implementation written to spec 0.1.0, whose class table had no
``forbidden-operation`` (added with SBX-008 in 0.2.0), ends a run that tried a forbidden
call as if the program had exited: every run the sandbox stops for a forbidden
operation fails ``program-exit``.  Everything else is the reference's.  Its failures are
checks of a class, so each names CONV-004, and an implementation claiming 0.1.0 sees
them marked by the class table's entry that added ``forbidden-operation`` (ADP-005.5).
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import ProgramExit
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"CONV-004", "SBX-008.2"}),
    "failed",
    "a forbidden operation ends the run as program-exit, a class the table did not yet "
    "list forbidden-operation beside",
    timeout=STARTUP_TIMEOUT,
)


def forbidden(state: Any, stderr: Any) -> ProgramExit:
    return ProgramExit("SBX-008.3", "the program stopped")  # the bug: no forbidden-operation


def install() -> None:
    patch(_run, "_forbidden", forbidden)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

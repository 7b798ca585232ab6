"""Wrong adapter: a memory limit the interpreter cannot start in is ``program-exit`` (SBX-006.8).

The host does not tell a start-up that failed for want of memory from a program that
failed: below the interpreter's floor the run ends as a non-zero exit (or, when the
module's minimum is refused, the host's error), never ``memory-limit``.
"""

from __future__ import annotations

from gritwit._errors import ProgramExit
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.8"}),
    "failed",
    "a memory limit the interpreter cannot start in ends the run program-exit, not memory-limit",
    timeout=STARTUP_TIMEOUT,
)


def below_floor(limits: _run.SandboxLimits, why: str) -> ProgramExit:
    return ProgramExit("SBX-008.3", f"the program exited: {why[:120]}")  # the bug


def install() -> None:
    patch(_run, "_below_floor", below_floor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

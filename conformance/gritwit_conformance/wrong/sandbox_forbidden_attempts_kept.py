"""Wrong adapter: every forbidden attempt is kept and named (SBX-008.5).

The host records each attempt a program makes at a forbidden operation and names them
all in the run's ``forbidden-operation``: a program that makes and catches attempts in a
loop makes the host hold a list, and answer a message, that grows with them (200 000
attempts: a message of 52 MB, a host of 442 MiB).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _state
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-008.5"}),
    "failed",
    "every forbidden attempt is kept and named in the run's forbidden-operation: 20 000 "
    "caught attempts give a message of some 5 MB",
    timeout=STARTUP_TIMEOUT,
)


def refused(self: _state.WasiState, what: str) -> None:
    self.forbidden.append(what)  # the bug: every one kept


def install() -> None:
    patch(_state.WasiState, "refused", refused)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

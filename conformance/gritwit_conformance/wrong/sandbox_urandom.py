"""Wrong adapter: ``random_get`` fills from the host's ``os.urandom`` (SBX-005.5, SBX-009.1).

A program's randomness and ``os.urandom`` differ from run to run: the same program,
core and input no longer give the same answer. (The interpreter's start-up, which the
host snapshots once, keeps its seeded stream, so the snapshot stays cacheable.)
"""

from __future__ import annotations

import os

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _snapshot
from gritwit.sandbox.wasi import _state
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.5", "SBX-009.1"}),
    "failed",
    "random_get fills from the host's os.urandom: runs differ",
    timeout=STARTUP_TIMEOUT,
)

_real = _state.WasiState.random


def random(self: _state.WasiState, length: int) -> bytes:
    if self.seed in (b"", _snapshot.STARTUP_SEED):  # the start-up, snapshotted once
        return _real(self, length)
    return os.urandom(length)  # the bug: a program's randomness


def install() -> None:
    patch(_state.WasiState, "random", random)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

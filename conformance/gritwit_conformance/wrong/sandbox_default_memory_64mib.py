"""Wrong adapter: the default memory limit is 64 MiB (SBX-006.3).

The host's default for ``memory`` is wasmtime-sized 64 MiB rather than the chapter's
256 MiB: a run that leaves ``memory`` out fails ``memory-limit`` where the reference's
passes.
"""

from __future__ import annotations

from typing import Any

import gritwit.sandbox as sandbox
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.3", "ADP-019.2"}),
    "failed",
    "the default memory limit is 64 MiB instead of 256 MiB",
    timeout=STARTUP_TIMEOUT,
)

_Real = sandbox.SandboxLimits


def limits(**given: Any) -> Any:
    given.setdefault("memory_bytes", 64 << 20)  # the bug
    return _Real(**given)


def install() -> None:
    patch(sandbox, "SandboxLimits", limits)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a limit may be any unsigned 64-bit integer (SBX-006.9).

The host checks a caller's limits against 2**64 - 1, the range of its counters, not
2**53 - 1: a limit of 2**53, which no JSON reader holds exactly, runs.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter, _sandbox
from gritwit.sandbox import _run
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_sandbox, "MAX_LIMIT", (1 << 64) - 1)  # the bug
    patch(_run, "MAX_LIMIT", (1 << 64) - 1)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

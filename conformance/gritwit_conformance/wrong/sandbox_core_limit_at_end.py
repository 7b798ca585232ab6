"""Wrong adapter: writes are not counted as they are made; only the core left at the
end is measured (SBX-007.4).

The host checks the core limit when it reads ``/core`` back, as a host directory
would have it: a program may write gigabytes to a file and remove it before exiting,
and its run succeeds.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-007.4"}),
    "failed",
    "no write budget: only the core left at the end is measured, so a program may write and "
    "remove any amount",
    timeout=STARTUP_TIMEOUT,
)


def charge(self: _fs.Filesystem, count: int) -> None:
    return None  # the bug: no write budget


def install() -> None:
    patch(_fs.Filesystem, "charge", charge)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

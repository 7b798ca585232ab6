"""Wrong adapter: inode numbers are handed out by a counter (SBX-005.11).

Like a host file system, the host numbers files and directories 2, 3, 4, … in the
order they are first looked at, and every device is 1: stable within a run, but not
the numbers derived from the path that the chapter fixes.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls, _fs, _paths
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.11"}),
    "failed",
    "numbers inodes 2, 3, … in the order they are first looked at, every device 1",
    timeout=STARTUP_TIMEOUT,
)

#: Numbers by the SHA-256 of the path they stand for (the host hashes paths as it walks).
_NUMBERS: dict[bytes, int] = {}


def path_number(path: str) -> int:
    return 1  # the device: every preopen's name


def number(hashed: Any) -> int:
    return _NUMBERS.setdefault(hashed.digest(), len(_NUMBERS) + 2)  # the bug


def install() -> None:
    patch(_calls, "path_number", path_number)
    patch(_paths, "path_number", path_number)
    patch(_fs, "_number", number)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

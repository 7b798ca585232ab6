"""Wrong adapter: inode numbers are handed out by a counter (SBX-005.11).

Like a host file system, the host numbers files and directories 2, 3, 4, … in the
order they are first looked at, and every device is 1: stable within a run, but not
the numbers derived from the path that the chapter fixes.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls, _paths
from gritwit_conformance.wrong import patch, run

_NUMBERS: dict[str, int] = {}


def path_number(path: str) -> int:
    if path in ("/core", "/input", "/out"):
        return 1  # the device
    return _NUMBERS.setdefault(path, len(_NUMBERS) + 2)  # the bug


def install() -> None:
    patch(_calls, "path_number", path_number)
    patch(_paths, "path_number", path_number)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

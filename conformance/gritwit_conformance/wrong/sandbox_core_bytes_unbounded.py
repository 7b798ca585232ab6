"""Wrong adapter: the mount bounds a core's entries but not its bytes (SBX-006.16).

The walk counts entries over distinct trees as it should (SBX-006.15) but never compares
the files' bytes with the run's core limit: a core whose files hold more than the limit
mounts and the program runs, so a program that removes a file before it exits leaves a
core within the limit, and one that exits non-zero fails ``program-exit``, where the run
must fail ``output-too-large`` before the interpreter starts.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _mount
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.16"}),
    "failed",
    "mounts a core whose files hold more than the core limit: only its entries are bounded",
    timeout=STARTUP_TIMEOUT,
)

_count = _mount.count_entries


def count_entries(
    store: Any,
    tree_id: Any,
    top: Any,
    mounted: Any,
    max_entries: int,
    max_bytes: int = _mount.MAX_CORE_BYTES,
) -> int:
    return _count(store, tree_id, top, mounted, max_entries, 1 << 62)  # the bug: no byte bound


def install() -> None:
    patch(_mount, "count_entries", count_entries)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

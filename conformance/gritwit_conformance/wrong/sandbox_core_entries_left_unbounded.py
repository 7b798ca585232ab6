"""Wrong adapter: a core's entries are bounded where it is mounted, not on what a run
leaves behind (SBX-006.15).

SBX-006.15 bounds a core at 2**18 entries both at the mount and on the files and
directories a run leaves under ``/core``.  An implementer who counts only before the
mount lets a run leave a core that every later run refuses.  A bound checked
where a thing enters by one path but not on what a run leaves behind.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.15"}),
    "failed",
    "bounds a core's entries at the mount only: a run may leave more than 2**18",
    timeout=STARTUP_TIMEOUT,
)

_unmount = _run.unmount_tree


def unmount_tree(
    store: Any, directory: Any, mounted: Any, max_bytes: int, max_entries: int = 2**18
) -> Any:
    return _unmount(store, directory, mounted, max_bytes, 2**62)  # the bug: no entry bound


def install() -> None:
    patch(_run, "unmount_tree", unmount_tree)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: every file of the new core becomes a blob without headers (SBX-004.3).

The host reads ``/core`` back without remembering what it mounted: a file left
untouched loses the headers of its blob, and so its id.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _mount, _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-004.3"}),
    "failed",
    "reads /core back without what it mounted: an untouched file loses its blob's headers and id",
    timeout=STARTUP_TIMEOUT,
)

_real = _run.unmount_tree


def unmount_tree(
    store: Any,
    directory: Any,
    mounted: Any,
    max_bytes: int,
    max_entries: int = _mount.MAX_CORE_ENTRIES,
) -> Any:
    # the bug: nothing is recognised
    return _real(store, directory, _mount.Mounted(), max_bytes, max_entries)


def install() -> None:
    patch(_run, "unmount_tree", unmount_tree)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

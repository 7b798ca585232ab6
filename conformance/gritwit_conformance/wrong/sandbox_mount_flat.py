"""Wrong adapter: only the core's top-level blobs are mounted (SBX-004.1).

The host mounts the blobs directly under the core as files and skips its subtrees,
so a program never sees them, and they are gone from the new core.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _mount, _run
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-004.1"}),
    "failed",
    "mounts only the core's top-level blobs, not its subtrees",
    timeout=STARTUP_TIMEOUT,
)

_real = _run.mount_tree


def mount_tree(
    store: Any,
    tree_id: Any,
    max_entries: int = _mount.MAX_CORE_ENTRIES,
    max_bytes: int = _mount.MAX_CORE_BYTES,
) -> Any:
    root, mounted = _real(store, tree_id, max_entries, max_bytes)
    for name in [n for n, node in root.entries.items() if isinstance(node, _fs.Directory)]:
        del root.entries[name]  # the bug
    return root, mounted


def install() -> None:
    patch(_run, "mount_tree", mount_tree)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

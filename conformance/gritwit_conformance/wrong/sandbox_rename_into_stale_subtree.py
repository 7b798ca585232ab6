"""Wrong adapter: a directory may move into its own subtree through a stale descriptor (SBX-005.20).

``path_rename`` checks only the target's chain as it was when its descriptor was
opened, as the reference did before: once the directory the descriptor names has moved
into the renamed one, the rename succeeds and cuts a cycle off the tree.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs, _paths
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.20"}),
    "failed",
    "path_rename checks only the target descriptor's chain as it was opened: a directory "
    "moves into its own subtree through a stale descriptor",
    timeout=STARTUP_TIMEOUT,
)


def holds(state: object, top: _fs.Directory, wanted: _fs.Directory) -> bool:
    return False  # the bug: the tree as it is now is never walked


def install() -> None:
    patch(_paths, "_holds", holds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

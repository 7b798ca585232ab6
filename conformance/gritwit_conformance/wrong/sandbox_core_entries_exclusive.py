"""Wrong adapter: the bound on a core's expansion is exclusive (SBX-006.15).

The mount counts a core's entries over its distinct trees as it should, but refuses a
core of exactly 2**18 entries, the bound itself, with ``output-too-large``: a ``>=``
for a ``>``.  A core at the bound must mount; one entry more must not.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _mount
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.15"}),
    "failed",
    "refuses a core of exactly 2**18 entries, the bound of its expansion, with "
    "output-too-large (>= for >)",
    timeout=STARTUP_TIMEOUT,
)

_count = _mount.count_entries


def count_entries(
    store: Any, tree_id: Any, top: Any, mounted: Any, max_entries: int, *rest: Any
) -> int:
    return _count(store, tree_id, top, mounted, max_entries - 1, *rest)  # the bug: >= for >


def install() -> None:
    patch(_mount, "count_entries", count_entries)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: a core's walks read an object at every name that names it (SBX-006.15).

The bound's walk where a ``python-wasi`` core enters (SBX-006.17) and the mount's count
(SBX-006.15) find the right sums and refuse what they should, but each then asks the
runtime's reader again for the object at every name of every tree it counted — as the
presence check once did for blobs, and does again here — instead of once per distinct
object, and a genesis reads through that reader with no memo of its own.  A core at the bound is
mountable, yet a flat one of 2**18 names of one blob costs 2**18 reads (each a tombstone
query on a SQLite store) at each walk: its genesis overruns RUN-005.1's default bound on
a transition and fails ``time-limit`` at every attempt, where it must be adopted.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor, _mount
from gritwit.wit import _assemble, _executor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-006.15", "RUN-005.10"}),
    "failed",
    "reads an object of a core at every name that names it, at the bound's walk and at "
    "the mount: a flat core of 2**18 names overruns the default bound on a transition",
    timeout=STARTUP_TIMEOUT,
)

_count = _mount.count_entries


def count_entries(
    store: Any, tree_id: Any, top: Any, mounted: Any, max_entries: int, *rest: Any
) -> int:
    counted = _count(store, tree_id, top, mounted, max_entries, *rest)
    for tree in (top, *mounted.trees.values()):
        for oid in tree.entries.values():
            store.get_object(oid)  # the bug: read again at every name, not once an object
    return counted


_check = _assemble.check_core_present


def check_core_present(reader: Any, tree: Any, *rest: Any) -> None:
    _check(reader, tree, *rest)
    stack = [tree]
    while stack:  # the bug: every name's object asked and read again, a tree's walked again
        for oid in stack.pop().entries.values():
            if reader.has(oid) and type(found := reader.get_object(oid)) is type(tree):
                stack.append(found)


def read_once(base: Any) -> Any:
    return base  # the bug: a genesis reads through the runtime's reader, no memo of its own


def install() -> None:
    patch(_mount, "count_entries", count_entries)
    patch(_actor, "count_entries", count_entries)
    patch(_executor, "ReadOnce", read_once)
    patch(_assemble, "check_core_present", check_core_present)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

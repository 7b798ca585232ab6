"""Wrong adapter: the tree name check forgets the empty name (OBJ-011)."""

from __future__ import annotations

from gritwit import _objects
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-011.1"}),
    "failed",
    'the tree name check lets the empty name "" through (encode and decode)',
    smoke=True,
)

check_tree_name = _objects.check_tree_name


def lax_check_tree_name(name: str) -> None:
    if name != "":  # the bug: "" is not refused
        check_tree_name(name)


def install() -> None:
    patch(_objects, "check_tree_name", lax_check_tree_name)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

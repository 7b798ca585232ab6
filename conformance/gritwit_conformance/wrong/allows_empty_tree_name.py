"""Wrong adapter: the tree name check forgets the empty name (OBJ-011)."""

from __future__ import annotations

from gritwit import _objects
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import patch, run

check_tree_name = _objects.check_tree_name


def lax_check_tree_name(name: str) -> None:
    if name != "":  # the bug: "" is not refused
        check_tree_name(name)


def install() -> None:
    patch(_objects, "check_tree_name", lax_check_tree_name)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

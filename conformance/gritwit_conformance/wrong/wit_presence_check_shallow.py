"""Wrong adapter: the presence check of a new core looks at its own entries only (WIT-007.4).

Each changed entry of the core must name a present object, but the check does not
descend into trees: a core whose entry ``t`` is a tree the transition created is
adopted although an entry below ``t`` names an object stored nowhere, where the
check is recursive and the transition fails ``invalid-transition``.
"""

from __future__ import annotations

from gritwit._errors import InvalidTransition
from gritwit._ids import ObjectId
from gritwit._maps import raw_of
from gritwit._objects import Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _assemble
from gritwit.wit._model import ObjectReader
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit", "wasm"),
    frozenset({"WIT-007.4"}),
    "failed",
    "the presence check of a new core looks at its own entries only, not below trees",
    smoke=False,
)


def shallow_present(
    reader: ObjectReader, tree: Tree, before: Tree | None = None, path: str = ""
) -> None:
    old = {} if before is None else raw_of(before.entries)
    for name, digest in raw_of(tree.entries).items():  # the bug: no descent into trees
        if old.get(name) == digest:
            continue
        oid = ObjectId._trusted(digest)
        if not reader.has(oid):
            raise InvalidTransition("WIT-007.3", f"core entry {path}{name} ({oid}) is not provided")


def install() -> None:
    patch(_assemble, "check_core_present", shallow_present)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter: the default update merges one level down only (WIT-013.4).

WIT-013.4 merges two trees of the same name recursively.  An implementer who merges the
core's own sub-trees entry by entry, but replaces whatever those sub-trees hold whole
(a loop over the update's entries, one nested map copy, no recursion), passes every test
that updates one entry of a sub-tree, and loses the old entries of any tree two or more
levels down that the update names.  Caught only through Wasm images before.
"""

from __future__ import annotations

from gritwit._codec import object_id
from gritwit._objects import GritObject, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit.wit._model import ObjectReader, get_tree
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-013.4"}),
    "failed",
    "the default update merges the core's sub-trees but replaces their own sub-trees whole",
)


def _one_level(
    reader: ObjectReader, old: Tree, update: Tree
) -> tuple[Tree, tuple[GritObject, ...]]:
    created: list[GritObject] = []
    entries = dict(old.entries)
    for name, new in update.entries.items():
        current = entries.get(name)
        old_sub = None if current is None else get_tree(reader, current)
        new_sub = get_tree(reader, new)
        if old_sub is not None and new_sub is not None and current != new:
            sub = Tree(entries={**old_sub.entries, **new_sub.entries})  # the bug: no recursion
            created.append(sub)
            entries[name] = object_id(sub)
        else:
            entries[name] = new
    merged = Tree(entries=entries)
    created.append(merged)
    return merged, tuple(created)


def install() -> None:
    patch(_executor, "merge", _one_level)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

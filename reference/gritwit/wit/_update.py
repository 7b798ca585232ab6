"""The default update: merging a partial core into the core (WIT-013.4).

An entry of the update replaces the entry of the same name, except that two
trees of the same name are merged recursively.  The merge never deletes a name
(trees cannot be empty, OBJ-010, and there is no tombstone); deletions need a
``wit_update`` function (WIT-014).
"""

from __future__ import annotations

from .._codec import object_id
from .._ids import ObjectId
from .._objects import GritObject, Tree
from ._model import ObjectReader, get_tree

__all__ = ["merge"]


def merge(reader: ObjectReader, old: Tree, update: Tree) -> tuple[Tree, tuple[GritObject, ...]]:
    """``old`` merged with ``update`` (WIT-013.4), and the new trees the merge built.

    ``reader`` must hold the subtrees of both; the returned objects include the
    merged tree itself.
    """
    created: list[GritObject] = []
    merged = _merge(reader, old, update, created)
    return merged, tuple(created)


def _merge(reader: ObjectReader, old: Tree, update: Tree, created: list[GritObject]) -> Tree:
    """Replace entry by entry, two trees of the same name merged recursively (WIT-013.4)."""
    entries: dict[str, ObjectId] = dict(old.entries)
    for name, new in update.entries.items():
        current = entries.get(name)
        if current is not None and current != new:
            old_sub, new_sub = get_tree(reader, current), get_tree(reader, new)
            if old_sub is not None and new_sub is not None:
                entries[name] = object_id(_merge(reader, old_sub, new_sub, created))
                continue
        entries[name] = new
    merged = Tree(entries=entries)
    created.append(merged)
    return merged

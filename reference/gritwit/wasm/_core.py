"""The guest's working copy of a core, addressed by paths (WASM-008, WASM-011).

A path is entry names joined by ``/``.  Reads walk stored trees without copying
them; a write copies only the trees on its path into :class:`_Node` dicts, and
:meth:`WorkingCore.finish` turns those back into trees, so a step costs what it
changed, not the size of its core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from .._codec import object_id
from .._errors import GritError, InvalidName, InvalidTransition
from .._ids import ObjectId
from .._objects import Blob, GritObject, Tree, check_tree_name
from ..wit._model import ObjectReader, get_tree

__all__ = ["WorkingCore", "parse_path"]


@dataclass(slots=True)
class _Node:
    """A tree being edited: entry name -> id (unchanged object) or another node."""

    entries: dict[str, ObjectId | _Node] = field(default_factory=dict)


_Entry: TypeAlias = ObjectId | _Node


def parse_path(raw: bytes) -> tuple[str, ...] | None:
    """The names of a path, or ``None`` when it is empty or a name is invalid (OBJ-011)."""
    try:
        names = tuple(raw.decode("utf-8").split("/"))
    except UnicodeDecodeError:
        return None
    try:
        for name in names:
            check_tree_name(name)
    except InvalidName:
        return None
    return names


class WorkingCore:
    """The core as the guest sees it during one call: the input core plus its writes."""

    __slots__ = ("_reader", "_root")

    def __init__(self, reader: ObjectReader, core: Tree) -> None:
        self._reader = reader
        self._root = _Node(dict(core.entries))

    # --- reading -------------------------------------------------------------------------

    def lookup(self, names: tuple[str, ...]) -> Blob | None:
        """The blob at ``names`` (seeing earlier writes), or ``None`` when absent or no blob.

        An edited tree is never a blob: it is not built, so a read costs its path only.
        """
        entry: _Entry | None = self._root
        for name in names:
            entry = self._child(entry, name)
            if entry is None:
                return None
        if isinstance(entry, _Node) or entry is None or not self._reader.has(entry):
            return None  # e.g. linked to an object not present (yet): WIT-007 decides later
        found = self._reader.get_object(entry)
        return found if isinstance(found, Blob) else None

    def _child(self, entry: _Entry | None, name: str) -> _Entry | None:
        if isinstance(entry, _Node):
            return entry.entries.get(name)
        tree = None if entry is None else get_tree(self._reader, entry)
        return None if tree is None else tree.entries.get(name)

    # --- writing -------------------------------------------------------------------------

    def _parent(self, names: tuple[str, ...], create: bool) -> _Node | None:
        """The node holding the last name of ``names``; ``None`` if a step is not a tree."""
        node = self._root
        for name in names[:-1]:
            child = node.entries.get(name)
            if child is None:
                if not create:
                    return None
                child = node.entries[name] = _Node()
            elif not isinstance(child, _Node):
                tree = get_tree(self._reader, child)
                if tree is None:
                    return None
                child = node.entries[name] = _Node(dict(tree.entries))
            node = child
        return node

    def set(self, names: tuple[str, ...], oid: ObjectId) -> bool:
        """Point ``names`` at ``oid``, creating absent trees on the way (WASM-011)."""
        parent = self._parent(names, create=True)
        if parent is None:
            return False
        parent.entries[names[-1]] = oid
        return True

    def delete(self, names: tuple[str, ...]) -> bool:
        """Remove ``names``; trees left empty disappear too (OBJ-010). ``False`` if absent."""
        parent = self._parent(names, create=False)
        if parent is None or names[-1] not in parent.entries:
            return False
        del parent.entries[names[-1]]
        return True

    # --- the result ----------------------------------------------------------------------

    def finish(self) -> tuple[Tree, list[GritObject]]:
        """The new core and the trees created for it (the core last)."""
        created: list[GritObject] = []
        core = self._build(self._root, created)
        if core is None:
            raise InvalidTransition("WIT-015", "the guest deleted every entry of its core")
        return core, created

    def _build(self, root: _Node, created: list[GritObject]) -> Tree | None:
        """``root`` as a tree, children before parents in ``created``; ``None`` if empty.

        Iterative, so a path of any depth (one name per two bytes of guest memory)
        cannot exhaust Python's stack.
        """
        built: dict[int, Tree | None] = {}
        stack: list[tuple[_Node, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if not ready:
                stack.append((node, True))
                children = [entry for entry in node.entries.values() if isinstance(entry, _Node)]
                stack.extend((child, False) for child in reversed(children))
                continue
            entries: dict[str, ObjectId] = {}
            for name, entry in node.entries.items():
                if isinstance(entry, _Node):
                    tree = built.pop(id(entry))
                    if tree is None:
                        continue  # an emptied tree disappears (OBJ-010)
                    entry = object_id(tree)
                entries[name] = entry
            if not entries:
                built[id(node)] = None
                continue
            try:
                tree = Tree(entries=entries)
            except GritError as exc:  # pragma: no cover - names are checked by parse_path
                raise InvalidTransition(
                    "WASM-011", f"the guest built an invalid tree: {exc}"
                ) from exc
            created.append(tree)
            built[id(node)] = tree
        return built[id(root)]


def blob_data(obj: GritObject | None) -> bytes | None:
    """The data of ``obj`` if it is a blob."""
    return obj.data if isinstance(obj, Blob) else None

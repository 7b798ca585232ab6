"""The guest's working copy of a core, addressed by paths (WASM-008, WASM-011).

A path is entry names joined by ``/``.  Reads walk stored trees without copying
them; a write copies only the trees on its path into :class:`_Node` dicts, and
:meth:`WorkingCore.finish` turns those back into trees, so a step costs what it
changed, not the size of its core.  The input core itself is copied on the first
write only: a step that writes nothing returns it as it came (WASM-011.7).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final, TypeAlias, cast

from .._codec import object_id
from .._errors import InvalidName, InvalidTransition, ObjectNotFound
from .._ids import ObjectId
from .._maps import TreeEntries, canonical_key_order
from .._objects import Blob, GritObject, Tree, check_tree_name
from ..wit._model import ObjectReader, Overlay, get_tree

__all__ = ["WorkingCore", "parse_path"]


@dataclass(slots=True)
class _Node:
    """A tree being edited: entry name -> id (unchanged object) or another node."""

    entries: dict[str, ObjectId | _Node] = field(default_factory=dict)


_Entry: TypeAlias = ObjectId | _Node | Tree


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


#: The dict behind a tree's entries or a message's headers, as ``raw_of`` without its
#: check (the objects' constructors make them canonical maps): no Python call of its own.
raw_dict: Final[Callable[[Mapping[str, Any]], dict[str, Any]]] = attrgetter("raw")


def tree_entry(tree: Tree, name: str) -> ObjectId | None:
    """Entry ``name`` of ``tree``, or ``None``: one dict look-up, no exception when absent."""
    digest = raw_dict(tree.entries).get(name)
    return None if digest is None else ObjectId._trusted(digest)


class WorkingCore:
    """The core as the guest sees it during one call: the input core plus its writes."""

    __slots__ = ("_core", "_nested", "_reader", "_root")

    def __init__(self, reader: ObjectReader, core: Tree) -> None:
        self._reader = reader
        self._core = core
        #: The root being edited, made on the first write (until then the input core).
        self._root: _Node | None = None
        #: Whether a node below the root was made: if not, the root alone is built.
        self._nested = False

    # --- reading -------------------------------------------------------------------------

    def lookup(self, names: tuple[str, ...]) -> Blob | None:
        """The blob at ``names`` (seeing earlier writes), or ``None`` when absent or no blob.

        An edited tree is never a blob: it is not built, so a read costs its path only.
        """
        entry: _Entry = self._core if self._root is None else self._root
        for name in names:
            child = self._child(entry, name)
            if child is None:
                return None
            entry = child
        if not isinstance(entry, ObjectId):
            return None
        try:
            found = self._reader.get_object(entry)
        except ObjectNotFound:
            return None  # e.g. linked to an object not present (yet): WIT-007 decides later
        return found if isinstance(found, Blob) else None

    def _child(self, entry: _Entry, name: str) -> _Entry | None:
        if isinstance(entry, _Node):
            return entry.entries.get(name)
        tree = entry if isinstance(entry, Tree) else get_tree(self._reader, entry)
        return None if tree is None else tree_entry(tree, name)

    # --- writing -------------------------------------------------------------------------

    def _edited_root(self) -> _Node:
        """The root node, copied from the input core on the first write."""
        root = self._root
        if root is None:
            root = self._root = _node(self._core)
        return root

    def _parent(self, names: tuple[str, ...], create: bool) -> _Node | None:
        """The node holding the last name of ``names``; ``None`` if a step is not a tree."""
        node = self._edited_root()
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
                child = node.entries[name] = _node(tree)
            self._nested = True
            node = child
        return node

    def set(self, names: tuple[str, ...], oid: ObjectId) -> bool:
        """Point ``names`` at ``oid``, creating absent trees on the way (WASM-011)."""
        parent = self._parent(names, create=True)
        if parent is None:
            return False
        parent.entries[names[-1]] = oid
        return True

    def set_new(
        self, names: tuple[str, ...], blob: Blob, add: Callable[[GritObject], ObjectId]
    ) -> bool:
        """:meth:`set` ``names`` to the new ``blob``, hashed by ``add`` only once it is set.

        ``add`` (an :class:`~gritwit.wit.Overlay`'s) makes the blob readable and keeps
        its encoding; a path that cannot hold it leaves it unseen (WASM-011.6).  A blob
        too large to encode fails the call (ENC-013.2) wherever its path leads.
        """
        parent = self._parent(names, create=True)
        if parent is None:
            object_id(blob)
            return False
        parent.entries[names[-1]] = add(blob)
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
        """The new core and the trees created for it (the core last).

        A core the guest never wrote is the input core itself, and creates nothing.
        """
        root = self._root
        if root is None:
            return self._core, []
        created: list[GritObject] = []
        if self._nested:
            core = self._build(root, created)
        else:  # only root entries changed: every entry is an id
            entries = cast("dict[str, ObjectId]", root.entries)
            core = _tree(entries, created) if entries else None
        if core is None:
            raise InvalidTransition("WIT-015", "the guest deleted every entry of its core")
        return core, created

    def _build(self, root: _Node, created: list[GritObject]) -> Tree | None:
        """``root`` as a tree, children before parents in ``created``; ``None`` if empty.

        Iterative, so a path of any depth (one name per two bytes of guest memory)
        cannot exhaust Python's stack.  A tree below the root is hashed through the
        reader when it is an :class:`~gritwit.wit.Overlay`, which keeps its encoding
        for :func:`~gritwit.wit.assemble` (encoded once, ID-001).
        """
        add = self._reader.add if isinstance(self._reader, Overlay) else object_id
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
                    entry = add(tree)
                entries[name] = entry
            built[id(node)] = _tree(entries, created) if entries else None
        return built[id(root)]


def _node(tree: Tree) -> _Node:
    """A node to edit, holding ``tree``'s entries."""
    return _Node(
        {name: ObjectId._trusted(digest) for name, digest in raw_dict(tree.entries).items()}
    )


def _tree(entries: dict[str, ObjectId], created: list[GritObject]) -> Tree:
    """The tree of ``entries`` (not empty), appended to ``created``.

    Not validated again: every name is a stored tree's or passed :func:`parse_path`
    (OBJ-011, valid UTF-8 since decoded from it), every id is an :class:`ObjectId`, and
    the entries are put in canonical order here (OBJ-009); the size limit is the
    encoder's (ENC-013.2).
    """
    raw = {name: entries[name].digest for name in sorted(entries, key=canonical_key_order)}
    tree = Tree(entries=TreeEntries._trusted(raw))
    created.append(tree)
    return tree


def blob_data(obj: GritObject | None) -> bytes | None:
    """The data of ``obj`` if it is a blob."""
    return obj.data if isinstance(obj, Blob) else None

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
from typing import Any, Final, TypeAlias

from .._codec import object_id
from .._errors import InvalidName, InvalidTransition, ObjectNotFound
from .._ids import ObjectId
from .._maps import canonical_key_order
from .._objects import Blob, GritObject, Tree, check_tree_name, tree_of_raw
from ..wit._model import ObjectReader, Overlay, get_tree

__all__ = ["WorkingCore", "parse_path"]


@dataclass(slots=True)
class _Node:
    """A tree being edited: entry name -> an unchanged object's id (its digest) or a node.

    Ids are kept as the 32 bytes of their digest, as a tree's own entries are, so a
    tree is copied into a node, and a node back into a tree, by dict copies alone.
    """

    entries: dict[str, bytes | _Node] = field(default_factory=dict)
    #: The names of the tree it was copied from, in canonical order: while the names
    #: are still these, in this order, building it back needs no sort (OBJ-009).
    canonical: tuple[str, ...] = ()


_Entry: TypeAlias = bytes | _Node | Tree


#: Paths parsed so far (:func:`parse_path` is a pure function of the bytes): a guest names
#: the same few paths in every call.  Bounded: emptied when full.
_PATHS: Final[dict[bytes, tuple[str, ...] | None]] = {}
#: The most paths :data:`_PATHS` keeps, and the longest path it keeps (longer ones are
#: parsed every time: a hostile guest cannot make the cache hold much).
PATHS_KEPT: Final = 1024
PATH_KEPT_BYTES: Final = 256
_UNPARSED: Final = object()


def parse_path(raw: bytes) -> tuple[str, ...] | None:
    """The names of a path, or ``None`` when it is empty or a name is invalid (WASM-008.2,
    OBJ-011)."""
    names = _PATHS.get(raw, _UNPARSED)
    if names is not _UNPARSED:
        return names  # type: ignore[return-value]
    names = _parse_path(raw)
    if len(raw) <= PATH_KEPT_BYTES:
        if len(_PATHS) >= PATHS_KEPT:
            _PATHS.clear()
        _PATHS[raw] = names
    return names


def _parse_path(raw: bytes) -> tuple[str, ...] | None:
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


#: The dict behind a tree's entries or a message's headers, as ``raw_of`` (the objects'
#: constructors make them canonical maps) but read from the slot, not through the ``raw``
#: property: no Python call of its own.
raw_dict: Final[Callable[[Mapping[str, Any]], dict[str, Any]]] = attrgetter("_raw")
#: ObjectId._trusted without its frame: an entry's digest is 32 bytes (ID-002.1).
_new_id = tuple.__new__


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
            if isinstance(entry, _Node):
                child = entry.entries.get(name)
            else:
                tree = entry if isinstance(entry, Tree) else self._tree(entry)
                child = None if tree is None else raw_dict(tree.entries).get(name)
            if child is None:
                return None
            entry = child
        if not isinstance(entry, bytes):
            return None
        try:
            found = self._reader.get_object(_new_id(ObjectId, (entry,)))  # as ObjectId._trusted
        except ObjectNotFound:
            return None  # e.g. linked to an object not present (yet): WIT-007 decides later
        return found if isinstance(found, Blob) else None

    def _tree(self, digest: bytes) -> Tree | None:
        """The tree whose id is ``digest``, or ``None`` when absent or not a tree."""
        return get_tree(self._reader, _new_id(ObjectId, (digest,)))  # as ObjectId._trusted

    # --- writing -------------------------------------------------------------------------

    def _parent(self, names: tuple[str, ...], create: bool) -> _Node | None:
        """The node holding the last name of ``names``; ``None`` if a step is not a tree.

        The root node is copied from the input core on the first write.
        """
        node = self._root
        if node is None:
            node = self._root = _node(self._core)
        for name in names[:-1]:
            child = node.entries.get(name)
            if child is None:
                if not create:
                    return None
                child = node.entries[name] = _Node()
            elif not isinstance(child, _Node):
                tree = self._tree(child)
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
        parent.entries[names[-1]] = oid.digest
        return True

    def set_new(
        self, names: tuple[str, ...], blob: Blob, add: Callable[[GritObject], ObjectId]
    ) -> bool:
        """:meth:`set` ``names`` to the new ``blob``, hashed by ``add`` only once it is set.

        ``add`` (an :class:`~gritwit.wit.Overlay`'s, behind the host's output count) makes
        the blob readable and keeps its encoding; a path that cannot hold it leaves it
        unseen and unencoded (WASM-011.6): the call returns -1 and counts nothing, however
        large the blob (WASM-018.4).
        """
        parent = self._parent(names, create=True)
        if parent is None:
            return False
        parent.entries[names[-1]] = add(blob).digest
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
            entries: dict[str, bytes] = dict(root.entries)  # type: ignore[arg-type]
            core = _tree(root, entries, created)
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
            entries: dict[str, bytes] = {}
            for name, entry in node.entries.items():
                if isinstance(entry, _Node):
                    tree = built.pop(id(entry))
                    if tree is None:
                        continue  # an emptied tree disappears (OBJ-010)
                    entry = add(tree).digest
                entries[name] = entry
            built[id(node)] = _tree(node, entries, created)
        return built[id(root)]


def _node(tree: Tree) -> _Node:
    """A node to edit, holding ``tree``'s entries (a copy of its dict)."""
    entries = raw_dict(tree.entries)
    return _Node(dict(entries), tuple(entries))


def _tree(node: _Node, entries: dict[str, bytes], created: list[GritObject]) -> Tree | None:
    """The tree of ``node``, whose ids are ``entries``, appended to ``created``; ``None`` if empty.

    Not validated again: every name is a stored tree's or passed :func:`parse_path`
    (OBJ-011, valid UTF-8 since decoded from it), every id is 32 bytes, and the
    entries are put in canonical order here (OBJ-009), unless they are still those of
    the tree the node was copied from; the size limit is the encoder's (ENC-013.2).
    """
    if not entries:
        return None
    if tuple(entries) != node.canonical:
        entries = {name: entries[name] for name in sorted(entries, key=canonical_key_order)}
    tree = tree_of_raw(entries)  # as Tree(entries=TreeEntries._trusted(entries))
    created.append(tree)
    return tree

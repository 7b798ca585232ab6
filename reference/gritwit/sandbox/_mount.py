"""The core tree as a directory, and back (SBX-004).

A tree is a directory, a blob is a regular file holding the blob's data.  A run
mounts the core straight from the store into its in-memory filesystem
(:func:`mount_tree`) and reads it back from there (:func:`unmount_tree`): no host
directory is involved.  Reading back, a file whose bytes equal the blob that was
mounted at the same path keeps that blob's id (and so its headers, SBX-004.3); any
other file becomes a blob without headers; empty directories vanish (trees are
never empty, OBJ-009).

:func:`read_directory` reads a host directory into a tree (``gritwit sandbox run
--mount DIR``); there anything but a regular file or a directory is refused
(SBX-004.4), and links are never followed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .._errors import ForbiddenOperation, InvalidTransition, OutputTooLarge, TooLarge
from .._ids import ObjectId
from .._objects import Blob, Tree
from ..store import Store
from .wasi._fs import Directory, File

__all__ = ["Mounted", "mount_tree", "read_directory", "unmount_tree"]

#: What was mounted: by path under ``/core``, the blob's id and its data (SBX-004.3).
Mounted = dict[str, tuple[ObjectId, bytes]]


def mount_tree(store: Store, tree_id: ObjectId | None) -> tuple[Directory, Mounted]:
    """Tree ``tree_id`` as a :class:`Directory` in memory (SBX-004.1), and what was mounted where.

    A file holds the blob's own ``bytes`` (copied only when the program changes it);
    the map gives, by path, the blob's id and data, so :func:`unmount_tree` keeps an
    unchanged blob's id (SBX-004.3).  ``None`` mounts an empty directory.  The walk
    keeps its own stack: a tree of any depth mounts.
    """
    mounted: Mounted = {}
    root = Directory()
    if tree_id is None:
        return root, mounted
    top = store.get_object(tree_id)
    if not isinstance(top, Tree):
        raise InvalidTransition("SBX-004.1", "the core is not a tree")
    stack = [(top, root, "")]
    while stack:
        tree, directory, prefix = stack.pop()
        for name, child in tree.entries.items():
            obj = store.get_object(child)
            path = f"{prefix}{name}"
            if isinstance(obj, Tree):
                sub = directory.entries[name] = Directory()
                stack.append((obj, sub, path + "/"))
            elif isinstance(obj, Blob):
                directory.entries[name] = File(obj.data)
                mounted[path] = (child, obj.data)
            else:
                raise InvalidTransition(
                    "SBX-004.1", f"core entry {path!r} is neither a tree nor a blob"
                )
    return root, mounted


def unmount_tree(
    store: Store, directory: Directory, mounted: Mounted, max_bytes: int
) -> ObjectId | None:
    """The new core: ``directory`` as a tree put into ``store`` (SBX-004.2, SBX-004.3).

    ``None`` if nothing is left; ``output-too-large`` past ``max_bytes`` of file
    data (SBX-007.3).  A file whose bytes equal the blob mounted at the same path
    keeps that blob's id; an untouched one is recognised without comparing bytes.
    Directories are walked depth first with an explicit stack (any depth), each
    directory's entries in name order.
    """
    budget = max_bytes
    # each frame: a directory, its path prefix, its names still to visit, its entries so far
    frames: list[tuple[Directory, str, Iterator[str], dict[str, ObjectId]]] = [
        (directory, "", iter(sorted(directory.entries)), {})
    ]
    while True:
        current, prefix, names, entries = frames[-1]
        for name in names:
            node, path = current.entries[name], f"{prefix}{name}"
            if isinstance(node, Directory):
                frames.append((node, path + "/", iter(sorted(node.entries)), {}))
                break
            budget -= len(node.data)
            if budget < 0:
                raise OutputTooLarge(
                    "SBX-007.3", "the files left in the mount exceed the core limit"
                )
            old = mounted.get(path)
            if old is not None and (node.data is old[1] or node.data == old[1]):
                entries[name] = old[0]
            else:
                entries[name] = _put(store, Blob(data=bytes(node.data)), path)
        else:
            frames.pop()
            tree_id = _put(store, Tree(entries=entries), prefix or "/core") if entries else None
            if not frames:
                return tree_id
            if tree_id is not None:
                # the directory just finished is the one its parent's walk stopped at
                parent_prefix = frames[-1][1]
                frames[-1][3][prefix[len(parent_prefix) : -1]] = tree_id


def _put(store: Store, obj: Blob | Tree, path: str) -> ObjectId:
    """``obj`` put into ``store``; one too large for an object (ENC-013) → ``output-too-large``.

    A file (or a directory's listing) within the core limit may still be larger than
    one object holds: the run fails as SBX-007.6 says, with a class SBX-008.1 lists.
    """
    try:
        return store.put_object(obj)
    except TooLarge:
        raise OutputTooLarge(
            "SBX-007.6", f"{path[:200]!r} is larger than one object can hold (16 MiB, ENC-013)"
        ) from None


def read_directory(
    store: Store, directory: Path, written: dict[str, ObjectId], max_bytes: int
) -> ObjectId | None:
    """The new core: ``directory`` as a tree put into ``store`` (SBX-004.2, SBX-004.3).

    ``None`` if nothing is left (a core is a non-empty tree, SBX-004.2);
    → ``forbidden-operation`` for a link or special file, ``output-too-large`` past
    ``max_bytes`` of file data (SBX-007.3).
    """
    budget = [max_bytes]
    return _read(store, directory, "", written, budget)


def _read(
    store: Store, directory: Path, prefix: str, written: dict[str, ObjectId], budget: list[int]
) -> ObjectId | None:
    entries: dict[str, ObjectId] = {}
    with os.scandir(directory) as listing:
        items = sorted(listing, key=lambda entry: entry.name)
    for entry in items:
        path = f"{prefix}{entry.name}"
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            child = _read(store, Path(entry.path), path + "/", written, budget)
            if child is not None:
                entries[entry.name] = child
        elif stat.S_ISREG(mode):
            size = entry.stat(follow_symlinks=False).st_size
            budget[0] -= size
            if budget[0] < 0:
                raise OutputTooLarge(
                    "SBX-007.3", "the files left in the mount exceed the core limit"
                )
            data = Path(entry.path).read_bytes()
            old = written.get(path)
            if old is not None and _same(store, old, data):
                entries[entry.name] = old
            else:
                entries[entry.name] = store.put_object(Blob(data=data))
        else:
            raise ForbiddenOperation("SBX-004.4", f"{path!r} is neither a file nor a directory")
    if not entries:
        return None
    return store.put_object(Tree(entries=entries))


def _same(store: Store, blob_id: ObjectId, data: bytes) -> bool:
    blob = store.get_object(blob_id)
    return isinstance(blob, Blob) and blob.data == data

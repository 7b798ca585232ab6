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
from dataclasses import dataclass, field
from pathlib import Path

from .._errors import ForbiddenOperation, InvalidTransition, OutputTooLarge, TooLarge
from .._ids import ObjectId
from .._objects import Blob, Tree
from ..store import Store
from .wasi._fs import Directory, File

__all__ = ["Mounted", "mount_tree", "read_directory", "unmount_tree"]


@dataclass(slots=True)
class Mounted:
    """What was mounted (SBX-004.3): the core's tree, and its trees and blobs by id.

    Nothing is kept by path: :func:`unmount_tree` walks the old tree beside the new one,
    so what the host holds is linear in the core's size, whatever its depth (SBX-006.14).
    """

    top: Tree | None = None
    trees: dict[ObjectId, Tree] = field(default_factory=dict)
    blobs: dict[ObjectId, bytes] = field(default_factory=dict)


def mount_tree(store: Store, tree_id: ObjectId | None) -> tuple[Directory, Mounted]:
    """Tree ``tree_id`` as a :class:`Directory` in memory (SBX-004.1), and what was mounted.

    A file holds the blob's own ``bytes`` (copied only when the program changes it);
    :class:`Mounted` keeps the trees and blobs by id, so :func:`unmount_tree` keeps an
    unchanged blob's id (SBX-004.3).  ``None`` mounts an empty directory.  The walk
    keeps its own stack and no path: a tree of any depth mounts in memory linear in its
    size (SBX-006.14).
    """
    mounted = Mounted()
    root = Directory()
    if tree_id is None:
        return root, mounted
    top = store.get_object(tree_id)
    if not isinstance(top, Tree):
        raise InvalidTransition("SBX-004.1", "the core is not a tree")
    mounted.top = top
    stack = [(top, root)]
    while stack:
        tree, directory = stack.pop()
        for name, child in tree.entries.items():
            obj = store.get_object(child)
            if isinstance(obj, Tree):
                sub = directory.entries[name] = Directory()
                if child not in mounted.trees:
                    mounted.trees[child] = obj
                stack.append((obj, sub))
            elif isinstance(obj, Blob):
                directory.entries[name] = File(obj.data)
                mounted.blobs.setdefault(child, obj.data)
            else:
                raise InvalidTransition(
                    "SBX-004.1", f"core entry {name[:200]!r} is neither a tree nor a blob"
                )
    return root, mounted


@dataclass(slots=True)
class _Frame:
    """A directory being read back: its name in its parent, the tree mounted at the same
    path (if one was), its names still to visit and its entries so far."""

    directory: Directory
    name: str
    old: Tree | None
    names: Iterator[str]
    entries: dict[str, ObjectId] = field(default_factory=dict)


def unmount_tree(
    store: Store, directory: Directory, mounted: Mounted, max_bytes: int
) -> ObjectId | None:
    """The new core: ``directory`` as a tree put into ``store`` (SBX-004.2, SBX-004.3).

    ``None`` if nothing is left; ``output-too-large`` past ``max_bytes`` of file
    data (SBX-007.3).  A file whose bytes equal the blob mounted at the same path keeps that
    blob's id; an untouched one is recognised without comparing bytes.  Directories are
    walked depth first with an explicit stack, each directory's entries in name order,
    beside the tree mounted at the same path: no frame holds a path (SBX-006.14).
    """
    budget = max_bytes
    frames = [_Frame(directory, "", mounted.top, iter(sorted(directory.entries)))]
    while True:
        frame = frames[-1]
        for name in frame.names:
            node = frame.directory.entries[name]
            old_id = None if frame.old is None else frame.old.entries.get(name)
            if isinstance(node, Directory):
                old = None if old_id is None else mounted.trees.get(old_id)
                frames.append(_Frame(node, name, old, iter(sorted(node.entries))))
                break
            budget -= len(node.data)
            if budget < 0:
                raise OutputTooLarge(
                    "SBX-007.3", "the files left in the mount exceed the core limit"
                )
            old_data = None if old_id is None else mounted.blobs.get(old_id)
            if (
                old_id is not None
                and old_data is not None
                and (node.data is old_data or node.data == old_data)
            ):
                frame.entries[name] = old_id
            else:
                frame.entries[name] = _put(store, Blob(data=bytes(node.data)), frames, name)
        else:
            frames.pop()
            made = frame.entries
            tree_id = _put(store, Tree(entries=made), frames, frame.name) if made else None
            if not frames:
                return tree_id
            if tree_id is not None:
                frames[-1].entries[frame.name] = tree_id


def _where(frames: list[_Frame], name: str, limit: int = 200) -> str:
    """The start of the path under ``/core`` of ``name`` in the last frame's directory, at
    most ``limit`` characters, for a message (made only when one is needed)."""
    shown = ""
    for part in [frame.name for frame in frames[1:]] + [name]:
        shown = f"{shown}/{part}" if shown else part
        if len(shown) >= limit:
            break
    return shown[:limit] or "/core"


def _put(store: Store, obj: Blob | Tree, frames: list[_Frame], name: str) -> ObjectId:
    """``obj``, entry ``name`` of the last of ``frames``, put into ``store``; one too large
    for an object (ENC-013) → ``output-too-large``.

    A file (or a directory's listing) within the core limit may still be larger than
    one object holds: the run fails as SBX-007.6 says, with a class SBX-008.1 lists.
    """
    try:
        return store.put_object(obj)
    except TooLarge:
        where = _where(frames, name)
        raise OutputTooLarge(
            "SBX-007.6", f"{where!r} is larger than one object can hold (16 MiB, ENC-013)"
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

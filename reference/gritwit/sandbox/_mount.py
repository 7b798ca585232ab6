"""The core tree as a directory, and back (SBX-004).

A tree is a directory, a blob is a regular file holding the blob's data.  Reading
the directory back, a file whose bytes equal the blob that was written at the same
path keeps that blob's id (and so its headers, SBX-004.3); any other file becomes a
blob without headers; empty directories vanish (trees are never empty, OBJ-009).
Anything but a regular file or a directory is refused (SBX-004.4); links are never
followed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .._errors import ForbiddenOperation, InvalidTransition, OutputTooLarge
from .._ids import ObjectId
from .._objects import Blob, Tree
from ..store import Store

__all__ = ["read_directory", "write_tree"]


def write_tree(store: Store, tree_id: ObjectId, directory: Path) -> dict[str, ObjectId]:
    """Write tree ``tree_id`` under ``directory``; the blob id of every file, by relative path."""
    written: dict[str, ObjectId] = {}
    _write(store, tree_id, directory, "", written)
    return written


def _write(
    store: Store, tree_id: ObjectId, directory: Path, prefix: str, written: dict[str, ObjectId]
) -> None:
    tree = store.get_object(tree_id)
    if not isinstance(tree, Tree):
        raise InvalidTransition("SBX-004.1", f"{prefix or 'the core'} is not a tree")
    directory.mkdir(exist_ok=True)
    for name, child in tree.entries.items():
        obj = store.get_object(child)
        path = f"{prefix}{name}"
        if isinstance(obj, Tree):
            _write(store, child, directory / name, path + "/", written)
        elif isinstance(obj, Blob):
            (directory / name).write_bytes(obj.data)
            written[path] = child
        else:
            raise InvalidTransition(
                "SBX-004.1", f"core entry {path!r} is neither a tree nor a blob"
            )


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

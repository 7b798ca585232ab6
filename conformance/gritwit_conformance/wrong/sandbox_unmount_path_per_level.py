"""Wrong adapter: reading the core back keeps a path for every directory it is in (SBX-006.14).

The host walks the run's ``/core`` with a stack whose every frame holds the whole path of
its directory, and keeps by path what it mounted, as the reference did before: a chain
of 2 000 directories with names of 255 bytes holds some 500 MB of paths at once (8 000
of them passed 4 GB), though the core itself is a few MB.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import OutputTooLarge
from gritwit._objects import Blob, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _mount, _run
from gritwit.sandbox.wasi._fs import Directory
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.14"}),
    "failed",
    "reads the core back with a stack whose every frame holds its directory's whole path: "
    "memory quadratic in the core's depth",
    timeout=STARTUP_TIMEOUT,
)


def unmount_tree(
    store: Any,
    directory: Directory,
    mounted: Any,
    max_bytes: int,
    max_entries: int = _mount.MAX_CORE_ENTRIES,  # not counted here: the walk is the bug
) -> Any:
    by_path: dict[str, tuple[Any, bytes]] = {}  # what was mounted, by path
    todo: list[tuple[Any, str]] = [] if mounted.top is None else [(mounted.top, "")]
    while todo:
        tree, prefix = todo.pop()
        for name, child in tree.entries.items():
            if child[0] in mounted.trees:  # kept by digest
                todo.append((mounted.trees[child[0]], f"{prefix}{name}/"))
            elif child[0] in mounted.blobs:
                by_path[f"{prefix}{name}"] = (child, mounted.blobs[child[0]])
    budget = max_bytes
    # the bug: each frame holds its directory's whole path
    frames: list[tuple[Directory, str, Any, dict[str, Any]]] = [
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
                raise OutputTooLarge("SBX-007.3", "the files exceed the core limit")
            old = by_path.get(path)
            if old is not None and node.data == old[1]:
                entries[name] = old[0]
            else:
                entries[name] = store.put_object(Blob(data=bytes(node.data)))
        else:
            frames.pop()
            tree_id = store.put_object(Tree(entries=entries)) if entries else None
            if not frames:
                return tree_id
            if tree_id is not None:
                frames[-1][3][prefix[len(frames[-1][1]) : -1]] = tree_id


def install() -> None:
    patch(_run, "unmount_tree", unmount_tree)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

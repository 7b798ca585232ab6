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
from operator import itemgetter
from pathlib import Path
from typing import Final, Protocol

from .._deadline import CHECK_EVERY, checkpoint
from .._errors import ForbiddenOperation, InvalidTransition, OutputTooLarge, TooLarge
from .._gc_pause import gc_pausing
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import Blob, GritObject, Tree, tree_entries_of_digests
from ..store import Store
from ..wit import CORE_BYTES, ObjectReader
from ..wit._ahead import read_ahead, walks_of
from .wasi._fs import Directory, File

__all__ = [
    "MAX_CORE_BYTES",
    "MAX_CORE_ENTRIES",
    "ObjectStore",
    "Mounted",
    "count_entries",
    "mount_tree",
    "read_directory",
    "unmount_tree",
]

#: The most entries a core may expand to, mounted or read back (SBX-006.15): 2**18.
MAX_CORE_ENTRIES: Final = 1 << 18
#: The most bytes a core's files may hold, mounted or read back: the default core limit
#: (SBX-007.3, SBX-006.16), 64 MiB; a runtime may set another (SBX-007.7).
MAX_CORE_BYTES: Final = CORE_BYTES


class ObjectStore(ObjectReader, Protocol):
    """Where a run's core is read from and its new objects put (a :class:`Store` is one)."""

    def put_object(self, obj: GritObject) -> ObjectId: ...


@dataclass(slots=True)
class Mounted:
    """What was mounted (SBX-004.3): the core's tree, and its trees and blobs by digest
    (an id's 32 bytes: no id is made per object the walk reads).

    Nothing is kept by path: :func:`unmount_tree` walks the old tree beside the new one,
    so what the host holds is linear in the core's size, whatever its depth (SBX-006.14).
    """

    top: Tree | None = None
    trees: dict[bytes, Tree] = field(default_factory=dict)
    blobs: dict[bytes, bytes] = field(default_factory=dict)
    #: The id of :attr:`top`, where it was mounted by id.
    top_id: ObjectId | None = None


@gc_pausing  # the walk's objects live to the end: see _gc_pause's gate figure
def mount_tree(
    store: ObjectReader,
    tree_id: ObjectId | None,
    max_entries: int = MAX_CORE_ENTRIES,
    max_bytes: int = MAX_CORE_BYTES,
) -> tuple[Directory, Mounted]:
    """Tree ``tree_id`` as a :class:`Directory` in memory (SBX-004.1), and what was mounted.

    A file holds the blob's own ``bytes`` (copied only when the program changes it);
    :class:`Mounted` keeps the trees and blobs by digest, so :func:`unmount_tree` keeps an
    unchanged blob's id (SBX-004.3).  ``None`` mounts an empty directory.  The walk
    keeps its own stack and no path: a tree of any depth mounts in memory linear in its
    size (SBX-006.14).  Before anything is mounted, the entries the tree expands to are
    counted over its distinct trees (:func:`count_entries`): past ``max_entries``, or with
    files of more than ``max_bytes``, the run fails ``output-too-large`` with nothing
    expanded (SBX-006.15, SBX-006.16).  Blobs are read from ``store`` itself, once each,
    and the files share their bytes: a run holds one copy of its core (SBX-006.14).
    Entries are walked as stored (name → digest), each looked up by its digest: no id is
    made per entry, so a flat core of 2**18 names mounts in a fraction of a second.
    """
    mounted = Mounted()
    root = Directory()
    if tree_id is None:
        return root, mounted
    top = store.get_object(tree_id)
    if not isinstance(top, Tree):
        raise InvalidTransition("SBX-004.1", "the core is not a tree")
    mounted.top, mounted.top_id = top, tree_id
    count_entries(store, tree_id, top, mounted, max_entries, max_bytes)
    trees, blobs = mounted.trees, mounted.blobs
    stack = [(top, root)]
    steps = 0
    while stack:
        tree, directory = stack.pop()
        entries = raw_of(tree.entries)
        steps += len(entries) + 1
        if steps >= CHECK_EVERY:
            steps = 0
            checkpoint()  # RUN-005.10: an abandoned attempt's mount stops here
        made = directory.entries
        for name, digest in entries.items():
            sub = trees.get(digest)
            if sub is not None:
                made[name] = below = Directory()
                stack.append((sub, below))
            else:
                made[name] = File(blobs[digest])
    return root, mounted


@gc_pausing  # the walk's objects live to the end: see _gc_pause's gate figure
def count_entries(
    store: ObjectReader,
    tree_id: ObjectId,
    top: Tree,
    mounted: Mounted,
    max_entries: int,
    max_bytes: int = MAX_CORE_BYTES,
) -> int:
    """The entries ``top`` expands to (every name under every path it appears at), at most
    ``max_entries`` (SBX-006.15), whose files hold at most ``max_bytes`` (SBX-006.16); each
    distinct object is read from ``store`` once, into ``mounted``.

    Counted depth first with an explicit stack, each distinct tree's entries and bytes kept
    by its id (a tree's count is the sum over its entries of 1, plus the entry's count when
    it is a tree; its bytes the sum of its blobs' lengths and its subtrees' bytes), so the
    time is linear in the distinct trees' entries, whatever the expansion.  The partial
    sums of every frame on the stack are a lower bound of the whole core's: once they pass
    a bound the walk stops, ``output-too-large``, before anything mounts, having read at
    most ``max_bytes`` plus one object of blob data (SBX-006.14).  Entries are walked as
    stored (name → digest) and looked up by digest: an id is made only for an object
    read, so an entry met again costs two dictionary lookups.

    Where ``store`` keeps its transition's walks (a genesis's,
    :func:`~gritwit.wit._ahead.walks_of`), a walk of the same top entries with the same
    bounds that ended within them in this transition is taken as this one: the same
    objects, read once through the same memo, give the same sums and the same objects
    mounted (the bound's walk of SBX-006.17, then the mount's, SBX-006.15).
    """
    walks = walks_of(store)
    raw = raw_of(top.entries)
    if walks is not None:
        done = walks.get((max_entries, max_bytes))
        if done is not None and (done[0] is raw or done[0] == raw):
            mounted.trees.update(done[2])
            mounted.blobs.update(done[3])
            return int(done[1])
    counted = _count(store, tree_id, raw, mounted, max_entries, max_bytes)
    if walks is not None:
        walks[max_entries, max_bytes] = (raw, counted, mounted.trees, mounted.blobs)
    return counted


def _count(
    store: ObjectReader,
    tree_id: ObjectId,
    raw: dict[str, bytes],
    mounted: Mounted,
    max_entries: int,
    max_bytes: int,
) -> int:
    """:func:`count_entries`'s walk of the top's entries ``raw``."""
    counts: dict[bytes, tuple[int, int]] = {}  # a counted tree's entries and bytes
    sizes: dict[bytes, int] = {}  # a read blob's length
    trees, blobs = mounted.trees, mounted.blobs
    ahead: dict[bytes, GritObject] = {}  # read ahead, not yet met (each is met once)
    frames: list[_Count] = [_Count(tree_id[0], iter(raw.items()), list(raw.values()))]
    # every frame's sums: never more than the core's; a frame's own sums are what these
    # grew by while it was on top or below it (kept as they were when it was pushed)
    found_entries = found_bytes = 0
    steps = 0
    while frames:
        frame = frames[-1]
        below: Tree | None = None
        at = frame.at
        for name, digest in frame.items:
            at += 1
            steps += 1
            if steps >= CHECK_EVERY:
                steps = 0
                checkpoint()  # RUN-005.10: an abandoned attempt's count stops here
            size = sizes.get(digest)
            if size is not None:
                found_entries += 1
            else:
                known = counts.get(digest)
                if known is not None:
                    found_entries += 1 + known[0]
                    size = known[1]
                else:
                    found_entries += 1
                    obj = ahead.pop(digest, None)
                    if obj is None:  # the next entries' objects, read together
                        frame.at = at
                        ahead = _ahead(store, frame, sizes, counts, max_bytes - found_bytes)
                        obj = ahead.pop(digest, None)
                        if obj is None:
                            obj = store.get_object(_new_id(ObjectId, (digest,)))
                    kind = type(obj)
                    if kind is Blob:
                        data = obj.data  # type: ignore[union-attr]
                        blobs[digest] = data
                        sizes[digest] = size = len(data)
                    elif kind is Tree:  # walked next: adds its own as it is walked
                        trees[digest] = below = obj  # type: ignore[assignment]
                        size = 0
                    else:
                        raise InvalidTransition(
                            "SBX-004.1", f"core entry {name[:200]!r} is neither a tree nor a blob"
                        )
            found_bytes += size
            if found_entries > max_entries:
                raise OutputTooLarge(
                    "SBX-006.15",
                    f"the core expands to more than {max_entries} entries (a path for each "
                    "name under each path it is reached by): refused before it is mounted",
                )
            if found_bytes > max_bytes:
                raise OutputTooLarge(
                    "SBX-006.16",
                    f"the core's files hold more than {max_bytes} bytes (a blob's bytes at "
                    "each path it is reached by): refused before it is mounted",
                )
            if below is not None:
                frame.at = at
                raw = raw_of(below.entries)
                frames.append(
                    _Count(
                        digest,
                        iter(raw.items()),
                        list(raw.values()),
                        entries=found_entries,
                        size=found_bytes,
                    )
                )
                break
        if below is not None:
            continue
        frames.pop()
        # the frame's sums: what the walk found since it was pushed, its own entry included
        counts[frame.digest] = (found_entries - frame.entries, found_bytes - frame.size)
    return counts[tree_id[0]][0]


_new_id = tuple.__new__
_digest = itemgetter(0)  # an id's digest (ObjectId.digest without the property's call)

#: Most entries of a tree whose objects one read-ahead asks for.  Gate figure: a genesis
#: of a flat core of 2**18 distinct 3-byte blobs on SQLite took 8.1 s of lane CPU reading
#: one object a query and a call chain (load 6 on 2 cores), 5.5 s read ahead (load 5).
AHEAD = 4096


def _ahead(
    store: ObjectReader,
    frame: _Count,
    sizes: dict[bytes, int],
    counts: dict[bytes, tuple[int, int]],
    budget: int,
) -> dict[bytes, GritObject]:
    """The objects of the frame's next entries (from the one just met) not read yet, read
    together where ``store`` reads ahead (:mod:`gritwit.wit._ahead`): at most ``budget``
    bytes of blob data plus one object, none past a tree (SBX-006.16), by digest."""
    start = frame.at - 1
    wanted = dict.fromkeys(
        [d for d in frame.digests[start : start + AHEAD] if d not in sizes and d not in counts]
    )
    if len(wanted) < 2:
        return {}  # one object: read as it always was
    oids = [_new_id(ObjectId, (digest,)) for digest in wanted]  # as ObjectId._trusted
    found = read_ahead(store, oids, budget)
    return dict(zip(map(_digest, found), found.values(), strict=True))


@dataclass(slots=True)
class _Count:
    """A tree being counted: its digest, its entries still to walk (and all its entries'
    digests, in order, for the read-ahead, with how many were walked), and the walk's sums
    when it was pushed (its own are what they grew by since)."""

    digest: bytes
    items: Iterator[tuple[str, bytes]]
    digests: list[bytes]
    at: int = 0
    entries: int = 0
    size: int = 0


@dataclass(slots=True)
class _Frame:
    """A directory being read back: its name in its parent, the entries of the tree mounted
    at the same path (if one was: name → digest), its names still to visit and its entries
    so far (name → digest)."""

    directory: Directory
    name: str
    old: dict[str, bytes]
    names: Iterator[str]
    entries: dict[str, bytes] = field(default_factory=dict)


@gc_pausing  # the walk's objects live to the end: see _gc_pause's gate figure
def unmount_tree(
    store: ObjectStore,
    directory: Directory,
    mounted: Mounted,
    max_bytes: int,
    max_entries: int = MAX_CORE_ENTRIES,
) -> ObjectId | None:
    """The new core: ``directory`` as a tree put into ``store`` (SBX-004.2, SBX-004.3).

    ``None`` if nothing is left; ``output-too-large`` past ``max_bytes`` of file
    data (SBX-007.3).  A file whose bytes equal the blob mounted at the same path keeps that
    blob's id; an untouched one is recognised without comparing bytes.  Directories are
    walked depth first with an explicit stack, each directory's entries in name order,
    beside the tree mounted at the same path: no frame holds a path (SBX-006.14).  A core
    of more than ``max_entries`` entries (files and directories, empty ones included) →
    ``output-too-large``: no run leaves a core its next run could not mount (SBX-006.15).
    Entries are kept as digests and each tree is made from them in one validation: no id
    is made or unwrapped per entry.
    """
    budget = max_bytes
    left = max_entries
    trees = mounted.trees
    blobs = mounted.blobs
    top = {} if mounted.top is None else raw_of(mounted.top.entries)
    if mounted.top_id is not None and _kept(directory, top, blobs, left, budget) is not None:
        return mounted.top_id  # as mounted: its tree is the reader's already
    frames = [_Frame(directory, "", top, iter(sorted(directory.entries)))]
    while True:
        frame = frames[-1]
        old_entries, made = frame.old, frame.entries
        for name in frame.names:
            left -= 1
            if left % CHECK_EVERY == 0:
                checkpoint()  # RUN-005.10: an abandoned attempt's read-back stops here
            if left < 0:
                raise OutputTooLarge(
                    "SBX-006.15", f"the core left in the mount has more than {max_entries} entries"
                )
            node = frame.directory.entries[name]
            old_digest = old_entries.get(name)
            if isinstance(node, Directory):
                old = None if old_digest is None else trees.get(old_digest)
                old_raw = {} if old is None else raw_of(old.entries)
                kept = None if old is None else _kept(node, old_raw, blobs, left, budget)
                if kept is not None and old_digest is not None:
                    made[name] = old_digest  # as mounted: the reader's tree
                    left -= kept[0]
                    budget -= kept[1]
                    continue
                frames.append(_Frame(node, name, old_raw, iter(sorted(node.entries))))
                break
            budget -= len(node.data)
            if budget < 0:
                raise OutputTooLarge(
                    "SBX-007.3", "the files left in the mount exceed the core limit"
                )
            old_data = None if old_digest is None else blobs.get(old_digest)
            if (
                old_digest is not None
                and old_data is not None
                and (node.data is old_data or node.data == old_data)
            ):
                made[name] = old_digest
            else:
                made[name] = _put(store, Blob(data=bytes(node.data)), frames, name)[0]
        else:
            frames.pop()
            tree_id = (
                _put(store, Tree(entries=tree_entries_of_digests(made)), frames, frame.name)
                if made
                else None
            )
            if not frames:
                return tree_id
            if tree_id is not None:
                frames[-1].entries[frame.name] = tree_id[0]


def _kept(
    directory: Directory, old: dict[str, bytes], blobs: dict[bytes, bytes], left: int, budget: int
) -> tuple[int, int] | None:
    """The entries and bytes of ``directory`` when it is the tree mounted at its path as it
    was (``old``: that tree's entries), within ``left`` entries and ``budget`` bytes: the
    same names, each a file still holding the very bytes mounted there (so each keeps its
    blob, as the read-back's own rule keeps it, SBX-004.3), else ``None`` (then it is read
    back entry by entry, which refuses what is past a bound).  Its tree is the mounted
    one, under its id: nothing is sorted, made or put.  Gate figure: a run that leaves a
    flat core of 2**18 distinct blobs as it was read it back in 0.45 to 0.52 s of CPU
    entry by entry, in 0.17 s so (load 5 on 2 cores)."""
    entries = directory.entries
    if len(entries) != len(old) or len(entries) > left:
        return None
    size = steps = 0
    for name, node in entries.items():
        steps += 1
        if steps >= CHECK_EVERY:
            steps = 0
            checkpoint()  # RUN-005.10: an abandoned attempt's read-back stops here
        digest = old.get(name)
        if digest is None or type(node) is not File or node.data is not blobs.get(digest):
            return None
        size += len(node.data)
    return (len(entries), size) if size <= budget else None


def _where(frames: list[_Frame], name: str, limit: int = 200) -> str:
    """The start of the path under ``/core`` of ``name`` in the last frame's directory, at
    most ``limit`` characters, for a message (made only when one is needed)."""
    shown = ""
    for part in [frame.name for frame in frames[1:]] + [name]:
        shown = f"{shown}/{part}" if shown else part
        if len(shown) >= limit:
            break
    return shown[:limit] or "/core"


def _put(store: ObjectStore, obj: Blob | Tree, frames: list[_Frame], name: str) -> ObjectId:
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
    ``max_bytes`` of file data (SBX-007.3).  Walked depth first with an explicit stack,
    each directory's entries in name order: a directory of any depth is read without
    running out of Python's call stack, and a frame holds its directory's host path
    alone (which the host's ``PATH_MAX`` bounds).
    """
    budget = max_bytes
    frames = [_HostFrame(directory, "", "", _listing(directory))]
    while True:
        frame = frames[-1]
        for entry in frame.items:
            path = f"{frame.prefix}{entry.name}"
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                below = Path(entry.path)
                frames.append(_HostFrame(below, entry.name, path + "/", _listing(below)))
                break
            if not stat.S_ISREG(mode):
                raise ForbiddenOperation("SBX-004.4", f"{path!r} is neither a file nor a directory")
            budget -= entry.stat(follow_symlinks=False).st_size
            if budget < 0:
                raise OutputTooLarge(
                    "SBX-007.3", "the files left in the mount exceed the core limit"
                )
            data = Path(entry.path).read_bytes()
            old = written.get(path)
            if old is not None and _same(store, old, data):
                frame.entries[entry.name] = old
            else:
                frame.entries[entry.name] = _put_host(store, Blob(data=data), path)
        else:
            frames.pop()
            made = (
                _put_host(store, Tree(entries=frame.entries), frame.prefix)
                if frame.entries
                else None
            )
            if not frames:
                return made
            if made is not None:
                frames[-1].entries[frame.name] = made


def _put_host(store: Store, obj: Blob | Tree, path: str) -> ObjectId:
    """``obj``, read from the mount at ``path``, put into ``store``; one too large for an
    object (ENC-013) → ``output-too-large`` (SBX-007.6), as :func:`_put` says of a run's
    read-back."""
    try:
        return store.put_object(obj)
    except TooLarge:
        where = path.rstrip("/")[:200] or "/core"
        raise OutputTooLarge(
            "SBX-007.6", f"{where!r} is larger than one object can hold (16 MiB, ENC-013)"
        ) from None


@dataclass(slots=True)
class _HostFrame:
    """A host directory being read: its path, its name in its parent, its path under the
    mount (for ``written`` and messages), its entries still to visit and those made."""

    directory: Path
    name: str
    prefix: str
    items: Iterator[os.DirEntry[str]]
    entries: dict[str, ObjectId] = field(default_factory=dict)


def _listing(directory: Path) -> Iterator[os.DirEntry[str]]:
    """The entries of ``directory``, in name order."""
    with os.scandir(directory) as listing:
        return iter(sorted(listing, key=lambda entry: entry.name))


def _same(store: Store, blob_id: ObjectId, data: bytes) -> bool:
    blob = store.get_object(blob_id)
    return isinstance(blob, Blob) and blob.data == data

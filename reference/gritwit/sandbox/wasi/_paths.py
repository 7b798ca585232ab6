"""The WASI preview 1 ``path_*`` functions of a sandboxed run, and ``filestat`` (SBX-005).

Every path is resolved by :meth:`~._fs.Filesystem.place` under one preopen
(SBX-005.1, SBX-005.8); ``/input`` refuses every change with ``EROFS``
(SBX-005.9); links cannot be made (SBX-004.6, refused in :mod:`._calls`) and
``path_readlink`` finds none.  What a ``filestat`` says depends on the path
alone (SBX-005.7, SBX-005.11, SBX-005.12).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final

from ._cost import COMPONENT_FUEL, WALK_FUEL
from ._fs import (
    EBUSY,
    EEXIST,
    EINVAL,
    EISDIR,
    ENAMETOOLONG,
    ENOENT,
    ENOTDIR,
    ENOTEMPTY,
    EROFS,
    EXDEV,
    FDFLAGS,
    FIXED_TIME_NS,
    MAX_NAME_BYTES,
    OFLAG_CREAT,
    OFLAG_DIRECTORY,
    OFLAG_EXCL,
    OFLAG_TRUNC,
    OFLAGS,
    RIGHT_FD_WRITE,
    Directory,
    File,
    FileFd,
    Place,
    WasiError,
    path_number,
)

if TYPE_CHECKING:
    from ._state import WasiState

__all__ = [
    "DIRECTORY",
    "REGULAR_FILE",
    "UNKNOWN",
    "filestat",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_unlink_file",
]

#: ``filetype`` values.
UNKNOWN: Final = 0
DIRECTORY: Final = 3
REGULAR_FILE: Final = 4
#: ``filestat``: dev, ino, filetype, nlink, size, atim, mtim, ctim (64 bytes).
_FILESTAT: Final = struct.Struct("<QQB7xQQQQQ")


def filestat(node: File | Directory | None, ino: int, device: int) -> bytes:
    """The ``filestat`` of ``node``, reached at the path whose number is ``ino``: nothing
    from the host (SBX-005.7).

    Device and inode are :func:`~._fs.path_number` of the preopen's name and of the
    path, a link count of 1, a directory's size 0, every time the fixed time.
    """
    if node is None:  # a standard stream
        return _FILESTAT.pack(0, 0, UNKNOWN, 1, 0, FIXED_TIME_NS, FIXED_TIME_NS, FIXED_TIME_NS)
    kind, size = (DIRECTORY, 0) if isinstance(node, Directory) else (REGULAR_FILE, len(node.data))
    return _FILESTAT.pack(device, ino, kind, 1, size, FIXED_TIME_NS, FIXED_TIME_NS, FIXED_TIME_NS)


def path_open(
    state: WasiState,
    fd: int,
    _dirflags: int,
    path: int,
    path_len: int,
    oflags: int,
    rights: int,
    inheriting: int,
    fdflags: int,
    out: int,
) -> int:
    """``EISDIR``, ``EEXIST``, ``ENOTDIR`` as SBX-005.28 says, ``EMFILE`` as SBX-005.25 says;
    nothing made or truncated when it fails."""
    if fdflags & ~FDFLAGS or oflags & ~OFLAGS:  # bits WASI does not define (SBX-005.17)
        raise WasiError(EINVAL)
    files = state.files
    place = files.place(fd, state.path(path, path_len))
    node = place.node()
    write = bool(rights & RIGHT_FD_WRITE) or bool(oflags & OFLAG_TRUNC)
    if node is None:
        if not oflags & OFLAG_CREAT:
            raise WasiError(ENOENT)
        if oflags & OFLAG_DIRECTORY or place.slash:
            raise WasiError(EISDIR)
        name = files.new_entry(place)
        files.check_room()  # a full table makes no file (SBX-005.25)
        node = File()
        place.parent.put(name, node)
    elif oflags & OFLAG_CREAT and oflags & OFLAG_EXCL:
        raise WasiError(EEXIST)
    if isinstance(node, Directory):
        if write:
            raise WasiError(EISDIR)
        state.u32(out, files.add(place.as_dir(node)))
        return 0
    if oflags & OFLAG_DIRECTORY or place.slash:
        raise WasiError(ENOTDIR)
    if write and not place.start.writable:
        raise WasiError(EROFS)
    if oflags & OFLAG_TRUNC:
        files.check_room()  # nor empties one (SBX-005.25)
        node.data = b""
    device = path_number(place.start.preopen)
    handle = FileFd(node, place.number(), device, rights, inheriting, fdflags)
    state.u32(out, files.add(handle))
    return 0


def path_filestat_get(
    state: WasiState, fd: int, _flags: int, path: int, length: int, ptr: int
) -> int:
    place, node = state.files.lookup(fd, state.path(path, length))
    state.write(ptr, filestat(node, place.number(), path_number(place.start.preopen)))
    return 0


def path_filestat_set_times(
    state: WasiState, fd: int, _flags: int, path: int, length: int, *_times: int
) -> int:
    """Succeeds and changes nothing: every timestamp reads the fixed time (SBX-005.7)."""
    state.files.lookup(fd, state.path(path, length))
    return 0


def path_create_directory(state: WasiState, fd: int, path: int, length: int) -> int:
    """``EEXIST`` for a name that is there; a new name as SBX-005.28 says."""
    files = state.files
    place = files.place(fd, state.path(path, length))
    if place.node() is not None:
        raise WasiError(EEXIST)
    place.parent.put(files.new_entry(place), Directory())
    return 0


def path_remove_directory(state: WasiState, fd: int, path: int, length: int) -> int:
    """``ENOTDIR``, ``EINVAL``, ``ENOTEMPTY`` as SBX-005.29 says; nothing removed then."""
    place, node = state.files.lookup(fd, state.path(path, length))
    if not isinstance(node, Directory):
        raise WasiError(ENOTDIR)
    if place.last is None:
        raise WasiError(EINVAL)
    if not place.start.writable:
        raise WasiError(EROFS)
    if node.entries:
        raise WasiError(ENOTEMPTY)
    place.parent.remove(place.last)
    return 0


def path_unlink_file(state: WasiState, fd: int, path: int, length: int) -> int:
    """``EISDIR`` for a directory or the start itself (SBX-005.29)."""
    place, node = state.files.lookup(fd, state.path(path, length))
    if isinstance(node, Directory) or place.last is None:
        raise WasiError(EISDIR)
    if not place.start.writable:
        raise WasiError(EROFS)
    place.parent.remove(place.last)
    return 0


def path_rename(
    state: WasiState, fd: int, old: int, old_len: int, new_fd: int, new: int, new_len: int
) -> int:
    """``EBUSY``, ``ENOTDIR``, ``ENOTEMPTY``, ``EISDIR`` as SBX-005.30 says (before SBX-005.20).

    Nothing moves when it fails.
    """
    files = state.files
    source, node = files.lookup(fd, state.path(old, old_len))
    target = files.place(new_fd, state.path(new, new_len))
    if source.last is None or target.last is None:
        raise WasiError(EBUSY)
    if source.start.preopen != target.start.preopen:
        raise WasiError(EXDEV)
    if not target.start.writable:
        raise WasiError(EROFS)
    if len(target.last.encode("utf-8")) > MAX_NAME_BYTES:
        raise WasiError(ENAMETOOLONG)
    there = target.node()
    if there is node:
        return 0
    if isinstance(node, Directory):
        if there is not None and not isinstance(there, Directory):
            raise WasiError(ENOTDIR)
        if isinstance(there, Directory) and there.entries:
            raise WasiError(ENOTEMPTY)
        if _above(state, node, target) or _holds(state, node, target.parent):
            raise WasiError(EINVAL)  # into its own subtree, even through a stale descriptor
    elif isinstance(there, Directory):
        raise WasiError(EISDIR)
    elif target.slash:
        raise WasiError(ENOTDIR)
    source.parent.remove(source.last)
    target.parent.put(target.last, node)
    return 0


def _above(state: WasiState, node: Directory, target: Place) -> bool:
    """Whether the target's path reached its parent through ``node`` (SBX-005.20): the way
    is climbed to its preopen's root, each level paid for first (SBX-006.13)."""
    state.charge(COMPONENT_FUEL * (target.depth + 1), "the levels above a rename's target")
    return target.holds(node)


def _holds(state: WasiState, top: Directory, wanted: Directory) -> bool:
    """Whether ``wanted`` lies in ``top``'s subtree, as the tree is now (SBX-005.20).

    A descriptor's chain is where its directory was when it was opened; a rename may
    have moved it since, so the subtree itself is walked: each entry walked is paid
    for (SBX-006.5), the walk stopping where the fuel left could not pay for more.
    """
    left, spent, found = state.fuel_left(), 0, False
    pending = [top]
    while pending and not found and spent <= left:
        directory = pending.pop()
        found = directory is wanted
        spent += WALK_FUEL * len(directory.entries)
        pending.extend(node for node in directory.entries.values() if isinstance(node, Directory))
    state.charge(spent, "walking a renamed directory")  # fuel-exhausted if the walk outran it
    return found


def path_readlink(state: WasiState, fd: int, path: int, length: int, *_out: int) -> int:
    """There are no links (SBX-004.6): whatever exists is not one."""
    state.files.lookup(fd, state.path(path, length))
    raise WasiError(EINVAL)

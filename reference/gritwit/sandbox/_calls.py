"""The WASI preview 1 functions of a sandboxed run, over its in-memory filesystem (SBX-005).

Each function takes the run's :class:`~._wasi.WasiState` and the call's
arguments (pointers into the guest's memory as offsets) and returns the errno;
a failure is a :class:`~._fs.WasiError`.  :data:`FUNCTIONS` lists every import
of the interpreter with its signature (:func:`._wasi._callback` spells it).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from ._fs import (
    ALL_RIGHTS,
    EBADF,
    EBUSY,
    EEXIST,
    EINVAL,
    EISDIR,
    ENAMETOOLONG,
    ENOENT,
    ENOTDIR,
    ENOTEMPTY,
    ENOTSUP,
    EROFS,
    ESPIPE,
    EXDEV,
    FDFLAG_APPEND,
    FIXED_TIME_NS,
    MAX_NAME_BYTES,
    OFLAG_CREAT,
    OFLAG_DIRECTORY,
    OFLAG_EXCL,
    OFLAG_TRUNC,
    RIGHT_FD_WRITE,
    Directory,
    DirFd,
    File,
    FileFd,
    StreamFd,
    WasiError,
    path_number,
)
from ._prelude import PRELUDE_NAME

if TYPE_CHECKING:
    from ._wasi import WasiState

__all__ = ["ARGV", "FUNCTIONS", "ProcExit"]

#: The interpreter's arguments (SBX-005.2, SBX-003.2); the environment is empty.
ARGV: Final = ("python", "-I", "-S", "-B", f"/input/{PRELUDE_NAME}")

# ``filetype``
_UNKNOWN: Final = 0
_DIRECTORY: Final = 3
_REGULAR_FILE: Final = 4
#: ``filestat``: dev, ino, filetype, nlink, size, atim, mtim, ctim (64 bytes).
_FILESTAT: Final = struct.Struct("<QQB7xQQQQQ")
#: ``fdstat``: filetype, flags, rights_base, rights_inheriting (24 bytes).
_FDSTAT: Final = struct.Struct("<BxH4xQQ")
#: ``prestat`` of a directory: tag 0, the name's length (8 bytes).
_PRESTAT: Final = struct.Struct("<B3xI")
#: ``dirent``: d_next, d_ino, d_namlen, d_type (24 bytes), then the name.
_DIRENT: Final = struct.Struct("<QQIB3x")
_ENOTSUP_FORBIDDEN: Final = ENOTSUP
_ENV: Final[tuple[str, ...]] = ()

Node = File | Directory


class ProcExit(Exception):
    """The program called ``proc_exit(code)``: the run ends with that status."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _stat(node: Node | None, path: str, device: int) -> bytes:
    """The ``filestat`` of ``node`` reached at ``path``: nothing from the host (SBX-005.7).

    Device and inode are :func:`~._fs.path_number` of the preopen's name and of the
    path, a link count of 1, a directory's size 0, every time the fixed time.
    """
    if node is None:  # a standard stream
        return _FILESTAT.pack(0, 0, _UNKNOWN, 1, 0, FIXED_TIME_NS, FIXED_TIME_NS, FIXED_TIME_NS)
    kind, size = (_DIRECTORY, 0) if isinstance(node, Directory) else (_REGULAR_FILE, len(node.data))
    ino = path_number(path)
    return _FILESTAT.pack(device, ino, kind, 1, size, FIXED_TIME_NS, FIXED_TIME_NS, FIXED_TIME_NS)


# -- arguments, environment, clocks, randomness, exit (SBX-005.2, .4, .5) --------------------


def _strings(state: WasiState, items: tuple[str, ...], ptrs: int, buf: int) -> int:
    for item in items:
        data = item.encode("utf-8") + b"\0"
        state.u32(ptrs, buf)
        state.write(buf, data)
        ptrs, buf = ptrs + 4, buf + len(data)
    return 0


def _sizes(state: WasiState, items: tuple[str, ...], count_ptr: int, size_ptr: int) -> int:
    state.u32(count_ptr, len(items))
    state.u32(size_ptr, sum(len(item.encode("utf-8")) + 1 for item in items))
    return 0


def args_get(state: WasiState, ptrs: int, buf: int) -> int:
    return _strings(state, ARGV, ptrs, buf)


def args_sizes_get(state: WasiState, count_ptr: int, size_ptr: int) -> int:
    return _sizes(state, ARGV, count_ptr, size_ptr)


def environ_get(state: WasiState, ptrs: int, buf: int) -> int:
    return _strings(state, _ENV, ptrs, buf)


def environ_sizes_get(state: WasiState, count_ptr: int, size_ptr: int) -> int:
    return _sizes(state, _ENV, count_ptr, size_ptr)


def clock_time_get(state: WasiState, _id: int, _precision: int, ptr: int) -> int:
    state.u64(ptr, FIXED_TIME_NS)
    return 0


def clock_res_get(state: WasiState, _id: int, ptr: int) -> int:
    state.u64(ptr, 1)
    return 0


def random_get(state: WasiState, ptr: int, length: int) -> int:
    state.write(ptr, state.random(length))
    return 0


def proc_exit(_state: WasiState, code: int) -> None:
    raise ProcExit(code)


def sched_yield(_state: WasiState) -> int:
    return 0


def _refuse(name: str) -> Callable[..., int]:
    """Polling, sockets and links: ``ENOTSUP``, a forbidden operation (SBX-005.3, SBX-004.6)."""

    def call(_state: WasiState, *_args: int) -> int:
        raise WasiError(_ENOTSUP_FORBIDDEN, name)

    return call


# -- descriptors ---------------------------------------------------------------------------


def fd_close(state: WasiState, fd: int) -> int:
    state.files.close(fd)
    return 0


def fd_fdstat_get(state: WasiState, fd: int, ptr: int) -> int:
    found = state.files.get(fd)
    if isinstance(found, StreamFd):
        stat = _FDSTAT.pack(_UNKNOWN, 0, ALL_RIGHTS, ALL_RIGHTS)
    elif isinstance(found, DirFd):
        stat = _FDSTAT.pack(_DIRECTORY, 0, found.rights, found.inheriting)
    else:
        stat = _FDSTAT.pack(_REGULAR_FILE, found.flags, found.rights, found.inheriting)
    state.write(ptr, stat)
    return 0


def fd_fdstat_set_flags(state: WasiState, fd: int, flags: int) -> int:
    found = state.files.get(fd)
    if isinstance(found, FileFd):
        found.flags = flags
    return 0


def fd_filestat_get(state: WasiState, fd: int, ptr: int) -> int:
    found = state.files.get(fd)
    if isinstance(found, StreamFd):
        state.write(ptr, _stat(None, "", 0))
    elif isinstance(found, DirFd):
        state.write(ptr, _stat(found.chain[-1], found.path, path_number(found.preopen)))
    else:
        state.write(ptr, _stat(found.file, found.path, found.device))
    return 0


def fd_filestat_set_size(state: WasiState, fd: int, size: int) -> int:
    handle = _writable(state, fd)
    state.files.resize(handle, size)
    return 0


def fd_allocate(state: WasiState, fd: int, offset: int, length: int) -> int:
    handle = _writable(state, fd)
    if offset + length > len(handle.file.data):
        state.files.resize(handle, offset + length)
    return 0


def fd_filestat_set_times(state: WasiState, fd: int, _atim: int, _mtim: int, _flags: int) -> int:
    """Succeeds and changes nothing: every timestamp reads the fixed time (SBX-005.7)."""
    state.files.get(fd)
    return 0


def fd_noop(state: WasiState, fd: int, *_args: int) -> int:
    """``fd_advise``, ``fd_datasync``, ``fd_sync``: nothing to do in memory."""
    state.files.get(fd)
    return 0


def fd_prestat_get(state: WasiState, fd: int, ptr: int) -> int:
    found = state.files.get(fd)
    if not isinstance(found, DirFd) or not found.preopened:
        raise WasiError(EBADF)
    state.write(ptr, _PRESTAT.pack(0, len(found.preopen.encode())))
    return 0


def fd_prestat_dir_name(state: WasiState, fd: int, ptr: int, length: int) -> int:
    found = state.files.get(fd)
    if not isinstance(found, DirFd) or not found.preopened:
        raise WasiError(EBADF)
    name = found.preopen.encode()
    if length < len(name):
        raise WasiError(ENAMETOOLONG)
    state.write(ptr, name)
    return 0


def _readable(state: WasiState, fd: int) -> FileFd | StreamFd:
    found = state.files.get(fd)
    if isinstance(found, DirFd):
        raise WasiError(EISDIR)
    if (isinstance(found, StreamFd) and found.write is not None) or (
        isinstance(found, FileFd) and not found.readable
    ):
        raise WasiError(EBADF)
    return found


def _writable(state: WasiState, fd: int) -> FileFd:
    handle = state.files.file(fd)
    if not handle.writable:
        raise WasiError(EBADF)
    return handle


def fd_read(state: WasiState, fd: int, iovs: int, count: int, out: int) -> int:
    handle = _readable(state, fd)
    if isinstance(handle, StreamFd):  # standard input is empty (SBX-005.2)
        state.u32(out, 0)
        return 0
    data, start = handle.file.data, handle.position
    done = state.scatter(iovs, count, lambda at, n: bytes(data[start + at : start + at + n]))
    handle.position += done
    state.u32(out, done)
    return 0


def fd_pread(state: WasiState, fd: int, iovs: int, count: int, offset: int, out: int) -> int:
    handle = _readable(state, fd)
    if isinstance(handle, StreamFd):
        raise WasiError(ESPIPE)
    data = handle.file.data
    done = state.scatter(iovs, count, lambda at, n: bytes(data[offset + at : offset + at + n]))
    state.u32(out, done)
    return 0


def fd_write(state: WasiState, fd: int, iovs: int, count: int, out: int) -> int:
    found = state.files.get(fd)
    data = state.gather(iovs, count)
    if isinstance(found, StreamFd):
        if found.write is None:
            raise WasiError(EBADF)
        state.u32(out, found.write(data))
        return 0
    handle = _writable(state, fd)
    offset = len(handle.file.data) if handle.flags & FDFLAG_APPEND else handle.position
    state.files.write_at(handle, offset, data)
    handle.position = offset + len(data)
    state.u32(out, len(data))
    return 0


def fd_pwrite(state: WasiState, fd: int, iovs: int, count: int, offset: int, out: int) -> int:
    handle = _writable(state, fd)
    data = state.gather(iovs, count)
    state.files.write_at(handle, offset, data)
    state.u32(out, len(data))
    return 0


def fd_seek(state: WasiState, fd: int, offset: int, whence: int, out: int) -> int:
    handle = state.files.file(fd)
    bases = {0: 0, 1: handle.position, 2: len(handle.file.data)}
    if whence not in bases or bases[whence] + offset < 0:
        raise WasiError(EINVAL)
    handle.position = bases[whence] + offset
    state.u64(out, handle.position)
    return 0


def fd_tell(state: WasiState, fd: int, out: int) -> int:
    state.u64(out, state.files.file(fd).position)
    return 0


def fd_readdir(state: WasiState, fd: int, buf: int, length: int, cookie: int, out: int) -> int:
    """Entries in the order of their names' UTF-8 bytes, without ``.`` and ``..`` (SBX-005.7).

    The cookie of an entry is its position in that order plus one.
    """
    directory = state.files.directory(fd)
    entries = directory.chain[-1].entries
    names = sorted(entries)  # code point order is UTF-8 byte order
    listing = bytearray()
    for index in range(cookie, len(names)):
        if len(listing) >= length:
            break
        name = names[index]
        raw = name.encode("utf-8")
        kind = _DIRECTORY if isinstance(entries[name], Directory) else _REGULAR_FILE
        ino = path_number(f"{directory.path}/{name}")
        listing += _DIRENT.pack(index + 1, ino, len(raw), kind) + raw
    state.write(buf, bytes(listing[:length]))
    state.u32(out, min(len(listing), length))
    return 0


# -- paths ---------------------------------------------------------------------------------


def _path(state: WasiState, ptr: int, length: int) -> bytes:
    return state.read(ptr, length)


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
    files = state.files
    place = files.place(fd, _path(state, path, path_len))
    node = place.node()
    write = bool(rights & RIGHT_FD_WRITE) or bool(oflags & OFLAG_TRUNC)
    if node is None:
        if not oflags & OFLAG_CREAT:
            raise WasiError(ENOENT)
        if oflags & OFLAG_DIRECTORY or place.slash:
            raise WasiError(EISDIR)
        name = files.new_entry(place)
        node = place.parent.entries[name] = File()
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
        node.data = b""
    device = path_number(place.start.preopen)
    handle = FileFd(node, place.path, device, rights, inheriting, fdflags)
    state.u32(out, files.add(handle))
    return 0


def path_filestat_get(
    state: WasiState, fd: int, _flags: int, path: int, length: int, ptr: int
) -> int:
    place, node = state.files.lookup(fd, _path(state, path, length))
    state.write(ptr, _stat(node, place.path, path_number(place.start.preopen)))
    return 0


def path_filestat_set_times(
    state: WasiState, fd: int, _flags: int, path: int, length: int, *_times: int
) -> int:
    """Succeeds and changes nothing: every timestamp reads the fixed time (SBX-005.7)."""
    state.files.lookup(fd, _path(state, path, length))
    return 0


def path_create_directory(state: WasiState, fd: int, path: int, length: int) -> int:
    files = state.files
    place = files.place(fd, _path(state, path, length))
    if place.node() is not None:
        raise WasiError(EEXIST)
    place.parent.entries[files.new_entry(place)] = Directory()
    return 0


def path_remove_directory(state: WasiState, fd: int, path: int, length: int) -> int:
    place, node = state.files.lookup(fd, _path(state, path, length))
    if not isinstance(node, Directory):
        raise WasiError(ENOTDIR)
    if place.last is None:
        raise WasiError(EINVAL)
    if not place.start.writable:
        raise WasiError(EROFS)
    if node.entries:
        raise WasiError(ENOTEMPTY)
    del place.parent.entries[place.last]
    return 0


def path_unlink_file(state: WasiState, fd: int, path: int, length: int) -> int:
    place, node = state.files.lookup(fd, _path(state, path, length))
    if isinstance(node, Directory) or place.last is None:
        raise WasiError(EISDIR)
    if not place.start.writable:
        raise WasiError(EROFS)
    del place.parent.entries[place.last]
    return 0


def path_rename(
    state: WasiState, fd: int, old: int, old_len: int, new_fd: int, new: int, new_len: int
) -> int:
    files = state.files
    source, node = files.lookup(fd, _path(state, old, old_len))
    target = files.place(new_fd, _path(state, new, new_len))
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
        if any(step is node for step in target.chain):
            raise WasiError(EINVAL)
    elif isinstance(there, Directory):
        raise WasiError(EISDIR)
    elif target.slash:
        raise WasiError(ENOTDIR)
    del source.parent.entries[source.last]
    target.parent.entries[target.last] = node
    return 0


def path_readlink(state: WasiState, fd: int, path: int, length: int, *_out: int) -> int:
    """There are no links (SBX-004.6): whatever exists is not one."""
    state.files.lookup(fd, _path(state, path, length))
    raise WasiError(EINVAL)


#: Every import of the interpreter: name → (parameters, number of results, function).
FUNCTIONS: Final[dict[str, tuple[str, int, Callable[..., int | None]]]] = {
    "args_get": ("ii", 1, args_get),
    "args_sizes_get": ("ii", 1, args_sizes_get),
    "environ_get": ("ii", 1, environ_get),
    "environ_sizes_get": ("ii", 1, environ_sizes_get),
    "clock_res_get": ("ii", 1, clock_res_get),
    "clock_time_get": ("iIi", 1, clock_time_get),
    "random_get": ("ii", 1, random_get),
    "proc_exit": ("i", 0, proc_exit),
    "sched_yield": ("", 1, sched_yield),
    "fd_advise": ("iIIi", 1, fd_noop),
    "fd_allocate": ("iII", 1, fd_allocate),
    "fd_close": ("i", 1, fd_close),
    "fd_datasync": ("i", 1, fd_noop),
    "fd_sync": ("i", 1, fd_noop),
    "fd_fdstat_get": ("ii", 1, fd_fdstat_get),
    "fd_fdstat_set_flags": ("ii", 1, fd_fdstat_set_flags),
    "fd_filestat_get": ("ii", 1, fd_filestat_get),
    "fd_filestat_set_size": ("iI", 1, fd_filestat_set_size),
    "fd_filestat_set_times": ("iIIi", 1, fd_filestat_set_times),
    "fd_pread": ("iiiIi", 1, fd_pread),
    "fd_prestat_get": ("ii", 1, fd_prestat_get),
    "fd_prestat_dir_name": ("iii", 1, fd_prestat_dir_name),
    "fd_pwrite": ("iiiIi", 1, fd_pwrite),
    "fd_read": ("iiii", 1, fd_read),
    "fd_readdir": ("iiiIi", 1, fd_readdir),
    "fd_seek": ("iqii", 1, fd_seek),
    "fd_tell": ("ii", 1, fd_tell),
    "fd_write": ("iiii", 1, fd_write),
    "path_create_directory": ("iii", 1, path_create_directory),
    "path_filestat_get": ("iiiii", 1, path_filestat_get),
    "path_filestat_set_times": ("iiiiIIi", 1, path_filestat_set_times),
    "path_link": ("iiiiiii", 1, _refuse("path_link")),
    "path_open": ("iiiiiIIii", 1, path_open),
    "path_readlink": ("iiiiii", 1, path_readlink),
    "path_remove_directory": ("iii", 1, path_remove_directory),
    "path_rename": ("iiiiii", 1, path_rename),
    "path_symlink": ("iiiii", 1, _refuse("path_symlink")),
    "path_unlink_file": ("iii", 1, path_unlink_file),
    "poll_oneoff": ("iiii", 1, _refuse("poll_oneoff")),
    "sock_accept": ("iii", 1, _refuse("sock_accept")),
    "sock_recv": ("iiiiii", 1, _refuse("sock_recv")),
    "sock_send": ("iiiii", 1, _refuse("sock_send")),
    "sock_shutdown": ("ii", 1, _refuse("sock_shutdown")),
}

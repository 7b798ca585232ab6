"""The WASI preview 1 functions of a sandboxed run, over its in-memory filesystem (SBX-005).

Each function takes the run's :class:`~._wasi.WasiState` and the call's
arguments (pointers into the guest's memory as offsets) and returns the errno;
a failure is a :class:`~._fs.WasiError`.  The ``path_*`` functions are in
:mod:`._paths`.  :data:`FUNCTIONS` lists every import of the interpreter with its
signature (:func:`._wasi._callback` spells it).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from ._fs import (
    ALL_RIGHTS,
    EBADF,
    EINVAL,
    EISDIR,
    ENAMETOOLONG,
    ENOTSUP,
    ESPIPE,
    FDFLAG_APPEND,
    FIXED_TIME_NS,
    Directory,
    DirFd,
    FileFd,
    StreamFd,
    WasiError,
    path_number,
)
from ._paths import (
    DIRECTORY,
    REGULAR_FILE,
    UNKNOWN,
    filestat,
    path_create_directory,
    path_filestat_get,
    path_filestat_set_times,
    path_open,
    path_readlink,
    path_remove_directory,
    path_rename,
    path_unlink_file,
)
from ._prelude import PRELUDE_NAME

if TYPE_CHECKING:
    from ._wasi import WasiState

__all__ = ["ARGV", "FUNCTIONS", "ProcExit"]

#: The interpreter's arguments (SBX-005.2, SBX-003.2); the environment is empty.
ARGV: Final = ("python", "-I", "-S", "-B", f"/input/{PRELUDE_NAME}")

#: ``fdstat``: filetype, flags, rights_base, rights_inheriting (24 bytes).
_FDSTAT: Final = struct.Struct("<BxH4xQQ")
#: ``prestat`` of a directory: tag 0, the name's length (8 bytes).
_PRESTAT: Final = struct.Struct("<B3xI")
#: ``dirent``: d_next, d_ino, d_namlen, d_type (24 bytes), then the name.
_DIRENT: Final = struct.Struct("<QQIB3x")
_ENV: Final[tuple[str, ...]] = ()


class ProcExit(Exception):
    """The program called ``proc_exit(code)``: the run ends with that status."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


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
        raise WasiError(ENOTSUP, name)

    return call


# -- descriptors ---------------------------------------------------------------------------


def fd_close(state: WasiState, fd: int) -> int:
    state.files.close(fd)
    return 0


def fd_fdstat_get(state: WasiState, fd: int, ptr: int) -> int:
    found = state.files.get(fd)
    if isinstance(found, StreamFd):
        stat = _FDSTAT.pack(UNKNOWN, 0, ALL_RIGHTS, ALL_RIGHTS)
    elif isinstance(found, DirFd):
        stat = _FDSTAT.pack(DIRECTORY, 0, found.rights, found.inheriting)
    else:
        stat = _FDSTAT.pack(REGULAR_FILE, found.flags, found.rights, found.inheriting)
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
        state.write(ptr, filestat(None, "", 0))
    elif isinstance(found, DirFd):
        state.write(ptr, filestat(found.chain[-1], found.path, path_number(found.preopen)))
    else:
        state.write(ptr, filestat(found.file, found.path, found.device))
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
        kind = DIRECTORY if isinstance(entries[name], Directory) else REGULAR_FILE
        ino = path_number(f"{directory.path}/{name}")
        listing += _DIRENT.pack(index + 1, ino, len(raw), kind) + raw
    state.write(buf, bytes(listing[:length]))
    state.u32(out, min(len(listing), length))
    return 0


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

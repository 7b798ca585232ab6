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

from ._cost import BYTE_FUEL, ENTRY_FUEL, RANDOM_FUEL, SORT_FUEL
from ._fs import (
    ALL_RIGHTS,
    EBADF,
    EINVAL,
    ENAMETOOLONG,
    ENOTSUP,
    FDFLAGS,
    FIXED_TIME_NS,
    Directory,
    DirFd,
    File,
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
from ._readwrite import (
    fd_allocate,
    fd_filestat_set_size,
    fd_pread,
    fd_pwrite,
    fd_read,
    fd_seek,
    fd_tell,
    fd_write,
)

if TYPE_CHECKING:
    from ._state import WasiState

__all__ = ["ARGV", "FUNCTIONS", "PRELUDE_NAME", "ProcExit", "fill_random", "sorted_listing"]

#: The file in ``/input`` that the interpreter runs first: the host's prelude
#: (:mod:`gritwit.sandbox._prelude`), which then runs the program.
PRELUDE_NAME: Final = "gritwit_prelude.py"
#: The interpreter's arguments (SBX-005.2, SBX-003.2); the environment is empty.
ARGV: Final = ("python", "-I", "-S", "-B", f"/input/{PRELUDE_NAME}")

#: ``dirent``: d_next, d_ino, d_namlen, d_type (24 bytes), then the name.
_DIRENT: Final = struct.Struct("<QQIB3x")
#: ``fdstat``: filetype, flags, rights_base, rights_inheriting (24 bytes).
_FDSTAT: Final = struct.Struct("<BxH4xQQ")
#: ``prestat`` of a directory: tag 0, the name's length (8 bytes).
_PRESTAT: Final = struct.Struct("<B3xI")
_ENV: Final[tuple[str, ...]] = ()
#: Random bytes made and written at a time.
RANDOM_CHUNK: Final = 1 << 16


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
    """The fixed time, for every clock id (SBX-005.4)."""
    state.u64(ptr, FIXED_TIME_NS)
    return 0


def clock_res_get(state: WasiState, _id: int, ptr: int) -> int:
    """1 ns, for every clock id (SBX-005.4)."""
    state.u64(ptr, 1)
    return 0


def random_get(state: WasiState, ptr: int, length: int) -> int:
    """The run's stream (SBX-005.5): the range checked and paid for first, then made in chunks."""
    fill_random(state, ptr, length, state.charge)
    return 0


def fill_random(
    stream: WasiState, ptr: int, length: int, charge: Callable[[int, str], None]
) -> None:
    """Write ``length`` bytes of ``stream`` at ``ptr`` (checked, then paid, SBX-006.5)."""
    stream.check(ptr, length)
    charge(RANDOM_FUEL * length, "random bytes")
    for at in range(0, length, RANDOM_CHUNK):
        stream.write(ptr + at, stream.random(min(RANDOM_CHUNK, length - at)))


def proc_exit(_state: WasiState, code: int) -> None:
    raise ProcExit(code)


def sched_yield(_state: WasiState) -> int:
    """Succeeds and changes nothing (SBX-005.31)."""
    return 0


#: ``subscription``: userdata, tag (0 a clock), then a clock's id, timeout, precision and
#: flags (48 bytes); ``event``: userdata, error, type, then zeros (32 bytes).
_SUBSCRIPTION: Final = struct.Struct("<QB7xIxxxxQQH6x")
_EVENT: Final = struct.Struct("<QHB21x")
#: ``subscription_clock_abstime``: the timeout is a time on the clock, not a duration.
_ABSTIME: Final = 1
#: WASI's four clocks: realtime, monotonic, process and thread CPU time.
_CLOCKS: Final = 4


def poll_oneoff(state: WasiState, subscriptions: int, events: int, count: int, out: int) -> int:
    """A poll that waits for nothing returns at once; any other is refused (SBX-005.23).

    Every subscription must be a clock already due at the fixed time (SBX-005.4): a
    relative timeout of 0, or an absolute time not after it.  Then each has its event,
    in order, and nothing waited; otherwise ``ENOTSUP``, a forbidden operation
    (SBX-005.3).  The ranges are checked and the bytes paid before a byte moves.
    """
    if count == 0:
        raise WasiError(ENOTSUP, "poll_oneoff")
    state.check(subscriptions, _SUBSCRIPTION.size * count)
    state.check(events, _EVENT.size * count)
    state.check(out, 4)
    state.charge(BYTE_FUEL * (_SUBSCRIPTION.size + _EVENT.size) * count, "poll_oneoff")
    raw = state.read(subscriptions, _SUBSCRIPTION.size * count)
    answer = bytearray()
    for userdata, tag, clock, timeout, _precision, flags in _SUBSCRIPTION.iter_unpack(raw):
        due = timeout <= FIXED_TIME_NS if flags & _ABSTIME else timeout == 0
        if tag != 0 or clock >= _CLOCKS or not due:  # it would wait: sleeping, or a descriptor
            raise WasiError(ENOTSUP, "poll_oneoff")
        answer += _EVENT.pack(userdata, 0, 0)
    state.write(events, bytes(answer))
    state.u32(out, count)
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
    """A stream's type is unknown (no terminal), a directory's directory (SBX-005.31)."""
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
    """A file keeps the flags given; a stream's or a directory's stay 0 (SBX-005.31)."""
    found = state.files.get(fd)
    if flags & ~FDFLAGS:  # bits WASI does not define (SBX-005.17)
        raise WasiError(EINVAL)
    if isinstance(found, FileFd):
        found.flags = flags
    return 0


def fd_filestat_get(state: WasiState, fd: int, ptr: int) -> int:
    found = state.files.get(fd)
    if isinstance(found, StreamFd):
        state.write(ptr, filestat(None, 0, 0))
    elif isinstance(found, DirFd):
        device = path_number(found.preopen)
        state.write(ptr, filestat(found.node, found.trail.number(), device))
    else:
        state.write(ptr, filestat(found.file, found.ino, found.device))
    return 0


def fd_filestat_set_times(state: WasiState, fd: int, _atim: int, _mtim: int, _flags: int) -> int:
    """Succeeds and changes nothing: every timestamp reads the fixed time (SBX-005.7)."""
    state.files.get(fd)
    return 0


def fd_noop(state: WasiState, fd: int, *_args: int) -> int:
    """``fd_advise``, ``fd_datasync``, ``fd_sync``: nothing to do in memory.

    They succeed and change nothing (SBX-005.31).
    """
    state.files.get(fd)
    return 0


def fd_prestat_get(state: WasiState, fd: int, ptr: int) -> int:
    """``EBADF`` for a descriptor that is no preopen (SBX-005.25)."""
    found = state.files.get(fd)
    if not isinstance(found, DirFd) or not found.preopened:
        raise WasiError(EBADF)
    state.write(ptr, _PRESTAT.pack(0, len(found.preopen.encode())))
    return 0


def fd_prestat_dir_name(state: WasiState, fd: int, ptr: int, length: int) -> int:
    """``EBADF`` for a descriptor that is no preopen (SBX-005.25)."""
    found = state.files.get(fd)
    if not isinstance(found, DirFd) or not found.preopened:
        raise WasiError(EBADF)
    name = found.preopen.encode()
    if length < len(name):
        raise WasiError(ENAMETOOLONG)
    state.write(ptr, name)
    return 0


def fd_readdir(state: WasiState, fd: int, buf: int, length: int, cookie: int, out: int) -> int:
    """Entries in the order of their names' UTF-8 bytes, without ``.`` and ``..`` (SBX-005.7).

    The cookie of an entry is its position in that order plus one.  The buffer is
    checked first; the sort is made once per version of the directory and paid for
    then (SBX-006.6), each entry listed and each byte written paid before (SBX-006.5).
    """
    directory = state.files.directory(fd)
    state.check(buf, length)
    node = directory.node
    listing = sorted_listing(node.entries, node, state.charge)
    entries, size = [], 0
    for index in range(min(cookie, len(listing)), len(listing)):
        if size >= length:
            break
        entries.append(index)
        size += _DIRENT.size + len(listing[index][1])
    state.charge(ENTRY_FUEL * len(entries) + BYTE_FUEL * min(size, length), "a listing")
    chunks = []
    numbers = directory.trail.numbers([listing[index][1] for index in entries])
    for index, ino in zip(entries, numbers, strict=True):
        name, raw = listing[index]
        kind = DIRECTORY if isinstance(node.entries[name], Directory) else REGULAR_FILE
        chunks.append(_DIRENT.pack(index + 1, ino, len(raw), kind) + raw)
    state.write(buf, b"".join(chunks)[:length])
    state.u32(out, min(size, length))
    return 0


def sorted_listing(
    entries: dict[str, File | Directory], node: Directory, charge: Callable[[int, str], None]
) -> tuple[tuple[str, bytes], ...]:
    """``node``'s names and their UTF-8 bytes in byte order, sorted once per version (SBX-006.6)."""
    if node.listing is None:
        charge(SORT_FUEL * len(entries), "sorting a directory")
        # code point order is UTF-8 byte order
        node.listing = tuple((name, name.encode("utf-8")) for name in sorted(entries))
    return node.listing


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
    "poll_oneoff": ("iiii", 1, poll_oneoff),
    "sock_accept": ("iii", 1, _refuse("sock_accept")),
    "sock_recv": ("iiiiii", 1, _refuse("sock_recv")),
    "sock_send": ("iiiii", 1, _refuse("sock_send")),
    "sock_shutdown": ("ii", 1, _refuse("sock_shutdown")),
}

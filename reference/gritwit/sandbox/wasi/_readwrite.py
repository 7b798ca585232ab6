"""Reading, writing, seeking and resizing files and streams, bounded before they copy (SBX-005).

Every guest number is checked first — the ``iovec`` arrays against guest memory,
a write against the output limit or the write budget, a position against 2**63 - 1
— and only then is anything copied, no more than can still be accepted and at most
the guest's memory size per call (SBX-005.15, SBX-005.16); the bytes moved are paid in fuel
before they move (SBX-006.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._cost import BYTE_FUEL, MAX_POSITION
from ._fs import (
    EBADF,
    EINVAL,
    EISDIR,
    EOVERFLOW,
    ESPIPE,
    FDFLAG_APPEND,
    DirFd,
    FileFd,
    StreamFd,
    WasiError,
)

if TYPE_CHECKING:
    from ._state import WasiState

__all__ = [
    "MAX_SIZE",
    "fd_allocate",
    "fd_filestat_set_size",
    "fd_pread",
    "fd_pwrite",
    "fd_read",
    "fd_seek",
    "fd_tell",
    "fd_write",
]

#: WASI's ``size``: a count a call answers is at most this.
MAX_SIZE: Final = (1 << 32) - 1


def fd_filestat_set_size(state: WasiState, fd: int, size: int) -> int:
    _grow(state, _writable(state, fd), size, shrink=True)
    return 0


def fd_allocate(state: WasiState, fd: int, offset: int, length: int) -> int:
    _grow(state, _writable(state, fd), offset + length, shrink=False)
    return 0


def _grow(state: WasiState, handle: FileFd, size: int, *, shrink: bool) -> None:
    """Resize to ``size``: bounded (SBX-005.18), the budget checked (SBX-007.5), then paid."""
    if size > MAX_POSITION:
        raise WasiError(EINVAL)
    added = size - len(handle.file.data)
    if added > state.files.budget:
        state.files.charge(added)  # ENOSPC, before a byte is made
    if added > 0:
        state.charge(BYTE_FUEL * added, "the bytes a file grows by")
    if added > 0 or shrink:
        state.files.resize(handle, size)


def _readable(state: WasiState, fd: int) -> FileFd | StreamFd:
    """What ``fd_read`` may read: ``EISDIR`` for a directory, else ``EBADF`` (SBX-005.26)."""
    found = state.files.get(fd)
    if isinstance(found, DirFd):
        raise WasiError(EISDIR)
    if (isinstance(found, StreamFd) and found.write is not None) or (
        isinstance(found, FileFd) and not found.readable
    ):
        raise WasiError(EBADF)
    return found


def _writable(state: WasiState, fd: int) -> FileFd:
    """A file opened with the right to write, else ``EBADF`` (SBX-005.26)."""
    handle = state.files.file(fd)
    if not handle.writable:
        raise WasiError(EBADF)
    return handle


def fd_read(state: WasiState, fd: int, iovs: int, count: int, out: int) -> int:
    handle = _readable(state, fd)
    if isinstance(handle, StreamFd):  # standard input is empty (SBX-005.2)
        state.u32(out, 0)
        return 0
    done = state.scatter(iovs, count, handle.file.data, handle.position)
    handle.position += done
    state.u32(out, done)
    return 0


def fd_pread(state: WasiState, fd: int, iovs: int, count: int, offset: int, out: int) -> int:
    handle = _readable(state, fd)
    if isinstance(handle, StreamFd):
        raise WasiError(ESPIPE)
    done = state.scatter(iovs, count, handle.file.data, offset)
    state.u32(out, done)
    return 0


def fd_write(state: WasiState, fd: int, iovs: int, count: int, out: int) -> int:
    found = state.files.get(fd)
    if isinstance(found, StreamFd):
        state.u32(out, _stream_write(state, found, iovs, count))
        return 0
    handle = _writable(state, fd)
    offset = len(handle.file.data) if handle.flags & FDFLAG_APPEND else handle.position
    written = _file_write(state, handle, offset, iovs, count)
    handle.position = offset + written
    state.u32(out, written)
    return 0


def fd_pwrite(state: WasiState, fd: int, iovs: int, count: int, offset: int, out: int) -> int:
    handle = _writable(state, fd)
    state.u32(out, _file_write(state, handle, offset, iovs, count))
    return 0


def _stream_write(state: WasiState, stream: StreamFd, iovs: int, count: int) -> int:
    """A write to standard output or error: the iovecs checked, then only what the stream can
    still keep copied — and one byte more, which tells it the write goes past its limit
    (SBX-005.16, SBX-007.2), paid as every byte copied is, as a file write's is (SBX-006.5).
    The count is the iovecs' whole length, as if all were kept."""
    if stream.write is None:
        raise WasiError(EBADF)
    total = state.measure(iovs, count)
    room = stream.room()
    take = min(total, state.size if room is None else room + 1)
    data = state.gather(iovs, count, take)
    kept = stream.write(data)
    return min(total, MAX_SIZE) if kept >= len(data) else kept


def _file_write(state: WasiState, handle: FileFd, offset: int, iovs: int, count: int) -> int:
    """A write to a file at ``offset``: the iovecs checked, then no more copied than the write
    budget can still take — one byte past it is enough for ``write_at`` to refuse the write
    (SBX-005.16, SBX-007.5) —, and at most the guest's memory size per call."""
    take = min(state.measure(iovs, count), state.size, MAX_SIZE, state.files.budget + 1)
    data = state.gather(iovs, count, take)
    state.files.write_at(handle, offset, data)
    return len(data)


def fd_seek(state: WasiState, fd: int, offset: int, whence: int, out: int) -> int:
    """A new position: below 0 ``EINVAL``, past 2**63 - 1 ``EOVERFLOW`` (SBX-005.18).

    ``ESPIPE`` for a stream, ``EISDIR`` for a directory (SBX-005.26).
    """
    handle = state.files.file(fd)
    bases = {0: 0, 1: handle.position, 2: len(handle.file.data)}
    if whence not in bases or bases[whence] + offset < 0:
        raise WasiError(EINVAL)
    if bases[whence] + offset > MAX_POSITION:
        raise WasiError(EOVERFLOW)
    handle.position = bases[whence] + offset
    state.u64(out, handle.position)
    return 0


def fd_tell(state: WasiState, fd: int, out: int) -> int:
    """``ESPIPE`` for a stream, ``EISDIR`` for a directory (SBX-005.26)."""
    state.u64(out, state.files.file(fd).position)
    return 0

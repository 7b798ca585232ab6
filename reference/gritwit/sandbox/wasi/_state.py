"""One run's WASI state: its seed and random stream, its filesystem, and the guest's memory.

:class:`WasiState` is what every WASI call of a run works on (:mod:`._calls`,
:mod:`._paths`, :mod:`._readwrite`), and what :mod:`._linker` hands each call.  Guest
memory is read and written as slices, every range checked before a byte is copied
(SBX-005.15); host work is paid for in the run's fuel first (SBX-006.5).
"""

from __future__ import annotations

import ctypes
import hashlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from ...wasm._raw import memory_data, memory_data_size
from ._cost import (
    BYTE_FUEL,
    COMPONENT_FUEL,
    IOVEC_FUEL,
    MAX_PATH_BYTES,
    PATH_FUEL,
    charge_context,
    fuel_left,
)
from ._fs import ENAMETOOLONG, ENOTSUP, Filesystem, WasiError

__all__ = ["EFAULT", "NAMED_FORBIDDEN", "WasiState"]

EFAULT: Final = 21


#: The forbidden attempts a run's ``forbidden-operation`` names at most (SBX-008.5).
NAMED_FORBIDDEN: Final = 16


@dataclass(slots=True, weakref_slot=True)
class WasiState:
    """One run's WASI: the seed, the filesystem, what the program attempted, host calls made."""

    seed: bytes
    fs: Filesystem | None = None
    counter: int = 0
    #: The first :data:`NAMED_FORBIDDEN` forbidden attempts, and how many came after them
    #: (counted, not kept: SBX-008.5).
    forbidden: list[str] = field(default_factory=list)
    forbidden_more: int = 0
    #: Bytes of the stream made but not handed out yet.
    pending: bytearray = field(default_factory=bytearray)
    #: Host calls made so far (a measure of the run's cost; no rule depends on it).
    calls: int = 0
    #: The guest's memory: the store's context and the memory's handle, found at the first call.
    context: int = 0
    memory: Any = None
    #: The memory's address and size during the current host call (it cannot move within one).
    span: tuple[int, int] | None = None
    #: A weak reference to the run's snapshot point, which serves ``clock_res_get`` and
    #: ``random_get`` in its place (SBX-005.14; :class:`~gritwit.sandbox._snapshot.Point`),
    #: or ``None``.  Weak: the point holds this state, and no cycle may keep a finished run.
    point: Any = None

    def refused(self, what: str) -> None:
        """Record a forbidden attempt (SBX-008.2): the first :data:`NAMED_FORBIDDEN` by name,
        the rest by number, so the host holds no list that grows with them (SBX-008.5)."""
        if len(self.forbidden) < NAMED_FORBIDDEN:
            self.forbidden.append(what)
        else:
            self.forbidden_more += 1

    def random(self, length: int) -> bytes:
        """The next ``length`` bytes of the run's stream: SHA-256 in counter mode (SBX-005.5)."""
        if len(self.pending) < length:
            seeded = hashlib.sha256(self.seed)
            blocks = -(-(length - len(self.pending)) // 32)
            start, self.counter = self.counter, self.counter + blocks
            for n in range(start, start + blocks):
                block = seeded.copy()
                block.update(n.to_bytes(8, "little"))
                self.pending += block.digest()
        out = bytes(self.pending[:length])
        del self.pending[:length]
        return out

    @property
    def files(self) -> Filesystem:
        if self.fs is None:
            raise WasiError(ENOTSUP)
        return self.fs

    # -- fuel for host work (SBX-006.5) ---------------------------------------------

    def charge(self, fuel: int, what: str) -> None:
        """Pay ``fuel`` for host work about to be done; ``fuel-exhausted`` if the run cannot."""
        charge_context(self.context, fuel, what)

    def fuel_left(self) -> int:
        """The run's fuel left: what a walk of unknown length may spend at most."""
        return fuel_left(self.context)

    # -- guest memory, as slices, every range checked before a byte is copied (SBX-005.15) --

    def _where(self) -> tuple[int, int]:
        span = self.span
        if span is None:
            memory = ctypes.addressof(self.memory)
            size = memory_data_size(self.context, memory)
            span = self.span = ((memory_data(self.context, memory) or 0) if size else 0, size)
        return span

    @property
    def size(self) -> int:
        """The guest's memory size in bytes: what one host call copies at most."""
        return self._where()[1]

    def check(self, ptr: int, length: int) -> None:
        """``EFAULT`` unless ``ptr … ptr + length`` lies in the guest's memory."""
        if ptr + length > self._where()[1]:
            raise WasiError(EFAULT)

    def read(self, ptr: int, length: int) -> bytes:
        base, size = self._where()
        if ptr + length > size:
            raise WasiError(EFAULT)
        return ctypes.string_at(base + ptr, length)

    def write(self, ptr: int, data: bytes) -> None:
        base, size = self._where()
        if ptr + len(data) > size:
            raise WasiError(EFAULT)
        ctypes.memmove(base + ptr, data, len(data))

    def u32(self, ptr: int, value: int) -> None:
        self.write(ptr, _U32.pack(value))

    def u64(self, ptr: int, value: int) -> None:
        self.write(ptr, _U64.pack(value))

    def path(self, ptr: int, length: int) -> bytes:
        """A path argument: at most :data:`MAX_PATH_BYTES`, charged, then copied (SBX-005.17);
        then its walk, before it is walked: the path and its components, one more than its
        ``/`` (SBX-006.13)."""
        if length > MAX_PATH_BYTES:
            raise WasiError(ENAMETOOLONG)
        self.check(ptr, length)
        self.charge(BYTE_FUEL * length, "a path")
        raw = self.read(ptr, length)
        components = raw.count(b"/") + 1
        self.charge(PATH_FUEL + COMPONENT_FUEL * components, "a path's walk")
        return raw

    def iovecs(self, ptr: int, count: int) -> Iterator[tuple[int, int]]:
        """The ``(buf, buf_len)`` pairs of an ``iovec`` array, each checked against memory.

        The array must lie in memory (``EFAULT``) and is paid for before it is read
        (SBX-006.5); it is read a block at a time, never whole.
        """
        self.check(ptr, 8 * count)
        self.charge(IOVEC_FUEL * count, "an iovec array")
        return self._entries(ptr, count)

    def _entries(self, ptr: int, count: int) -> Iterator[tuple[int, int]]:
        size = self._where()[1]
        for first in range(0, count, _IOVEC_BLOCK):
            raw = self.read(ptr + 8 * first, 8 * min(_IOVEC_BLOCK, count - first))
            for buf, length in _IOVEC.iter_unpack(raw):
                if buf + length > size:
                    raise WasiError(EFAULT)
                yield buf, length

    def measure(self, ptr: int, count: int) -> int:
        """The sum of an ``iovec`` array's lengths, every entry checked, nothing copied."""
        return sum(length for _, length in self.iovecs(ptr, count))

    def gather(self, ptr: int, count: int, take: int) -> bytes:
        """The first ``take`` bytes of an ``iovec`` array (:meth:`measure` checked it first).

        No more than ``take`` bytes are copied, so one buffer listed many times is
        not copied many times (SBX-005.15); all of them are paid for before the copy
        (SBX-006.5).
        """
        self.charge(BYTE_FUEL * take, "the bytes of a write")
        if not take:
            return b""
        out = bytearray()
        with self._guest() as memory:  # slices, not a ctypes call per entry
            for buf, length in self._entries(ptr, count):
                if len(out) >= take:
                    break
                out += memory[buf : buf + min(length, take - len(out))]
        return bytes(out)

    def scatter(self, ptr: int, count: int, source: bytes | bytearray, start: int) -> int:
        """Fill an ``iovec`` array from ``source[start:]``, in order; the bytes filled (SBX-005.32).

        The chunks are paid for together before the first is copied (SBX-006.5), then
        copied straight from ``source`` into guest memory; a call fills at most the guest's
        memory size.  The entries are read as far as the bytes reach, no further: an entry
        past them is never checked, and one out of memory (``EFAULT``) ends the call once
        the chunks before it are paid and copied.
        """
        left = min(max(0, len(source) - start), self.size)
        chunks: list[tuple[int, int]] = []
        done, fault = 0, None
        try:
            for buf, length in self.iovecs(ptr, count):
                step = min(length, left - done)
                if step > 0:
                    chunks.append((buf, step))
                    done += step
                if step < length:
                    break
        except WasiError as error:  # an entry out of memory: what came before it is filled
            if error.errno != EFAULT or not chunks:
                raise
            fault = error
        if done:  # one charge, and slices: no ctypes call per chunk
            self.charge(BYTE_FUEL * done, "the bytes of a read")
            with self._guest() as memory, memoryview(source) as data:
                at = start
                for buf, step in chunks:
                    memory[buf : buf + step] = data[at : at + step]
                    at += step
        if fault is not None:
            raise fault
        return done

    def _guest(self) -> memoryview:
        """The guest's memory as bytes, for the current host call only (it may move or grow
        between calls); a ``with`` block releases it."""
        base, size = self._where()
        return memoryview((ctypes.c_ubyte * size).from_address(base)).cast("B")


_U32: Final = struct.Struct("<I")
_U64: Final = struct.Struct("<Q")
_IOVEC: Final = struct.Struct("<II")
#: ``iovec`` entries read at a time.
_IOVEC_BLOCK: Final = 1024

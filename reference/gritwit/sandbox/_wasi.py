"""The WASI preview 1 a sandboxed program gets: every import served by the host, here (SBX-005).

No function of wasmtime's own WASI is linked: the interpreter's imports are
host functions over the run's in-memory :class:`~._fs.Filesystem` (SBX-005.1,
SBX-005.7, SBX-007.4; :mod:`._calls`, :mod:`._paths`), its fixed arguments and empty
environment (SBX-005.2), a fixed clock (SBX-005.4) and a seeded random stream
(SBX-005.5).  Polling, sockets and links are refused: they answer ``ENOTSUP``
and count as a forbidden operation (SBX-005.3, SBX-004.6, SBX-008.2), as does a
path climbing out of its preopen (SBX-005.8).  ``proc_exit`` raises
:class:`ProcExit`.

The interpreter is built with wasi-vfs: its standard library is served inside
the module, so only the calls about the preopens, the standard streams, the
clock and randomness reach the host.  Each function is a raw callback of
wasmtime's unchecked C API (no per-call value conversions), made once per
process; a run's linker hands it the run's :class:`WasiState` through the
callback's environment, and guest memory is read and written as slices.
"""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import struct
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, cast

import wasmtime
import wasmtime._ffi as ffi

from .._errors import GritError, WasmTrap
from ..wasm._raw import (
    RAW_CALLBACK,
    RESULT,
    c_function,
    define_unchecked,
    memory_data,
    memory_data_size,
    raw_trap,
    value_array,
)
from ._calls import ARGV, FUNCTIONS, ProcExit
from ._cost import BYTE_FUEL, CALL_FUEL, IOVEC_FUEL, MAX_PATH_BYTES, charge_context, fuel_left
from ._fs import ENAMETOOLONG, ENOTSUP, FIXED_TIME_NS, Filesystem, WasiError

__all__ = ["ARGV", "FIXED_TIME_NS", "ProcExit", "WasiState", "host_trap", "linker", "serve"]

WASI: Final = "wasi_snapshot_preview1"
EFAULT: Final = 21


@dataclass(slots=True, weakref_slot=True)
class WasiState:
    """One run's WASI: the seed, the filesystem, what the program attempted, host calls made."""

    seed: bytes
    fs: Filesystem | None = None
    counter: int = 0
    forbidden: list[str] = field(default_factory=list)
    #: Bytes of the stream made but not handed out yet.
    pending: bytearray = field(default_factory=bytearray)
    #: Host calls made so far (a measure of the run's cost; no rule depends on it).
    calls: int = 0
    #: The guest's memory: the store's context and the memory's handle, found at the first call.
    context: int = 0
    memory: Any = None
    #: The memory's address and size during the current host call (it cannot move within one).
    span: tuple[int, int] | None = None

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
        """A path argument: at most :data:`MAX_PATH_BYTES`, charged, then copied (SBX-005.17)."""
        if length > MAX_PATH_BYTES:
            raise WasiError(ENAMETOOLONG)
        self.check(ptr, length)
        self.charge(BYTE_FUEL * length, "a path")
        return self.read(ptr, length)

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

    def gather(self, ptr: int, count: int, take: int, paid: int | None = None) -> bytes:
        """The first ``take`` bytes of an ``iovec`` array (:meth:`measure` checked it first).

        No more than ``take`` bytes are copied, so one buffer listed many times is
        not copied many times (SBX-005.15); ``paid`` of them (all by default) are
        paid for before the copy (SBX-006.5).
        """
        self.charge(BYTE_FUEL * (take if paid is None else paid), "the bytes of a write")
        out = bytearray()
        base = self._where()[0]
        for buf, length in self._entries(ptr, count):
            if len(out) >= take:
                break
            out += ctypes.string_at(base + buf, min(length, take - len(out)))
        return bytes(out)

    def scatter(self, ptr: int, count: int, source: bytes | bytearray, start: int) -> int:
        """Fill an ``iovec`` array from ``source[start:]``; the bytes filled.

        Each chunk is paid for before it is copied (SBX-006.5), straight from
        ``source`` into guest memory; a call fills at most the guest's memory size.
        """
        done, base = 0, self._where()[0]
        left = min(max(0, len(source) - start), self.size)
        address = _address(source)
        for buf, length in self.iovecs(ptr, count):
            step = min(length, left - done)
            if step > 0:
                self.charge(BYTE_FUEL * step, "the bytes of a read")
                ctypes.memmove(base + buf, address + start + done, step)
                done += step
            if step < length:
                break
        return done


def _address(data: bytes | bytearray) -> int:
    """Where ``data``'s bytes are (it is not resized while the caller copies from it)."""
    if isinstance(data, bytes):
        return ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value or 0
    if not data:
        return 0
    view = ctypes.c_char.from_buffer(data)
    address = ctypes.addressof(view)
    del view  # the export ends here; the address stays valid while data keeps its size
    return address


_U32: Final = struct.Struct("<I")
_U64: Final = struct.Struct("<Q")
_IOVEC: Final = struct.Struct("<II")
#: ``iovec`` entries read at a time.
_IOVEC_BLOCK: Final = 1024

_VOID_P = ctypes.c_void_p
_caller_context: Final = c_function("wasmtime_caller_context", _VOID_P, _VOID_P)
_caller_export_get: Final = c_function(
    "wasmtime_caller_export_get", ctypes.c_bool, _VOID_P, ctypes.c_char_p, ctypes.c_size_t, _VOID_P
)


def _bind_memory(state: WasiState, caller: int) -> None:
    """Find the calling instance's memory once per run (the interpreter exports ``memory``)."""
    item = ffi.wasmtime_extern_t()
    if not _caller_export_get(caller, b"memory", 6, ctypes.addressof(item)):
        raise wasmtime.WasmtimeError("the interpreter exports no memory")
    if cast(int, item.kind) != ffi.WASMTIME_EXTERN_MEMORY.value:
        raise wasmtime.WasmtimeError("the interpreter's 'memory' is not a memory")
    memory = ffi.wasmtime_memory_t()
    ctypes.memmove(ctypes.addressof(memory), ctypes.addressof(item.of), ctypes.sizeof(memory))
    state.context, state.memory = _caller_context(caller) or 0, memory


#: Each run's state by the key its linker's functions carry: a weak reference and the
#: number of functions still holding the key (wasmtime calls the finalizer once for each).
_RUNS: Final[dict[int, list[Any]]] = {}
_KEYS: Final = itertools.count(1)


def serve(
    state: WasiState, name: str, function: Callable[..., int | None], args: tuple[int, ...]
) -> int | None:
    """One call of the WASI function ``name``: its result or errno, or the run's typed end.

    The call is paid for first (SBX-006.5).  A :class:`WasiError` becomes its errno
    (and a forbidden attempt is recorded); :class:`ProcExit` and the run's typed
    errors (``fuel-exhausted``) end the run as they are; any other exception ends it
    → ``trap`` naming ``name`` (SBX-005.19), never a host error of its own class.
    """
    try:
        state.charge(CALL_FUEL, name)
        return function(state, *args)
    except WasiError as error:
        if error.forbidden is not None:
            state.forbidden.append(error.forbidden)
        return error.errno
    except (ProcExit, GritError):
        raise
    except Exception as exc:  # a host error on the guest's arguments: the run's trap
        raise host_trap(name, exc) from None


def _callback(name: str, params: str, function: Callable[..., int | None]) -> Any:
    """A raw callback :func:`serve`-ing ``function``; its result or errno is the ``i32``.

    ``params`` spells the WASI signature: ``i`` an ``i32`` (unsigned), ``I`` an
    ``i64`` (unsigned), ``q`` an ``i64`` (signed).  Whatever ends the run is handed on
    as wasmtime-py hands an exception on.
    """
    array, unpack = value_array(params)
    pack_into = RESULT.pack_into

    def call(env: int | None, caller: int, values: int, _count: int) -> int:
        try:
            state: WasiState | None = _RUNS[env or 0][0]()
            if state is None:  # pragma: no cover - the run's caller holds its state
                raise wasmtime.WasmtimeError("a WASI call after its run")
            state.calls += 1
            state.span = None
            if state.memory is None:
                _bind_memory(state, caller)
            raw = array.from_address(values)
            result = serve(state, name, function, unpack(raw))
            if result is not None:
                pack_into(raw, 0, result)
            return 0
        except BaseException as exc:  # as wasmtime-py's own trampoline: every one ends the call
            return raw_trap(exc)

    return RAW_CALLBACK(call)


def host_trap(name: str, exc: BaseException) -> WasmTrap:
    """The ``trap`` of a host function that failed with no WASI errno (SBX-005.19)."""
    what = f"{type(exc).__name__}: {exc}"[:200]
    return WasmTrap("SBX-005.19", f"the host function {name} failed on its arguments ({what})")


def _release(env: int | None) -> None:
    entry = _RUNS.get(env or 0)
    if entry is not None:
        entry[1] -= 1
        if entry[1] <= 0:
            del _RUNS[env or 0]


_FINALIZER: Final = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_finalize: Final = _FINALIZER(_release)


#: The functions, made once: name → (raw callback, function type).
_DEFINED: Final[dict[str, tuple[Any, wasmtime.FuncType]]] = {}


def _functions() -> dict[str, tuple[Any, wasmtime.FuncType]]:
    if not _DEFINED:
        kinds = {"i": wasmtime.ValType.i32(), "I": wasmtime.ValType.i64()}
        kinds["q"] = kinds["I"]
        for name, (params, results, function) in FUNCTIONS.items():
            ty = wasmtime.FuncType([kinds[k] for k in params], [kinds["i"]] * results)
            _DEFINED[name] = (_callback(name, params, function), ty)
    return _DEFINED


def linker(engine: wasmtime.Engine, state: WasiState) -> wasmtime.Linker:
    """A linker serving every WASI preview 1 import from ``state`` (SBX-005)."""
    link = wasmtime.Linker(engine)
    key = next(_KEYS)
    functions = _functions()
    _RUNS[key] = [weakref.ref(state), len(functions)]
    for name, (callback, ty) in functions.items():
        define_unchecked(link, WASI, name, ty, callback, key, _finalize)
    return link

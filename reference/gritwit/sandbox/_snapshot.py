"""The interpreter's start-up, paid once per process: a snapshot at the snapshot point (SBX-003.4).

Starting CPython and the prelude costs some 5 × 10⁸ instructions before a
program's first line.  The prelude (``_prelude.py``) initialises what every run
needs and then reaches the *snapshot point* (SBX-005.14): it calls
``clock_res_get`` with a clock id that is no WASI clock — the address of its
runner, the function object ``_gritwit_main``.  There the host

* while **taking a snapshot**, copies the linear memory and the stack pointer and
  stops the instance (once per process and interpreter);
* in **every run**, cold or restored, switches ``random_get`` from the start-up
  stream to the run's (SBX-005.14), gives the run its whole fuel (SBX-006.4) and
  calls the runner through the function table, as C code calls a Python function
  (``vectorcall``); the runner runs the program and ends the instance with
  ``proc_exit``.

A restored run does that on a fresh instance (SBX-003.1) whose memory and stack
pointer are the snapshot's — an instance of the *image module*, the derived module
with the snapshot as its initial memory and stack pointer (compiled once per machine
and cached; the engine maps its memory copy-on-write, so a restore copies nothing),
or else an instance of the interpreter with the snapshot copied in.  Cold and
restored runs run the same code on the same memory, so their results are equal by
construction (SBX-003.4); the tests check it.

The interpreter exports only ``memory`` and ``_start``: the host runs a module
derived from the pinned build that also exports its stack pointer (its one
global) and its function table, without the debugging sections; every index,
type and function body is the pinned build's.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import wasmtime
import wasmtime._ffi as ffi

from .._errors import UnknownWit, WasmTrap
from ..wasm._binary import _leb_u32
from ..wasm._engine import _LOCK
from ..wasm._raw import frames_cleared
from ._engine import compiled
from ._stop import unwatched
from .wasi._calls import RANDOM_CHUNK
from .wasi._cost import CALL_FUEL, RANDOM_FUEL
from .wasi._linker import WasiState, linker

__all__ = [
    "EXPORT_STACK",
    "EXPORT_TABLE",
    "STARTUP_FUEL",
    "STARTUP_SEED",
    "Point",
    "Snapshot",
    "derived_module",
    "image_module",
    "is_stop",
    "snapshot_of",
]

#: The exports the derived module adds: global 0 and table 0.
EXPORT_STACK: Final = "gritwit_stack_pointer"
EXPORT_TABLE: Final = "gritwit_table"
#: The seed of the start-up stream ``random_get`` serves before the snapshot point (SBX-005.14).
STARTUP_SEED: Final = hashlib.sha256(b"gritwit-sandbox/1 start-up").digest()
#: The fuel the start-up may use before the snapshot point; not charged to the run (SBX-006.4).
STARTUP_FUEL: Final = 3_000_000_000
#: WASI preview 1 clock ids are 0 … 3; a larger id at start-up marks the snapshot point.
_WASI_CLOCKS: Final = 4
#: Offset of ``vectorcall`` in CPython 3.12's ``PyFunctionObject`` on wasm32 (8 + 14 pointers).
_VECTORCALL_OFFSET: Final = 64
#: Granularity of the snapshot's difference from a fresh instance's memory.
_CHUNK: Final = 4096
_HEADER: Final = 8
_CUSTOM, _TABLE, _MEMORY, _GLOBAL, _EXPORT, _DATA_COUNT, _DATA = 0, 4, 5, 6, 7, 12, 11
#: The data segments of an image module: runs of non-zero bytes, joined across fewer
#: than 64 zero bytes.
_NON_ZERO: Final = re.compile(rb"[^\x00]+(?:\x00{1,63}[^\x00]+)*")
_WASI: Final = "wasi_snapshot_preview1"


class _Stop(Exception):
    """Raised at the snapshot point to stop the instance once its state is copied."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The interpreter at the snapshot point, as the difference from a fresh instance."""

    #: Memory size in 64 KiB pages, and the runs of bytes that differ from a fresh instance's.
    pages: int
    chunks: tuple[tuple[int, bytes], ...]
    stack_pointer: int
    #: The runner: the address of the function object and its table index.
    runner: int
    runner_index: int
    #: The fuel the start-up used (for the record: it is not charged, SBX-006.4).
    startup_fuel: int
    #: The derived module with the snapshot as its initial memory and stack pointer: its
    #: fresh instance is the restored one, its memory mapped copy-on-write by the engine.
    module: wasmtime.Module | None = None

    @property
    def size(self) -> int:
        """The memory's size in bytes."""
        return self.pages << 16


# -- the derived module --------------------------------------------------------------------


def _sections(wasm: bytes) -> Iterator[tuple[int, int, int, int]]:
    """Every section: (id, start of the section, start of its content, end)."""
    pos = _HEADER
    while pos < len(wasm):
        size = _leb_u32(wasm, pos + 1)
        if size is None or size[1] + size[0] > len(wasm):
            raise UnknownWit("SBX-002.2", "the interpreter module is not well-formed")
        yield wasm[pos], pos, size[1], size[1] + size[0]
        pos = size[1] + size[0]


def _u32(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def _s32(value: int) -> bytes:
    """A signed LEB128 ``i32``."""
    value = value - (1 << 32) if value >= 1 << 31 else value
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _section(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + _u32(len(body)) + body


def image_module(derived: bytes, memory: bytes, stack_pointer: int) -> bytes:
    """``derived`` whose fresh instance is the snapshot's: initial memory and stack pointer.

    The memory's minimum becomes the snapshot's size, the stack pointer's initial
    value the snapshot's, and the data segments the snapshot's non-zero bytes (the
    memory is zero elsewhere); code, table and exports are unchanged.
    """
    segments = [
        b"\x00\x41" + _s32(run.start()) + b"\x0b" + _u32(len(run.group())) + run.group()
        for run in _NON_ZERO.finditer(memory)
    ]
    size = len(memory)
    parts = [derived[:_HEADER]]
    for section, start, _, end in _sections(derived):
        if section == _MEMORY:
            parts.append(_section(_MEMORY, b"\x01\x00" + _u32(size >> 16)))
        elif section == _GLOBAL:
            parts.append(_section(_GLOBAL, b"\x01\x7f\x01\x41" + _s32(stack_pointer) + b"\x0b"))
        elif section == _DATA:
            parts.append(_section(_DATA, _u32(len(segments)) + b"".join(segments)))
        elif section == _DATA_COUNT:
            parts.append(_section(_DATA_COUNT, _u32(len(segments))))
        else:
            parts.append(derived[start:end])
    return b"".join(parts)


def _name(text: str) -> bytes:
    raw = text.encode()
    return _u32(len(raw)) + raw


def derived_module(wasm: bytes) -> bytes:
    """``wasm`` also exporting global 0 and table 0, without its ``.debug*`` sections.

    The pinned interpreter has one global, the mutable ``i32`` stack pointer, and
    one table; anything else → ``unknown-wit`` (SBX-002.2).
    """
    parts = [wasm[:_HEADER]]
    seen: set[int] = set()
    for section, start, content, end in _sections(wasm):
        if section == _CUSTOM:
            length = _leb_u32(wasm, content)
            if length is not None and wasm[length[1] :].startswith(b".debug"):
                continue
        elif section in (_TABLE, _GLOBAL):
            if wasm[content] != 1 or (section == _GLOBAL and wasm[content + 1] != 0x7F):
                raise UnknownWit("SBX-002.2", "the interpreter's globals or table are unexpected")
            seen.add(section)
        elif section == _EXPORT:
            count = _leb_u32(wasm, content)
            if count is None:
                raise UnknownWit("SBX-002.2", "the interpreter module is not well-formed")
            added = _name(EXPORT_STACK) + b"\x03\x00" + _name(EXPORT_TABLE) + b"\x01\x00"
            body = _u32(count[0] + 2) + wasm[count[1] : end] + added
            parts.append(bytes([_EXPORT]) + _u32(len(body)) + body)
            continue
        parts.append(wasm[start:end])
    if seen != {_TABLE, _GLOBAL}:
        raise UnknownWit("SBX-002.2", "the interpreter has no stack pointer or table")
    return b"".join(parts)


# -- the snapshot point --------------------------------------------------------------------


def _address(memory: wasmtime.Memory, context: Any) -> int:
    return ctypes.addressof(memory.data_ptr(context).contents)


def _read_u32(memory: wasmtime.Memory, context: Any, at: int) -> int:
    if at + 4 > memory.data_len(context):
        raise wasmtime.WasmtimeError("the snapshot point names no runner")
    return int.from_bytes(ctypes.string_at(_address(memory, context) + at, 4), "little")


def _set_fuel(context: Any, fuel: int) -> None:
    error = ffi.wasmtime_context_set_fuel(context._context(), fuel)
    if error:  # pragma: no cover - the engine consumes fuel
        raise wasmtime.WasmtimeError._from_ptr(error)


def _call_runner(context: Any, table: wasmtime.Table, index: int, runner: int) -> None:
    """Call ``_gritwit_main`` (``vectorcall(func, NULL, 0, NULL)``); it never returns."""
    func = table.get(context, index)
    if not isinstance(func, wasmtime.Func):
        raise wasmtime.WasmtimeError("the runner is not a function")
    func(context, runner, 0, 0, 0)
    raise WasmTrap("SBX-008.4", "the interpreter's runner returned instead of exiting")


class Point:
    """One instance's snapshot point: the start-up stream before it, the run's after it.

    ``take=True``: copy the state at the point and stop (:meth:`snapshot`).
    Otherwise give the run ``fuel`` and call the runner there (a cold run) or
    from :meth:`restore` (a restored run).
    """

    def __init__(self, state: WasiState, fuel: int, *, take: bool = False) -> None:
        self.state, self.fuel, self.take = state, fuel, take
        self.startup = WasiState(STARTUP_SEED)
        self.reached = False
        self.startup_fuel = 0
        self.captured: tuple[bytes, int, int, int] | None = None

    def link(self, link: wasmtime.Linker) -> wasmtime.Linker:
        """``link``, whose ``clock_res_get`` and ``random_get`` the point now serves.

        The linker's raw callbacks hand those two calls to :meth:`serve` (the run's
        :class:`WasiState` names the point): no function of wasmtime-py's own
        trampoline, whose ``Caller`` and export lookup cost some 190 000 host
        instructions a call (the host-cost gate: 7.7 × plain bytecode's a unit of fuel).
        """
        self.state.point = weakref.ref(self)
        return link

    def serve(self, state: WasiState, name: str, caller: int, args: tuple[int, ...]) -> int:
        """Answer ``name`` (one of :data:`~.wasi._linker.POINT_CALLS`) for the run ``state``.

        ``caller`` is wasmtime's raw caller of the call.  What the call raises ends the
        run as it is, as wasmtime-py's trampoline handed it on.
        """
        if name == "random_get":
            return self._random_get(state, caller, *args)
        return self._clock_res_get(state, caller, *args)

    def _random_get(self, state: WasiState, caller: int, ptr: int, length: int) -> int:
        """The start-up stream before the point, the run's from it on (SBX-005.14).

        Checked (``EFAULT`` before a byte is made), then paid (SBX-006.5), then made.
        """
        stream = self.state if self.reached else self.startup
        if ptr + length > state.size:
            return 21  # EFAULT, before a byte is made
        state.charge(CALL_FUEL + RANDOM_FUEL * length, "random_get")
        for at in range(0, length, RANDOM_CHUNK):
            state.write(ptr + at, stream.random(min(RANDOM_CHUNK, length - at)))
        return 0

    def _clock_res_get(self, state: WasiState, caller: int, clock: int, ptr: int) -> int:
        """1 ns (SBX-005.4); the first call with a clock id that is no WASI clock is the
        point: the run's stream and fuel begin, and the runner is called there."""
        state.charge(CALL_FUEL, "clock_res_get")
        if clock >= _WASI_CLOCKS and not self.reached:
            wrapped = wasmtime.Caller(ctypes.cast(caller, ctypes.POINTER(ffi.wasmtime_caller_t)))
            try:
                self._reach(wrapped, clock)
            finally:
                wrapped._invalidate()
                state.span = None  # the runner may have grown the memory
        if ptr + 8 > state.size:
            return 21  # EFAULT
        state.u64(ptr, 1)
        return 0

    def _memory(self, caller: wasmtime.Caller) -> wasmtime.Memory:
        memory = caller.get("memory")
        assert isinstance(memory, wasmtime.Memory)
        return memory

    def _reach(self, caller: wasmtime.Caller, runner: int) -> None:
        self.reached = True
        memory = self._memory(caller)
        index = _read_u32(memory, caller, runner + _VECTORCALL_OFFSET)
        table = caller.get(EXPORT_TABLE)
        stack = caller.get(EXPORT_STACK)
        assert isinstance(table, wasmtime.Table) and isinstance(stack, wasmtime.Global)
        remaining = ctypes.c_uint64(0)
        ffi.wasmtime_context_get_fuel(caller._context(), ctypes.byref(remaining))
        self.startup_fuel = STARTUP_FUEL - remaining.value
        if self.take:
            size = memory.data_len(caller)
            data = ctypes.string_at(_address(memory, caller), size)
            self.captured = (data, int(stack.value(caller)), runner, index)
            raise _Stop
        _set_fuel(caller, self.fuel)
        _call_runner(caller, table, index, runner)

    def restore(
        self, store: wasmtime.Store, instance: wasmtime.Instance, snapshot: Snapshot
    ) -> None:
        """Make ``instance`` the snapshot's, give it the run's fuel and call the runner."""
        exports = instance.exports(store)
        memory, table, stack = exports["memory"], exports[EXPORT_TABLE], exports[EXPORT_STACK]
        assert isinstance(memory, wasmtime.Memory) and isinstance(table, wasmtime.Table)
        assert isinstance(stack, wasmtime.Global)
        if snapshot.module is None:  # an instance of the interpreter: copy the snapshot in
            grow = snapshot.pages - memory.size(store)
            if grow > 0:
                memory.grow(store, grow)
            base = _address(memory, store)
            for offset, data in snapshot.chunks:
                ctypes.memmove(base + offset, data, len(data))
            stack.set_value(store, wasmtime.Val.i32(snapshot.stack_pointer))
        self.reached = True
        self.startup_fuel = snapshot.startup_fuel
        store.set_fuel(self.fuel)
        _call_runner(store, table, snapshot.runner_index, snapshot.runner)

    def snapshot(self, fresh: bytes) -> Snapshot:
        """The state copied at the point, as its difference from ``fresh`` memory."""
        if self.captured is None:
            raise wasmtime.WasmtimeError("the interpreter never reached the snapshot point")
        data, stack_pointer, runner, index = self.captured
        chunks: list[tuple[int, bytes]] = []
        start = -1
        for at in range(0, len(data) + _CHUNK, _CHUNK):
            same = at >= len(data) or data[at : at + _CHUNK] == fresh[at : at + _CHUNK]
            if not same and start < 0:
                start = at
            elif same and start >= 0:
                chunks.append((start, data[start:at]))
                start = -1
        return Snapshot(
            len(data) >> 16, tuple(chunks), stack_pointer, runner, index, self.startup_fuel
        )


def is_stop(exc: BaseException) -> bool:
    """Whether ``exc`` is the point's own stop after taking a snapshot."""
    return isinstance(exc, _Stop)


#: The snapshot of each compiled interpreter, by (engine, module), taken at its first run.
_SNAPSHOTS: Final[dict[tuple[int, int], tuple[wasmtime.Module, Snapshot]]] = {}


def snapshot_of(
    engine: wasmtime.Engine,
    module: wasmtime.Module,
    state: Callable[[], WasiState],
    wasm: bytes = b"",
) -> Snapshot:
    """The snapshot of ``module``'s interpreter at the snapshot point, taken once per process.

    The start-up runs with ``state()`` (an empty program and core) under the default
    memory limit and :data:`STARTUP_FUEL`.  Given ``module``'s bytes ``wasm``, the
    snapshot also carries its :func:`image_module`, compiled (through the disk cache).
    """
    key = (id(engine), id(module))
    held = _SNAPSHOTS.get(key)
    if held is not None and held[0] is module:
        return held[1]
    point = Point(state(), 0, take=True)
    store = wasmtime.Store(engine)
    store.set_fuel(STARTUP_FUEL)
    store.set_limits(memory_size=256 << 20, instances=1, memories=1)
    fresh = wasmtime.Store(engine)
    unwatched(store)  # the start-up is bounded by its fuel; no deadline stops it
    unwatched(fresh)
    try:
        with _LOCK:
            try:
                with frames_cleared():  # the store is not kept alive in a cycle
                    instance = point.link(linker(engine, point.state)).instantiate(store, module)
                    start: Any = instance.exports(store)["_start"]
                    start(store)
            except _Stop:
                pass
            blank = linker(engine, state()).instantiate(fresh, module).exports(fresh)["memory"]
            assert isinstance(blank, wasmtime.Memory)
            initial = ctypes.string_at(_address(blank, fresh), blank.data_len(fresh))
    finally:
        store.close()
        fresh.close()
    taken = point.snapshot(initial)
    if wasm and point.captured is not None:
        image = image_module(wasm, point.captured[0], taken.stack_pointer)
        taken = dataclasses.replace(taken, module=compiled(engine, image))
    _SNAPSHOTS[key] = (module, taken)
    return taken

"""The guest's side of a Wasm call: its memory and fuel for :mod:`._host`, and the host
functions it calls (WASM-005, WASM-007, WASM-019, WASM-020).

:class:`_Guest` reads and writes the calling instance's memory (a range outside it traps,
WASM-007.2; copy-out, WASM-007.4, WASM-007.5) and charges host calls to the call's
budget (WASM-019, WASM-020.1); :func:`_host_function` is a host function as a raw
callback of wasmtime's unchecked C API, :func:`_caller_host_function` the one a start
function calls (WASM-005.2).  :class:`~._engine.WasmEngine` makes the call under way
(:class:`_Active`, in :data:`_ACTIVE`) around each call into Wasm.
"""

from __future__ import annotations

import contextvars
import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

import wasmtime

from .._errors import FuelExhausted, WasmTrap
from ._abi import ABSENT, EXPORT_MEMORY, HOST_CALL_COST
from ._host import HOST_PREFIX, Host
from ._raw import RAW_CALLBACK, RESULT, memory_data, memory_data_size, raw_trap, value_array

__all__ = ["_ACTIVE", "_Active", "_Guest", "_caller_host_function", "_host_function"]

_U32: Final = 0xFFFFFFFF


class _KeptInstance(Protocol):
    """What :meth:`_Guest._kept` reads of an instance kept between calls (``_engine._Kept``)."""

    store: wasmtime.Store
    memory: wasmtime.Memory
    #: The addresses of the store's context and the memory.
    handle: tuple[int, int]
    view: memoryview


@dataclass(slots=True)
class _Active:
    """The call under way: its host, store, fuel budget and what host calls cost so far."""

    host: Host
    store: wasmtime.Store
    budget: int
    #: Fuel charged by host calls (WASM-019), counted here rather than in the store.
    host_fuel: int = 0
    #: Memory access once the instance exists (modules without a start function).
    guest: _Guest | None = None


_ACTIVE: Final[contextvars.ContextVar[_Active]] = contextvars.ContextVar("gritwit_wasm_call")


class _Guest:
    """The calling instance's memory, and the call's fuel, for :mod:`._host`.

    Host calls are charged to a counter of the call, not to the store's fuel:
    the instructions are bounded by the store's fuel and the host calls by the
    same budget, so a call is aborted before its cost reaches twice the budget
    and never while it is within it (WASM-020) — and a host call costs no
    round trip to the engine to read and write the fuel.
    """

    __slots__ = ("_active", "_context", "_handle", "_memory", "_view")

    def __init__(
        self, active: _Active, memory: wasmtime.Memory, context: wasmtime.Store | wasmtime.Caller
    ) -> None:
        self._active, self._memory, self._context = active, memory, context
        #: The addresses of the store's context and the memory, for :meth:`_refresh`.
        self._handle = (_address(context), ctypes.addressof(memory._memory))
        #: The memory as far as it is known to reach; :meth:`_refresh` finds it again when
        #: a range reaches beyond (the guest may have grown it between host calls).
        self._view = _NO_MEMORY

    @classmethod
    def _kept(cls, active: _Active, kept: _KeptInstance) -> _Guest:
        """The guest of a call in ``kept``, whose handles and memory are known."""
        guest = object.__new__(cls)
        guest._active, guest._memory, guest._context = active, kept.memory, kept.store
        guest._handle, guest._view = kept.handle, kept.view
        return guest

    def _refresh(self) -> memoryview:
        """The whole memory, asked of the engine: it may have grown since the view was made.

        A memory never shrinks, and never moves (the engine's ``fixed_memory``), so a
        range within the last view is within the memory: the engine is asked again only
        when a range reaches beyond it.
        """
        context, memory = self._handle
        size = memory_data_size(context, memory)
        self._view = _span_view(memory_data(context, memory) if size else None, size)
        return self._view

    def _beyond(self, ptr: int, length: int) -> memoryview:
        """The memory, for a range beyond the last view: it traps unless the memory grew.

        A range outside the memory traps (WASM-007.2).
        """
        view = self._refresh()
        if ptr + length > len(view):
            raise WasmTrap("WASM-007.2", f"range {ptr}+{length} is outside the guest's memory")
        return view

    def size(self) -> int:
        return len(self._refresh())

    def read(self, ptr: int, length: int) -> bytes:
        view = self._view
        if ptr + length > len(view):
            view = self._beyond(ptr, length)
        return view[ptr : ptr + length].tobytes()

    def write(self, ptr: int, data: bytes) -> None:
        view = self._view
        if ptr + len(data) > len(view):
            view = self._beyond(ptr, len(data))
        view[ptr : ptr + len(data)] = data

    def take(self, ptr: int, length: int) -> bytes:
        """``length`` bytes at ``ptr``; a range outside memory traps (WASM-007.2).

        Each byte copied in costs one unit of fuel (WASM-019).
        """
        view = self._view
        if ptr + length > len(view):
            view = self._beyond(ptr, length)
        active = self._active
        active.host_fuel += length  # self.charge(length), inline: a call per host call less
        if active.host_fuel > active.budget:
            raise _exhausted()
        return view[ptr : ptr + length].tobytes()

    def give(self, value: bytes | None, buf: int, cap: int) -> int:
        """Copy-out (WASM-007.4): write ``min(n, cap)`` bytes, return ``n`` for a retry.

        A buffer outside memory traps (WASM-007.2), an absent value is ``-1`` and
        writes nothing (WASM-007.5); each byte copied out costs one unit of fuel
        (WASM-019).
        """
        view = self._view
        if buf + cap > len(view):
            view = self._beyond(buf, cap)
        if value is None:
            return ABSENT
        part = value[:cap]
        active = self._active
        active.host_fuel += len(part)  # self.charge(len(part)), inline
        if active.host_fuel > active.budget:
            raise _exhausted()
        view[buf : buf + len(part)] = part
        return len(value)

    def charge(self, units: int) -> None:
        active = self._active
        active.host_fuel += units
        if active.host_fuel > active.budget:
            raise _exhausted()


def _exhausted() -> FuelExhausted:
    """The error of a call whose host calls cost more than its fuel (WASM-020.1)."""
    return FuelExhausted("WASM-020.1", "the call's host calls cost more than its fuel")


def _caller_memory(caller: wasmtime.Caller) -> wasmtime.Memory:
    memory = caller.get(EXPORT_MEMORY)
    if not isinstance(memory, wasmtime.Memory):  # pragma: no cover - checked at load
        raise WasmTrap("WASM-004", "the calling module has no memory")
    return memory


_VOID_P = ctypes.c_void_p


def _address(context: wasmtime.Store | wasmtime.Caller) -> int:
    """The address of a store's (or caller's) context, for the C functions of :mod:`._raw`."""
    return ctypes.cast(context._context(), _VOID_P).value or 0


#: The view of a memory of no bytes.
_NO_MEMORY: Final = memoryview(bytearray())


def _span_view(address: int | None, size: int) -> memoryview:
    """The ``size`` bytes at ``address`` as a writable byte view, without copying them."""
    if not size or not address:
        return _NO_MEMORY
    return memoryview((ctypes.c_ubyte * size).from_address(address)).cast("B")


def _host_function(name: str, arity: int) -> Any:
    """Host function ``name`` for instances with their memory known (no start function).

    A raw callback of wasmtime's unchecked C API (:mod:`._raw`): the ``i32``
    arguments are read from, and the result written to, the engine's value
    array, with none of the per-call type conversions of ``Linker.define_func``
    — its type is the linker's (WASM-007.1), so every value is an ``i32``, read
    as unsigned: pointers and lengths are byte offsets (WASM-007.2).  An
    exception is handed to the caller of the export (:func:`._raw.raw_trap`).
    """
    array, unpack = value_array("i" * arity)
    pack_into = RESULT.pack_into
    attribute = HOST_PREFIX + name
    #: The last value array's address and its view: a view per call costs what the
    #: rest of the call does, and the engine passes the same address again and again.
    last: list[Any] = [0, None]

    def call(env: Any, caller: Any, values: Any, count: int) -> int:
        try:
            active = _ACTIVE.get()
            guest = active.guest
            if guest is None:  # pragma: no cover - such modules run no code before the export
                # Only a start function calls before the export, and a module with one is
                # linked to the caller's host functions (WASM-005.2).
                raise WasmTrap("WASM-005.2", "a host call before the instance exists")
            active.host_fuel += HOST_CALL_COST  # guest.charge(HOST_CALL_COST), inline (WASM-019)
            if active.host_fuel > active.budget:
                raise _exhausted()
            if values != last[0]:  # the engine's stack: mostly the same address every call
                last[0], last[1] = values, array.from_address(values)
            raw = last[1]
            host = active.host
            # ``host.function(name)`` without a call and a string per host call
            method = getattr(host, attribute, None) or host.function(name)
            pack_into(raw, 0, method(guest, *unpack(raw)) & _U32)
            return 0
        except BaseException as exc:  # as wasmtime-py's own trampoline: every one ends the call
            return raw_trap(exc)

    return RAW_CALLBACK(call)


def _caller_host_function(name: str) -> Callable[..., int]:
    """Host function ``name`` reaching memory through the caller: start functions (WASM-005).

    A host call costs fuel in a start function too (WASM-019).
    """

    def call(caller: wasmtime.Caller, *args: int) -> int:
        active = _ACTIVE.get()
        guest = _Guest(active, _caller_memory(caller), caller)
        guest.charge(HOST_CALL_COST)
        return active.host.function(name)(guest, *(arg & _U32 for arg in args))

    return call

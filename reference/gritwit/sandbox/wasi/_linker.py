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
import itertools
import weakref
from collections.abc import Callable
from typing import Any, Final, cast

import wasmtime
import wasmtime._ffi as ffi

from ..._errors import GritError, WasmTrap
from ...wasm._raw import (
    RAW_CALLBACK,
    RESULT,
    c_function,
    define_unchecked,
    raw_trap,
    value_array,
)
from ._calls import ARGV, FUNCTIONS, ProcExit
from ._cost import CALL_FUEL
from ._fs import FIXED_TIME_NS, WasiError
from ._state import WasiState

__all__ = [
    "ARGV",
    "FIXED_TIME_NS",
    "POINT_CALLS",
    "ProcExit",
    "WasiState",
    "host_trap",
    "linker",
    "serve",
]

WASI: Final = "wasi_snapshot_preview1"
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


#: The calls a run's snapshot point serves in the run's place (``WasiState.point``): its
#: ``serve(state, name, caller, args)`` pays for them and answers them (SBX-005.14).
POINT_CALLS: Final = frozenset({"clock_res_get", "random_get"})

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
            state.refused(error.forbidden)
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
    pointed = name in POINT_CALLS

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
            point = state.point() if pointed and state.point is not None else None
            if point is not None:
                result = point.serve(state, name, caller, unpack(raw))
            else:
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

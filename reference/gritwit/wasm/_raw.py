"""Host functions as raw callbacks of wasmtime's unchecked C API, shared by every host.

wasmtime-py's ``Linker.define_func`` converts every argument and result of a
host call between Python and wasmtime values, and ``Func.__call__`` does the
same for a call into Wasm: tens of microseconds per call.  The Wasm Wit engine
(:mod:`._engine`, WASM-007) and the sandbox's WASI (:mod:`gritwit.sandbox.wasi`,
SBX-005) instead define their host functions with
``wasmtime_linker_define_func_unchecked``: a callback receives the engine's
array of raw values, reads its arguments from it and writes its result over
the first one.  This module is that plumbing, once:

* :func:`c_function`, and the engine's C functions the hot paths call with plain
  addresses (no per-call pointer checks by ctypes);
* :func:`value_array`: a callback's value array, its arguments read and its result
  written in place;
* :func:`raw_trap`: an exception raised by a callback, handed on as wasmtime-py
  hands one on (its ``LAST_EXCEPTION``), as the trap the callback returns;
* :func:`clear_frames` (and :func:`frames_cleared` around a block): for an exception
  raised by a call into Wasm, so that it does not keep the call's frames, and with them
  its store and memory, alive in a cycle;
* :func:`define_unchecked`: a callback defined in a linker.
"""

from __future__ import annotations

import contextlib
import ctypes
import struct
import traceback
from collections.abc import Iterator
from typing import Any, Final

import wasmtime
import wasmtime._ffi as ffi
import wasmtime._func as wasmtime_func

__all__ = [
    "RAW_BYTES",
    "RAW_CALLBACK",
    "RESULT",
    "c_function",
    "clear_frames",
    "context_get_fuel",
    "context_set_fuel",
    "define_unchecked",
    "frames_cleared",
    "func_call_unchecked",
    "memory_data",
    "memory_data_size",
    "raw_trap",
    "value_array",
]

_VOID_P = ctypes.c_void_p


def c_function(name: str, restype: Any, *argtypes: Any) -> Any:
    """The engine's C function ``name`` taking plain addresses, for the hot path of a call.

    A new ctypes function object (``dll[name]`` is never shared), so wasmtime-py's own
    declaration, whose pointer arguments ctypes type-checks on every call, stays as is.
    """
    function = ffi.dll[name]
    function.restype, function.argtypes = restype, list(argtypes)
    return function


#: ``size_t wasmtime_memory_data_size(const wasmtime_context_t*, const wasmtime_memory_t*)``
memory_data_size: Final = c_function("wasmtime_memory_data_size", ctypes.c_size_t, _VOID_P, _VOID_P)
#: ``uint8_t *wasmtime_memory_data(const wasmtime_context_t*, const wasmtime_memory_t*)``
memory_data: Final = c_function("wasmtime_memory_data", _VOID_P, _VOID_P, _VOID_P)
#: ``wasmtime_error_t *wasmtime_func_call_unchecked(context, func, values, count, trap**)``
func_call_unchecked: Final = c_function(
    "wasmtime_func_call_unchecked", _VOID_P, _VOID_P, _VOID_P, _VOID_P, ctypes.c_size_t, _VOID_P
)
#: ``wasmtime_error_t *wasmtime_context_set_fuel(wasmtime_context_t*, uint64_t)``
context_set_fuel: Final = c_function("wasmtime_context_set_fuel", _VOID_P, _VOID_P, ctypes.c_uint64)
#: ``wasmtime_error_t *wasmtime_context_get_fuel(const wasmtime_context_t*, uint64_t*)``
context_get_fuel: Final = c_function("wasmtime_context_get_fuel", _VOID_P, _VOID_P, _VOID_P)

#: Bytes of one value (``wasmtime_val_raw_t``) in the value array of an unchecked call.
RAW_BYTES: Final = ctypes.sizeof(ffi.wasmtime_val_raw_t)

#: wasmtime's unchecked callback (``wasmtime_func_unchecked_callback_t``) with its
#: pointers received as plain addresses, which ctypes passes on at less cost.
RAW_CALLBACK: Final = ctypes.CFUNCTYPE(
    ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t
)
#: An ``i32`` result, written over the first value of the array.
RESULT: Final = struct.Struct("<I")

#: How each kind of parameter is read from its value: ``i`` an ``i32`` (unsigned), ``I``
#: an ``i64`` (unsigned), ``q`` an ``i64`` (signed); little-endian, at the value's start.
_FORMATS: Final = {
    "i": f"I{RAW_BYTES - 4}x",
    "I": f"Q{RAW_BYTES - 8}x",
    "q": f"q{RAW_BYTES - 8}x",
}


def value_array(params: str) -> tuple[Any, Any]:
    """``(array, unpack)`` for a callback of parameters ``params`` (letters of :data:`_FORMATS`).

    ``array.from_address(values)`` is the call's value array, without copying it (room
    for the parameters, and at least one value for the result); ``unpack(array)`` reads
    the arguments and ``RESULT.pack_into(array, 0, result)`` writes an ``i32`` result.
    """
    array = ctypes.c_char * (RAW_BYTES * max(len(params), 1))
    return array, struct.Struct("<" + "".join(_FORMATS[kind] for kind in params)).unpack_from


def raw_trap(exc: BaseException) -> int:
    """The trap a callback returns for ``exc``, which the caller of the export re-raises.

    As wasmtime-py's own trampoline: ``exc`` waits in its ``LAST_EXCEPTION`` and the
    call ends with a trap, which wasmtime hands back to the caller as an error.
    """
    wasmtime_func.LAST_EXCEPTION = exc  # type: ignore[assignment]
    trap = wasmtime.Trap("python exception")._consume()
    return ctypes.cast(trap, _VOID_P).value or 0


def clear_frames(exc: BaseException) -> None:
    """Clear the locals of the finished frames of ``exc``'s traceback, and of the exceptions
    it was raised during or from: for an exception raised by a call into Wasm.

    wasmtime-py re-raises a host function's exception (and a trap) from a frame that keeps
    it in a local variable: the exception's traceback holds that frame and the frame holds
    the exception, a reference cycle that only the cyclic collector frees.  Every frame of
    the traceback comes with it, and their locals: the call's store, its linear memory and
    a sandboxed program's files, hundreds of MiB per call, held until a collection runs
    (the peak memory of a run then depends on when it runs; RUN-017.10, SBX-006.2).
    Clearing the finished frames (``traceback.clear_frames``; a running one is skipped)
    breaks the cycle and keeps the traceback's lines.
    """
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        one = pending.pop()
        if id(one) in seen:
            continue
        seen.add(id(one))
        traceback.clear_frames(one.__traceback__)
        pending.extend(e for e in (one.__cause__, one.__context__) if e is not None)


@contextlib.contextmanager
def frames_cleared() -> Iterator[None]:
    """:func:`clear_frames` of whatever the block raises, which is then raised on."""
    try:
        yield
    except BaseException as exc:
        clear_frames(exc)
        raise


_FINALIZER: Final = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
#: No finalizer: the callback's environment is not owned by the linker.
NO_FINALIZER: Final = ctypes.cast(0, _FINALIZER)


def define_unchecked(
    linker: wasmtime.Linker,
    module: str,
    name: str,
    ty: wasmtime.FuncType,
    callback: Any,
    env: int | None = None,
    finalizer: Any = NO_FINALIZER,
) -> None:
    """``linker.define_func(module, name, ty, ...)`` for a raw :data:`RAW_CALLBACK` callback.

    ``env`` is handed to every call of ``callback``; ``finalizer(env)`` runs when the
    function is dropped.  The caller keeps ``callback`` alive as long as the linker.
    """
    module_name, field = module.encode(), name.encode()
    error = ffi.wasmtime_linker_define_func_unchecked(
        linker.ptr(),
        ctypes.create_string_buffer(module_name),
        len(module_name),
        ctypes.create_string_buffer(field),
        len(field),
        ty.ptr(),
        ctypes.cast(callback, ffi.wasmtime_func_unchecked_callback_t),
        None if env is None else ctypes.c_void_p(env),
        finalizer,
    )
    if error:  # pragma: no cover - the callers' names and types are fixed
        raise wasmtime.WasmtimeError._from_ptr(error)

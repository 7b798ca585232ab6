"""The Wasm profile's engine over wasmtime (with :mod:`._raw`, its unchecked calls).

Not the one module that imports wasmtime: ten do, four of the Wasm profile (this one,
:mod:`._raw`, :mod:`._guest` — the guest's memory, fuel and host functions — and
:mod:`._config`, the engine's feature set) and six of the sandbox (its engine, run,
interpreter, snapshot, stop and WASI linker); four reach into ``wasmtime._ffi``.
``import gritwit`` loads none of them (``tests/test_one_way.py``).

:class:`WasmEngine` loads modules under the ABI's checks (WASM-002 … WASM-004,
WASM-017), caches them compiled by the id of the blob holding them, and runs
one export in a fresh, limited, fuelled instance per call (WASM-005, WASM-016,
WASM-019).  Traps become typed errors by trap code, never by message text
(WASM-015, WASM-020).  An image actor's instance is restored, without its start
function, and captured after a step (WASM-025, WASM-026).

The hot path: a module that keeps all its state in its memory runs
each call in an instance kept from its previous call and reset to a fresh one
(:class:`_Kept`), and host functions and exports are called through wasmtime's
unchecked C API (raw values, no per-call type conversions): a cached step costs
a copy of the initial memory, not a new store and instance.

wasmtime-py reports an exception raised by a host function through a module
global, so calls into Wasm are serialised by one process-wide lock: a host
error of one call can never surface in another.  Fuel bounds every call, so
the lock is held for a bounded time.
"""

from __future__ import annotations

import ctypes
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import wasmtime
import wasmtime._ffi as ffi
import wasmtime._func as wasmtime_func

from .._errors import (
    ForbiddenImport,
    FuelExhausted,
    GritError,
    InvalidImage,
    InvalidModule,
    MemoryLimit,
    WasmTrap,
)
from .._ids import ObjectId
from ._abi import (
    ABI_LIMITS,
    EXPORT_MEMORY,
    EXPORT_QUERY,
    EXPORT_STEP,
    GLOBAL_BYTES,
    IMPORT_MODULE,
    IMPORTS,
    PAGE_BYTES,
    WASM_MAGIC,
    WasmLimits,
)
from ._binary import memory_only, without_start
from ._config import _engine, wat_to_wasm
from ._guest import _ACTIVE, _Active, _address, _caller_host_function, _Guest, _host_function
from ._host import Host
from ._image import ZERO_CHUNK, GlobalValue, Image, ImageSession, decode_global
from ._raw import (
    clear_frames,
    context_get_fuel,
    context_set_fuel,
    define_unchecked,
    func_call_unchecked,
    memory_data_size,
)

__all__ = ["CallResult", "LoadedModule", "WasmEngine", "wat_to_wasm"]

_LOCK: Final = threading.Lock()
_VOID_P = ctypes.c_void_p
#: Compiled modules kept in memory per engine (least recently used dropped first).
CACHE_SIZE: Final = 256
#: Instances kept between calls per engine, one per module (least recently used dropped first).
KEPT_SIZE: Final = 32
#: The largest initial memory, in pages, of a module whose instance is kept: a reset
#: copies the whole initial memory back, which beyond this costs more than a new instance.
KEPT_PAGES: Final = 16


@dataclass(frozen=True, slots=True, eq=False)
class LoadedModule:
    """A checked, compiled module, ready to instantiate (WASM-002)."""

    pre: wasmtime.InstancePre
    has_query: bool
    #: ``pre`` without the start function: instances restored from an image (WASM-025).
    resume: wasmtime.InstancePre
    #: An instance of it may be kept and reset between calls (:class:`_Kept`, WASM-005.1).
    reusable: bool = False


@dataclass(frozen=True, slots=True)
class CallResult:
    """One finished call: the fuel it consumed (WASM-019)."""

    fuel: int


_set_fuel = vars(CallResult)["fuel"].__set__


def _serve(active: _Active, run: Callable[[], None], fuel_left: Callable[[], int]) -> None:
    """``run`` one call into Wasm with ``active`` as the call its host functions serve.

    A call out of fuel tells the fuel it consumed, its instructions' and its host calls'
    (WASM-019, WASM-020); no error keeps a cycle with the store, its memory or the guest.
    """
    token = _ACTIVE.set(active)
    try:
        run()
    except FuelExhausted as exc:
        exc.fuel_consumed = active.budget - fuel_left() + active.host_fuel
        clear_frames(exc)  # no cycle keeps the store and its memory (see _raw)
        raise
    except BaseException as exc:
        clear_frames(exc)
        raise
    finally:
        _ACTIVE.reset(token)
        active.guest = None  # no cycle with the guest: both go when the call does


def _call_result(fuel: int) -> CallResult:
    """``CallResult(fuel)`` through its slot, without the frozen ``__init__`` (a call each)."""
    result: CallResult = object.__new__(CallResult)
    _set_fuel(result, fuel)
    return result


class WasmEngine:
    """Loads and runs Wasm Wit modules under ``limits`` (WASM-002 … WASM-020)."""

    def __init__(self, limits: WasmLimits = ABI_LIMITS, cache_dir: Path | None = None) -> None:
        """Link every host function of ABI 1 with its type: ``i32``s → ``i32`` (WASM-007.1)."""
        self.limits = limits
        self._engine = _engine(fixed_memory=True)
        # Two linkers: host calls that reach memory through a ``Caller`` are slower,
        # and only a start function, which runs inside instantiation, needs them.
        self._linker = wasmtime.Linker(self._engine)
        self._caller_linker = wasmtime.Linker(self._engine)
        #: The raw host callbacks, kept alive as long as the linker that calls them.
        self._callbacks = {name: _host_function(name, arity) for name, arity in IMPORTS.items()}
        for name, arity in IMPORTS.items():
            ty = wasmtime.FuncType([wasmtime.ValType.i32()] * arity, [wasmtime.ValType.i32()])
            define_unchecked(self._linker, IMPORT_MODULE, name, ty, self._callbacks[name])
            self._caller_linker.define_func(
                IMPORT_MODULE, name, ty, _caller_host_function(name), True
            )
        self._cache: OrderedDict[ObjectId, LoadedModule] = OrderedDict()
        #: One instance kept per reusable module, the last one used last (:class:`_Kept`).
        self._kept: OrderedDict[LoadedModule, _Kept] = OrderedDict()
        self._cache_dir = cache_dir
        #: How many loads were served from memory, from the directory, and compiled.
        self.hits = {"memory": 0, "directory": 0, "compiled": 0}
        #: Fuel units the transitions (``step`` calls) run here consumed, those that ran
        #: out of fuel included (WASM-019): what a service's metrics count (HTTP-014.1).
        self.step_fuel = 0

    # --- loading -------------------------------------------------------------------------

    def cached(self, key: ObjectId) -> LoadedModule | None:
        """The module loaded from the blob ``key``, if it is in the memory cache (WASM-002.2)."""
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            self.hits["memory"] += 1
        return found

    def load(self, key: ObjectId, wasm: bytes) -> LoadedModule:
        """Check (WASM-002.1) and compile ``wasm``, the data of blob ``key``.

        Cached by ``key``, the blob's id, so that a cache changes no result (WASM-002.2).
        """
        found = self.cached(key)
        if found is not None:
            return found
        # Checked before the directory cache too: its entries may come from other limits.
        if len(wasm) > self.limits.module_bytes:
            raise InvalidModule(
                "WASM-002.1", f"module of {len(wasm)} bytes exceeds {self.limits.module_bytes}"
            )
        if not wasm.startswith(WASM_MAGIC):
            raise InvalidModule("WASM-001.2", "not a binary WebAssembly core module (version 1)")
        module = self._from_directory(key) or self._compile(key, wasm)
        loaded = self._check(module, without_start(wasm), memory_only(wasm))
        self._cache[key] = loaded
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return loaded

    def _compile(self, key: ObjectId, wasm: bytes) -> wasmtime.Module:
        try:
            module = wasmtime.Module(self._engine, wasm)
        except wasmtime.WasmtimeError as exc:
            raise InvalidModule("WASM-003", f"the module does not validate: {exc}") from None
        self.hits["compiled"] += 1
        if self._cache_dir is not None:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            path = self._cache_dir / f"{key.hex()}.cwasm"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(bytes(module.serialize()))
            tmp.replace(path)
        return module

    def _from_directory(self, key: ObjectId) -> wasmtime.Module | None:
        """A module compiled earlier by a compatible engine (the directory must be trusted)."""
        if self._cache_dir is None:
            return None
        path = self._cache_dir / f"{key.hex()}.cwasm"
        if not path.exists():
            return None
        try:
            module = wasmtime.Module.deserialize(self._engine, path.read_bytes())
        except wasmtime.WasmtimeError:
            return None  # another wasmtime version or config: compile again
        self.hits["directory"] += 1
        return module

    def _check(
        self, module: wasmtime.Module, startless: bytes | None, reusable: bool = False
    ) -> LoadedModule:
        """Imports (WASM-002), exports (WASM-004) and the memory minimum (WASM-017).

        ``startless`` is the module without its start section, if it has one
        (:func:`~._binary.without_start`): compiled for restores (WASM-025).  A module
        with a start function is linked to host functions that reach memory through
        the caller, since its start function may call them (WASM-005.2).  ``reusable``
        says the module keeps all its state in its memory (:func:`~._binary.memory_only`):
        one with no start function and a small initial memory is then run in a kept
        instance (:class:`_Kept`).
        """
        for imp in module.imports:
            arity = IMPORTS.get(imp.name or "") if imp.module == IMPORT_MODULE else None
            ty = imp.type
            if (
                arity is None
                or not isinstance(ty, wasmtime.FuncType)
                or len(ty.params) != arity
                or len(ty.results) != 1
            ):
                raise ForbiddenImport(
                    "WASM-006.2", f"import {imp.module!r:.60}.{imp.name!r:.60} is not in ABI 1"
                )
        try:
            # The linker defines every host function with its exact type: a known name
            # imported with other value types fails here.  (Inspecting a value type in
            # Python instead would abort the process on v128.)
            linker = self._linker if startless is None else self._caller_linker
            pre = linker.instantiate_pre(module)
        except wasmtime.WasmtimeError:
            raise ForbiddenImport("WASM-002.1", "an import does not have its ABI 1 type") from None
        exports = {exp.name: exp.type for exp in module.exports}
        memory = exports.get(EXPORT_MEMORY)
        if not isinstance(memory, wasmtime.MemoryType):
            raise InvalidModule("WASM-004", "the module must export its memory as 'memory'")
        for name in (EXPORT_STEP, EXPORT_QUERY):
            export = exports.get(name)
            if name == EXPORT_QUERY and export is None:
                continue
            if not isinstance(export, wasmtime.FuncType) or export.params or export.results:
                raise InvalidModule("WASM-004", f"export {name!r} must be a function [] -> []")
        if memory.limits.min > self.limits.memory_pages:
            raise MemoryLimit(
                "WASM-017.3",
                f"memory minimum {memory.limits.min} pages exceeds {self.limits.memory_pages}",
            )
        resume = pre
        if startless is not None:
            resume = self._linker.instantiate_pre(wasmtime.Module(self._engine, startless))
        reusable = reusable and startless is None and memory.limits.min <= KEPT_PAGES
        return LoadedModule(pre, EXPORT_QUERY in exports, resume, reusable)

    # --- running -------------------------------------------------------------------------

    def call(
        self, loaded: LoadedModule, export: str, host: Host, image: ImageSession | None = None
    ) -> CallResult:
        """Run ``export`` in a fresh instance serving ``host`` (WASM-005.1); typed errors only.

        The store applies the call's limits (WASM-016): fuel, memory, one memory, one
        table of limited elements, one instance (WASM-017.1, WASM-017.2, WASM-017.3).  With
        ``image`` the instance is restored from ``image.restored`` first (WASM-025) and,
        if ``image.save``, captured after a successful call (WASM-026.1).  Without one, a
        module that keeps all its state in its memory (``loaded.reusable``) runs in an
        instance kept from its previous call and reset to a fresh one (:class:`_Kept`).
        """
        if image is None and loaded.reusable:
            return self._call_kept(loaded, export, host)
        limits = self.limits
        with _LOCK:
            store = _new_store(self._engine, limits)
            active = _Active(host, store, limits.fuel)
            _serve(active, lambda: self._run(loaded, export, active, image), store.get_fuel)
            left = store.get_fuel()
        return CallResult(fuel=limits.fuel - left + active.host_fuel)

    def _call_kept(self, loaded: LoadedModule, export: str, host: Host) -> CallResult:
        """:meth:`call` of a module that keeps all its state in its memory (the hot path).

        The call runs in the module's kept instance, reset to a fresh one (WASM-005.1),
        which is kept again only after a successful call; fuel as :meth:`call` counts it
        (WASM-019).
        """
        fuel = self.limits.fuel
        with _LOCK:
            kept = self._kept.pop(loaded, None)
            if kept is None or not kept.reset(fuel):
                kept = self._new_kept(loaded)
            active = _Active(host, kept.store, fuel)
            _serve(active, lambda: kept.run(export, active), kept.fuel_left)
            kept_instances = self._kept
            kept_instances[loaded] = kept
            if len(kept_instances) > KEPT_SIZE:
                kept_instances.popitem(last=False)
            return _call_result(fuel - kept.fuel_left() + active.host_fuel)

    def _new_kept(self, loaded: LoadedModule) -> _Kept:
        """A new kept instance of the module (WASM-005.1): its first call, or its memory grew."""
        store = _new_store(self._engine, self.limits)
        instance = _instantiate(loaded.pre, store)
        return _Kept(store, instance.exports(store))

    def _run(
        self, loaded: LoadedModule, export: str, active: _Active, image: ImageSession | None
    ) -> None:
        """Instantiate — restored from an image without the start function (WASM-025.1), or
        fresh with it (WASM-025.7) —, run ``export``, capture a step's image (WASM-026.1).
        """
        store = active.store
        restored = None if image is None else image.restored
        instance = _instantiate(loaded.pre if restored is None else loaded.resume, store)
        try:
            exports = instance.exports(store)
            active.guest = _Guest(active, _memory(exports), store)
            if restored is not None:
                _restore(exports, store, restored)
            func: Any = exports[export]
            func(store)
        except wasmtime.Trap as trap:
            raise _typed(trap) from None
        if image is not None and image.save:
            _capture(exports, store, image)


def _instantiate(pre: wasmtime.InstancePre, store: wasmtime.Store) -> wasmtime.Instance:
    """The call's instance, made in ``store``; what fails while it is made, typed.

    Imports, exports and the memory minimum were checked at load: what is left is a
    table beyond the store's limits (WASM-017.3), or a trap — an active data or element
    segment that does not fit, a start function that traps or runs out of fuel
    (WASM-015.1, WASM-020.1).
    """
    try:
        return pre.instantiate(store)
    except wasmtime.Trap as trap:
        raise _typed(trap) from None
    except wasmtime.WasmtimeError:
        raise MemoryLimit("WASM-017.3", "instantiation exceeds the table limits") from None


def _new_store(engine: wasmtime.Engine, limits: WasmLimits) -> wasmtime.Store:
    """A store applying the limits of one call (WASM-016, WASM-017), its fuel full."""
    store = wasmtime.Store(engine)
    store.set_fuel(limits.fuel)
    store.set_limits(
        memory_size=limits.memory_pages * PAGE_BYTES,
        table_elements=limits.table_elements,
        instances=1,
        tables=1,
        memories=1,
    )
    return store


class _Kept:
    """An instance of a module that keeps all its state in its memory, kept between calls.

    Such a module (:func:`~._binary.memory_only`: no globals, tables, start
    function, element segments or data count) has nothing an instance can change
    but its memory's bytes and size, and the store's fuel.  :meth:`reset` puts
    back the bytes the memory had right after instantiation and refills the fuel,
    and refuses a memory that grew (it cannot shrink): the reset instance is then
    indistinguishable from a fresh one, as WASM-005.1 requires, for the price of
    one copy of the initial memory instead of a new store and instance.
    """

    __slots__ = (
        "_fuel",
        "_fuel_at",
        "_funcs",
        "_snapshot",
        "_trap",
        "_trap_at",
        "exports",
        "handle",
        "memory",
        "store",
        "view",
    )

    def __init__(self, store: wasmtime.Store, exports: Any) -> None:
        """Keep a just instantiated instance: its memory now is what every call starts with."""
        self.store, self.exports = store, exports
        self.memory = _memory(exports)
        #: The addresses of the store's context and of the memory (:mod:`._raw`).
        self.handle = (_address(store), ctypes.addressof(self.memory._memory))
        #: The address of each export called so far, by name.
        self._funcs: dict[str, int] = {}
        #: The memory at its initial size, the size of every call's start.
        self.view = _view(self.memory, store)
        self._snapshot = self.view.tobytes()
        #: The cells the C calls write the fuel and a trap to, and their addresses.
        self._fuel = ctypes.c_uint64()
        self._fuel_at = ctypes.addressof(self._fuel)
        self._trap = _VOID_P()
        self._trap_at = ctypes.addressof(self._trap)

    def reset(self, fuel: int) -> bool:
        """Make the instance fresh, its fuel ``fuel`` (WASM-005.1); ``False`` if its memory grew."""
        context, memory = self.handle
        snapshot = self._snapshot
        if memory_data_size(context, memory) != len(snapshot):
            return False
        self.view[:] = snapshot
        error = context_set_fuel(context, fuel)
        if error:  # pragma: no cover - see _check
            _check(error)
        return True

    def fuel_left(self) -> int:
        """The store's fuel (``store.get_fuel()``, through :mod:`._raw`)."""
        error = context_get_fuel(self.handle[0], self._fuel_at)
        if error:  # pragma: no cover - see _check
            _check(error)
        return self._fuel.value

    def run(self, export: str, active: _Active) -> None:
        """Call ``export`` serving ``active``'s host; a trap becomes its typed error."""
        active.guest = _Guest._kept(active, self)
        func = self._funcs.get(export)
        if func is None:
            func = self._funcs[export] = ctypes.addressof(self.exports[export]._func)
        trap = self._trap  # null: a call that trapped is never kept
        # ``func(store)`` without the checks of a ``[] -> []`` type (WASM-004, at load)
        error = func_call_unchecked(self.handle[0], func, _NO_VALUES, 0, self._trap_at)
        if trap.value:
            pointer = ctypes.cast(_VOID_P(trap.value), ctypes.POINTER(ffi.wasm_trap_t))
            trap.value = None
            typed = _typed(wasmtime.Trap._from_ptr(pointer))
            wasmtime_func.maybe_raise_last_exn()  # a guest trap: none pending (see below)
            raise typed
        if error:
            # A host function's error: wasmtime hands the trap its callback returned back
            # as an error, not as a trap; its exception is the one to raise.
            wasmtime_func.maybe_raise_last_exn()
            failure = ctypes.cast(error, ctypes.POINTER(ffi.wasmtime_error_t))
            raise wasmtime.WasmtimeError._from_ptr(failure)


def _check(error: int | None) -> None:
    """Raise the error a C function of :mod:`._raw` returned, if any."""
    if error:  # pragma: no cover - fuel is configured (consume_fuel), so never
        failure = ctypes.cast(error, ctypes.POINTER(ffi.wasmtime_error_t))
        raise wasmtime.WasmtimeError._from_ptr(failure)


#: The value array of a call of a ``[] -> []`` export: no parameters, no results.
_NO_VALUES: Final = (ffi.wasmtime_val_raw_t * 1)()


def _memory(exports: Any) -> wasmtime.Memory:
    memory = exports[EXPORT_MEMORY]
    if not isinstance(memory, wasmtime.Memory):  # pragma: no cover - checked at load
        raise InvalidModule("WASM-004", "the module has no memory export")
    return memory


def _view(memory: wasmtime.Memory, store: wasmtime.Store) -> memoryview:
    """The instance's whole linear memory as a writable byte view, without copying it."""
    size = memory.data_len(store)
    if size == 0:
        return memoryview(bytearray())
    address = ctypes.addressof(memory.data_ptr(store).contents)
    return memoryview((ctypes.c_ubyte * size).from_address(address)).cast("B")


def _mutable_globals(exports: Any, store: wasmtime.Store) -> dict[str, tuple[str, Any]]:
    """Every exported mutable global: export name -> (value type, the global)."""
    found: dict[str, tuple[str, Any]] = {}
    for name in exports:
        extern = exports[name]
        if isinstance(extern, wasmtime.Global) and extern.type(store).mutable:
            try:  # asking a v128 type for its kind aborts: its value fails first
                extern.value(store)
                found[name] = (str(extern.type(store).content), extern)
            except wasmtime.WasmtimeError:
                found[name] = ("v128", extern)
    return found


def _restore(exports: Any, store: wasmtime.Store, image: Image) -> None:
    """Make the fresh instance's memory and exported mutable globals the image's.

    Grow the memory (WASM-025.2), write the chunks and zero every other page (WASM-025.3),
    set the named exported mutable globals (WASM-025.4).
    """
    memory = _memory(exports)
    initial = memory.size(store)
    try:
        if image.pages < initial or memory.grow(store, image.pages - initial) != initial:
            raise wasmtime.WasmtimeError("not grown")
    except wasmtime.WasmtimeError:
        raise InvalidImage("WASM-025.2", f"memory cannot be {image.pages} pages") from None
    view = _view(memory, store)
    try:
        step = len(ZERO_CHUNK)
        for index in range(initial):  # data segments wrote only below the initial size
            page = view[index * step : (index + 1) * step]
            if index not in image.chunks and not ZERO_CHUNK.startswith(page):
                page[:] = ZERO_CHUNK
            page.release()
        for index, (_, data) in image.chunks.items():
            view[index * step : (index + 1) * step] = data
    finally:
        view.release()
    found = _mutable_globals(exports, store)
    for name, bits in image.globals.items():
        if name in found:  # an entry naming no such global is ignored (WASM-025)
            kind, extern = found[name]
            value = decode_global(kind, bits)
            extern.set_value(store, getattr(wasmtime.Val, kind)(value))


def _capture(exports: Any, store: wasmtime.Store, image: ImageSession) -> None:
    """Hand the finished instance's memory and exported mutable globals over (WASM-026.1)."""
    values: dict[str, GlobalValue] = {
        name: (kind, extern.value(store) if kind in GLOBAL_BYTES else 0)
        for name, (kind, extern) in _mutable_globals(exports, store).items()
    }
    view = _view(_memory(exports), store)
    try:
        image.capture(view, values)
    finally:
        view.release()


def _typed(trap: wasmtime.Trap) -> GritError:
    """A trap's typed error, chosen by its trap code (WASM-015, WASM-020)."""
    if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
        return FuelExhausted("WASM-020.1", "the call ran out of fuel")
    code = trap.trap_code
    return WasmTrap("WASM-015.1", f"the guest trapped: {'none' if code is None else code.name}")

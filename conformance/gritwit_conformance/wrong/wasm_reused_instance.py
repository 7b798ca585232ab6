"""Wrong adapter: the Wasm host keeps one instance per module (WASM-005.1, WASM-014.1).

To save instantiation, the host instantiates each loaded module once and runs
every later step and query of it (without an image) in that same instance,
with its fuel refilled: whatever a call leaves in memory, globals or tables
is seen by the next call.
"""

from __future__ import annotations

from typing import Any

import wasmtime

from gritwit._errors import FuelExhausted, MemoryLimit
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine, _guest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-005.1", "WASM-014.1"}),
    "failed",
    "instantiates each module once and runs every later step and query (without an "
    "image) in the same instance: globals and memory survive the call",
    smoke=True,
)

_real_call = _engine.WasmEngine.call
#: id of a loaded module -> (the module, its store, its one instance).
_KEPT: dict[int, tuple[Any, wasmtime.Store, Any]] = {}


def call(self: _engine.WasmEngine, loaded: Any, export: str, host: Any, image: Any = None) -> Any:
    if image is not None:
        return _real_call(self, loaded, export, host, image)
    limits = self.limits
    kept = _KEPT.get(id(loaded))
    if kept is None:
        store = wasmtime.Store(self._engine)
        store.set_limits(
            memory_size=limits.memory_pages * _engine.PAGE_BYTES,
            table_elements=limits.table_elements,
            instances=1,
            tables=1,
            memories=1,
        )
        instance = None
    else:
        _, store, instance = kept
    store.set_fuel(limits.fuel)  # the bug: the store and instance carry over
    active = _guest._Active(host, store, limits.fuel)
    token = _guest._ACTIVE.set(active)
    try:
        with _engine._LOCK:
            try:
                if instance is None:
                    try:
                        instance = loaded.pre.instantiate(store)
                    except wasmtime.WasmtimeError:
                        raise MemoryLimit("WASM-017.3", "beyond the table limits") from None
                    _KEPT[id(loaded)] = (loaded, store, instance)
                exports = instance.exports(store)
                active.guest = _guest._Guest(active, _engine._memory(exports), store)
                exports[export](store)
            except wasmtime.Trap as trap:
                raise _engine._typed(trap) from None
    except FuelExhausted as exc:
        exc.fuel_consumed = limits.fuel - store.get_fuel() + active.host_fuel
        raise
    finally:
        _guest._ACTIVE.reset(token)
    return _engine.CallResult(fuel=limits.fuel - store.get_fuel() + active.host_fuel)


def install() -> None:
    patch(_engine.WasmEngine, "call", call)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

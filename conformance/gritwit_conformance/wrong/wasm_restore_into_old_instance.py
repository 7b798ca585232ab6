"""Wrong adapter: an image is restored into the module's previous instance (WASM-025.5).

To save instantiation, the host keeps one instance per module for image actors
and restores each call's image (memory and exported mutable globals) into it:
globals that are not exported, and tables, keep what the previous call left
instead of the values instantiation gives them.
"""

from __future__ import annotations

from typing import Any

import wasmtime

from gritwit._errors import FuelExhausted
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine, _guest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-025.5"}),
    "failed",
    "restores each image into the module's previous instance: hidden globals and tables "
    "keep what the last call left",
    smoke=True,
)

_real_call = _engine.WasmEngine.call
#: id of a loaded module -> (the module, its store, its one restored instance).
_KEPT: dict[int, tuple[Any, wasmtime.Store, Any]] = {}


def call(self: _engine.WasmEngine, loaded: Any, export: str, host: Any, image: Any = None) -> Any:
    if image is None or image.restored is None:
        return _real_call(self, loaded, export, host, image)
    kept = _KEPT.get(id(loaded))
    if kept is None:
        store = wasmtime.Store(self._engine)
        store.set_fuel(0)
        kept = _KEPT[id(loaded)] = (loaded, store, loaded.resume.instantiate(store))
    _, store, instance = kept
    limits = self.limits
    store.set_fuel(limits.fuel)
    active = _guest._Active(host, store, limits.fuel)
    token = _guest._ACTIVE.set(active)
    try:
        with _engine._LOCK:
            try:
                exports = instance.exports(store)
                active.guest = _guest._Guest(active, _engine._memory(exports), store)
                _engine._restore(exports, store, image.restored)  # the bug: an old instance
                exports[export](store)
            except wasmtime.Trap as trap:
                raise _engine._typed(trap) from None
            if image.save:
                _engine._capture(exports, store, image)
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

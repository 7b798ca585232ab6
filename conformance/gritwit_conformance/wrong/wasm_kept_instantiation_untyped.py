"""Wrong adapter: a kept instance's instantiation lets a trap escape untyped (WASM-015.1).

The reference as it was after the first kept instances: making the instance of a
module whose only state is its memory caught wasmtime's errors but not its traps, so
an active data segment past the memory's end failed the step with the engine's own
exception (reported ``failed``) instead of ``trap``.
"""

from __future__ import annotations

import wasmtime

from gritwit._errors import MemoryLimit
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-015.1"}),
    "failed",
    "a kept instance's instantiation lets wasmtime's trap escape untyped: a data "
    "segment past the memory's end fails the step 'failed', not 'trap'",
)


def new_kept(engine: _engine.WasmEngine, loaded: _engine.LoadedModule) -> _engine._Kept:
    store = _engine._new_store(engine._engine, engine.limits)
    try:
        instance = loaded.pre.instantiate(store)  # the bug: a wasmtime.Trap passes untyped
    except wasmtime.WasmtimeError:
        raise MemoryLimit("WASM-017.3", "instantiation exceeds the table limits") from None
    return _engine._Kept(store, instance.exports(store))


def install() -> None:
    patch(_engine.WasmEngine, "_new_kept", new_kept)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

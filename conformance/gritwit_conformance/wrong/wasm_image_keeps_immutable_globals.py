"""Wrong adapter: an image keeps exported immutable globals too (WASM-024.7).

The host's capture forgets the mutability check: every exported global of type
``i32``, ``i64``, ``f32`` or ``f64`` goes into ``globals``, so a module that exports
only immutable globals gets a ``globals`` tree it must not have.
"""

from __future__ import annotations

from typing import Any

import wasmtime

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-024.7"}),
    "failed",
    "an image's globals take every exported global, immutable ones too: a module "
    "exporting no mutable global gets a globals tree",
    smoke=True,
    copied_from=(("gritwit.wasm._engine:_mutable_globals", "f5dadcca25025fff"),),
)


def mutable_globals(exports: Any, store: wasmtime.Store) -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for name in exports:
        extern = exports[name]
        if isinstance(extern, wasmtime.Global):  # the bug: no mutability check
            try:
                extern.value(store)
                found[name] = (str(extern.type(store).content), extern)
            except wasmtime.WasmtimeError:
                found[name] = ("v128", extern)
    return found


def install() -> None:
    patch(_engine, "_mutable_globals", mutable_globals)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

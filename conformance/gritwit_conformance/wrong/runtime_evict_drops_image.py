"""Wrong adapter: an evicted image actor comes back as a fresh instance (WASM-029.1).

The host keeps a resident image actor's live state with its in-memory record and
treats the core's ``image`` entry as a copy for others to read: when it restores an
actor it evicted (RUN-013), the next step instantiates the module anew (start
function included, WASM-025.7) instead of restoring the image from the core.
Restarts and imports are handled right; only eviction loses the image.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime
from gritwit.wasm import _wits
from gritwit_conformance.wrong import patch, run

_evicted: set[Any] = set()
_fresh: list[bool] = [False]  # the call under way restores nothing
_real_evict = _runtime.Runtime.evict_idle
_real_run = _wits.WasmWit.run
_real_image = _wits.WasmWit._image


def evict_idle(self: _runtime.Runtime, *, everything_idle: bool = False) -> list[Any]:
    evicted = _real_evict(self, everything_idle=everything_idle)
    _evicted.update(evicted)
    return evicted


def wit_run(self: _wits.WasmWit, inp: Any) -> Any:
    if inp.actor in _evicted:
        _evicted.discard(inp.actor)
        _fresh[0] = True  # the bug: no image to restore
    try:
        return _real_run(self, inp)
    finally:
        _fresh[0] = False


def image(self: _wits.WasmWit, core: Any, reader: Any, *, save: bool) -> Any:
    session = _real_image(self, core, reader, save=save)
    if session is not None and _fresh[0]:
        return _wits.ImageSession(None, save=save)
    return session


def install() -> None:
    patch(_runtime.Runtime, "evict_idle", evict_idle)
    patch(_wits.WasmWit, "run", wit_run)
    patch(_wits.WasmWit, "_image", image)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

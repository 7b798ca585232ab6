"""Shared by wrong adapters whose image actors restart from a fresh instance (WASM-029).

:func:`install` makes the next Wasm step of each actor put in the returned set run
without restoring its image (a new instance, start function included, WASM-025.7),
once; the wrong adapter decides when an actor goes in the set (an eviction, an import).
"""

from __future__ import annotations

from typing import Any

from gritwit.wasm import _wits
from gritwit_conformance.wrong import patch

_real_step = _wits.WasmWit._step
_real_image = _wits.WasmWit._image


def install() -> set[Any]:
    """Patch the Wasm Wits; return the set of actors whose next step starts afresh."""
    marked: set[Any] = set()
    fresh = [False]  # the call under way restores nothing

    def step(self: _wits.WasmWit, inp: Any) -> Any:
        if inp.actor in marked:
            marked.discard(inp.actor)
            fresh[0] = True  # the bug: no image to restore
        try:
            return _real_step(self, inp)
        finally:
            fresh[0] = False

    def image(self: _wits.WasmWit, core: Any, reader: Any, *, save: bool) -> Any:
        session = _real_image(self, core, reader, save=save)
        if session is not None and fresh[0]:
            return _wits.ImageSession(None, save=save)
        return session

    patch(_wits.WasmWit, "_step", step)  # every step, called or run, goes through it
    patch(_wits.WasmWit, "_image", image)
    return marked

"""Wrong adapter: an imported image actor starts from a fresh instance (RUN-009.5).

The importing runtime treats a guest's memory as the exporting host's business:
after ``rt-import``, the actor's next step instantiates its module anew (start
function included, WASM-025.7) instead of restoring the image its core carries,
so it does not continue as the exporting runtime would.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.wasm import _wits
from gritwit_conformance.wrong import patch, run

_imported: set[Any] = set()
_fresh: list[bool] = [False]  # the call under way restores nothing
_real_import = adapter_runtime.import_bundle
_real_run = _wits.WasmWit.run
_real_image = _wits.WasmWit._image


def import_bundle(store: Any, bundle: Any) -> Any:
    actor, head = _real_import(store, bundle)
    _imported.add(actor)
    return actor, head


def wit_run(self: _wits.WasmWit, inp: Any) -> Any:
    if inp.actor in _imported:
        _imported.discard(inp.actor)
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
    patch(adapter_runtime, "import_bundle", import_bundle)
    patch(_wits.WasmWit, "run", wit_run)
    patch(_wits.WasmWit, "_image", image)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

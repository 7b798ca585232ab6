"""Wrong adapter: a query of an image actor runs without its image (WASM-027.1).

The host restores images only for steps: a query runs in a fresh instance, its
start function run, as if the actor held no image.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _wits
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-027.1"}),
    "failed",
    "restores images only for steps: a query of an image actor runs in a fresh instance",
    smoke=True,
)

_real_image = _wits.WasmWit._image


def image_of(self: _wits.WasmWit, core: Any, reader: Any, *, save: bool) -> Any:
    if not save:
        return None  # the bug: queries are not restored
    return _real_image(self, core, reader, save=save)


def install() -> None:
    patch(_wits.WasmWit, "_image", image_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

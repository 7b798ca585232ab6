"""Wrong adapter: restoring an image costs fuel (WASM-025.6).

The host charges the restore to the call as a guest-side copy loop would cost
it, 4 units per byte of the restored memory: a step of an actor with a large
image runs out of fuel that a step without one would not.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-025.6"}),
    "failed",
    "restoring an image is charged 4 units of fuel per byte of memory, as a guest-side "
    "copy loop would cost: a step of a 16 MiB image runs out of fuel",
    smoke=True,
)

_real_restore = _engine._restore


def restore(exports: Any, store: Any, image: Any) -> None:
    _real_restore(exports, store, image)
    cost = 4 * image.pages * _engine.PAGE_BYTES  # the bug
    store.set_fuel(max(0, store.get_fuel() - cost))


def install() -> None:
    patch(_engine, "_restore", restore)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

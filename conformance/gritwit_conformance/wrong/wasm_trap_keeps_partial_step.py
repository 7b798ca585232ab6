"""Wrong adapter: a Wasm step that traps is adopted with what it did (WASM-021, WASM-026.5).

The host catches a guest's trap in ``step`` and ends the step as if ``step`` had
returned: the writes, sends and reads made before the trap, and an image actor's
memory as the trap left it, become a step.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import WasmTrap
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-021", "WASM-026.5"}),
    "failed",
    "a trap in step ends the step as a return would: what it did before the trap, and "
    "an image actor's memory as the trap left it, are adopted",
    smoke=True,
)

_real_run = _engine.WasmEngine._run
_real_memory = _engine._memory
#: The exports of the instance of the call under way (calls are serialised).
_EXPORTS: list[Any] = [None]


def memory(exports: Any) -> Any:
    _EXPORTS[0] = exports
    return _real_memory(exports)


def engine_run(self: _engine.WasmEngine, loaded: Any, export: str, active: Any, image: Any) -> None:
    try:
        _real_run(self, loaded, export, active, image)
    except WasmTrap:
        if export != _engine.EXPORT_STEP or _EXPORTS[0] is None:
            raise
        # the bug: a trap ends the step as a return would
        if image is not None and image.save:
            _engine._capture(_EXPORTS[0], active.store, image)


_real_kept_run = _engine._Kept.run


def kept_run(self: _engine._Kept, export: str, active: Any) -> None:
    """The same bug in an instance the engine keeps between calls (no image there)."""
    try:
        _real_kept_run(self, export, active)
    except WasmTrap:
        if export != _engine.EXPORT_STEP:
            raise


def install() -> None:
    patch(_engine, "_memory", memory)
    patch(_engine.WasmEngine, "_run", engine_run)
    patch(_engine._Kept, "run", kept_run)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Wrong adapter (open-loop, written from spec/ alone): a copy-out buffer is bounds-checked only
as far as the value reaches (WASM-007.2).

WASM-007.2: "a buffer ``(buf, cap)`` is the whole of its ``cap`` bytes, however long the
value", and a range outside the memory traps.  An implementer who checks only the
bytes actually written (``buf + min(n, cap)``) — and writes nothing, so checks nothing,
for an absent value — lets a step whose buffer runs past the end of memory succeed
whenever the value is short; the spec's host traps it (``trap``).
"""

from __future__ import annotations

from gritwit._codec import object_id
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._wit import wasm_core
from gritwit.wasm import _engine, _guest
from gritwit.wasm._abi import ABSENT
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-007.2"}),
    "failed",
    "a copy-out buffer is bounds-checked only for the bytes written, not its whole cap "
    "(nor at all for an absent value): a buffer past the memory's end does not trap",
)

#: core_read("k") of a 1-byte blob into (65530, 100): the buffer ends 94 bytes past memory.
_WAT = """
(module
  (import "gritwit" "core_read" (func $core_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "k")
  (func (export "step")
    (drop (call $core_read (i32.const 0) (i32.const 1) (i32.const 65530) (i32.const 100)))))
"""
_MODULE = _engine.wat_to_wasm(_WAT)
_STATE = {"k": "41"}
_ACTOR = object_id(
    wasm_core(_MODULE, {k: Blob(data=bytes.fromhex(v)) for k, v in _STATE.items()})[0]
).hex()

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "module": _MODULE.hex(), "state": _STATE},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    {"cmd": "wit-head", "runtime": "w1", "actor": _ACTOR},
]


def _give(self: _guest._Guest, value: bytes | None, buf: int, cap: int) -> int:
    if value is None:
        return ABSENT  # the bug: nothing to write, nothing checked
    part = value[:cap]
    view = self._view
    if buf + len(part) > len(view):  # the bug: the bytes written, not the whole buffer
        view = self._beyond(buf, len(part))
    active = self._active
    active.host_fuel += len(part)
    if active.host_fuel > active.budget:
        raise _guest._exhausted()
    view[buf : buf + len(part)] = part
    return len(value)


def install() -> None:
    patch(_guest._Guest, "give", _give)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

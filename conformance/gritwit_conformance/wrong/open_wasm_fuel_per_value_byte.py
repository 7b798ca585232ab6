"""Wrong adapter (open-loop, written from spec/ alone): a copy-out host call is charged per byte
of the value, not per byte copied (WASM-019, WASM-020.2).

WASM-019 charges a host call 10 000 units "plus one per byte the call copies out of or
into the guest's memory"; a copy-out (WASM-007.4) writes only ``min(n, cap)`` bytes.
An implementer who charges the returned length ``n`` instead bills a guest that asks
for a value's length with ``cap = 0`` as if it had copied the whole value: a loop of
such calls on a large blob is aborted (``fuel-exhausted``) while its true cost is far
below half the fuel limit, which WASM-020.2 forbids.
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
    frozenset({"WASM-019"}),
    "failed",
    "a copy-out host call is charged per byte of the value (n), not per byte copied "
    "(min(n, cap)): a loop of length queries runs out of fuel far below the limit",
    copied_from=(("gritwit.wasm._guest:_Guest.give", "27a39129d078386c"),),
)

#: 2000 calls of core_read("big", buf, cap=0) on a 60 000-byte blob: 2000 × 10 003 ≈ 20 M
#: units (under half the limit); charged per value byte, 2000 × 70 003 ≈ 140 M (over it).
_WAT = """
(module
  (import "gritwit" "core_read" (func $core_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "big")
  (func (export "step") (local $i i32)
    (loop $again
      (drop (call $core_read (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 2000))))))
"""
_MODULE = _engine.wat_to_wasm(_WAT)
_STATE = {"big": "61" * 60_000}
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
    view = self._view
    if buf + cap > len(view):
        view = self._beyond(buf, cap)
    if value is None:
        return ABSENT
    part = value[:cap]
    active = self._active
    active.host_fuel += len(value)  # the bug: the value's length, not the bytes copied
    if active.host_fuel > active.budget:
        raise _guest._exhausted()
    view[buf : buf + len(part)] = part
    return len(value)


def install() -> None:
    patch(_guest._Guest, "give", _give)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

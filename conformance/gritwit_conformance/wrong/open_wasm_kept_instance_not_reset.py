"""Wrong adapter (open-loop, written from spec/ alone): a reused instance keeps its memory from
the previous step (WASM-005.1).

WASM-005.1 lets a host reuse an instance between calls "only where no call can tell it
from a fresh one": memory at its initial size *holding what instantiation wrote
there*, and the call's whole fuel.  This host pools the instance of a module whose
only state is its memory and, before each call, refills the fuel and checks that the
memory did not grow — but does not put the initial bytes back, so a step sees what
the previous step of any actor of that module left in memory.
"""

from __future__ import annotations

from gritwit._codec import object_id
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._wit import wasm_core
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-005.1"}),
    "failed",
    "a kept instance of a memory-only module gets its fuel refilled but not its initial "
    "memory back: a step sees what the previous call left in memory",
)

#: ``step`` adds one to the byte at 8 and writes that byte to the core entry ``n``.
_WAT = """
(module
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "n")
  (func (export "step") (local $c i32)
    (i32.store8 (i32.const 8) (i32.add (i32.load8_u (i32.const 8)) (i32.const 1)))
    (drop (call $core_set (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 1)
      (i32.const 0) (i32.const 0)))
    (local.set $c (call $msg_count))
    (if (i32.gt_u (local.get $c) (i32.const 0))
      (then (drop (call $mark_read (i32.sub (local.get $c) (i32.const 1))))))))
"""
_MODULE = _engine.wat_to_wasm(_WAT)
_ACTOR = object_id(wasm_core(_MODULE, {})[0]).hex()

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "module": _MODULE.hex()},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    {"cmd": "wit-send", "runtime": "w1", "to": _ACTOR, "mt": "tick", "content": {"blob": ""}},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    {"cmd": "wit-head", "runtime": "w1", "actor": _ACTOR},
]


def _reset(self: _engine._Kept, fuel: int) -> bool:
    context, memory = self.handle
    if _engine.memory_data_size(context, memory) != len(self._snapshot):
        return False
    # the bug: the memory's initial bytes are not put back (self.view[:] = self._snapshot)
    error = _engine.context_set_fuel(context, fuel)
    if error:
        _engine._check(error)
    return True


def install() -> None:
    patch(_engine._Kept, "reset", _reset)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

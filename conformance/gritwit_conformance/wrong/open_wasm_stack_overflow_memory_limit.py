"""Wrong adapter (open-loop, written from spec/ alone): exhausting the call stack is reported as
memory-limit, not trap (WASM-015.1).

WASM-015.1 lists "exhausting the host's call stack" among the traps → ``trap``; only a
memory beyond the limit is ``memory-limit`` (WASM-017, WASM-028).  An implementer who
maps the engine's trap codes by kind reads a stack overflow as running out of memory
(the stack is memory) and reports unbounded recursion as ``memory-limit``; every other
trap, and running out of fuel, keep their classes.
"""

from __future__ import annotations

import wasmtime

from gritwit._codec import object_id
from gritwit._errors import GritError, MemoryLimit
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._wit import wasm_core
from gritwit.wasm import _engine
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-015.1"}),
    "failed",
    "exhausting the call stack (unbounded recursion) fails memory-limit instead of trap",
)

#: ``step`` recurses without end: the call stack runs out long before the fuel does.
_WAT = """
(module
  (memory (export "memory") 1)
  (func $down (call $down))
  (func (export "step") (call $down)))
"""
_MODULE = _engine.wat_to_wasm(_WAT)
_ACTOR = object_id(wasm_core(_MODULE, {})[0]).hex()

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "module": _MODULE.hex()},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    {"cmd": "wit-head", "runtime": "w1", "actor": _ACTOR},
]

_typed = _engine._typed


def _wrong_typed(trap: wasmtime.Trap) -> GritError:
    if trap.trap_code == wasmtime.TrapCode.STACK_OVERFLOW:
        return MemoryLimit("WASM-017", "the guest exhausted its stack")  # the bug
    return _typed(trap)


def install() -> None:
    patch(_engine, "_typed", _wrong_typed)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

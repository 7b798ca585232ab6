"""Wrong adapter (open-loop, written from spec/ alone): an image actor's start function runs
again on every restored step (WASM-025.1, WASM-025.7).

WASM-025.1 restores an image actor's instance *without* running its start function,
so it runs once, on the actor's first step (WASM-025.7).  This host restores the
natural way — instantiate the module (which runs the start function), then overwrite
memory and exported globals with the image — so the start function's host calls run
again before every later step: a start function that writes the core writes it on
every step, and the next step keeps a core the spec's host never builds.
"""

from __future__ import annotations

from typing import Any

import wasmtime

from gritwit._codec import object_id
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._wit import wasm_core
from gritwit.wasm import _engine, _guest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-025.1"}),
    "failed",
    "an image actor is restored into an instance made with its start function, so the "
    "start function (and its host calls) runs before every step, not only the first",
    copied_from=(("gritwit.wasm._engine:WasmEngine._run", "2d691eb8cae8bcb0"),),
)

#: The start function appends an "x" to the core entry ``starts``; ``step`` marks read.
_WAT = """
(module
  (import "gritwit" "core_read" (func $core_read (param i32 i32 i32 i32) (result i32)))
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "starts")
  (func $init (local $n i32)
    (local.set $n (call $core_read (i32.const 0) (i32.const 6) (i32.const 100) (i32.const 50)))
    (if (i32.lt_s (local.get $n) (i32.const 0)) (then (local.set $n (i32.const 0))))
    (i32.store8 (i32.add (i32.const 100) (local.get $n)) (i32.const 120))
    (drop (call $core_set (i32.const 0) (i32.const 6) (i32.const 100)
      (i32.add (local.get $n) (i32.const 1)) (i32.const 0) (i32.const 0))))
  (start $init)
  (func (export "step") (local $c i32)
    (local.set $c (call $msg_count))
    (if (i32.gt_u (local.get $c) (i32.const 0))
      (then (drop (call $mark_read (i32.sub (local.get $c) (i32.const 1))))))))
"""
_MODULE = _engine.wat_to_wasm(_WAT)
_STATE = {"image": ""}  # the empty image: an image actor (WASM-023.1)
_ACTOR = object_id(
    wasm_core(_MODULE, {k: Blob(data=bytes.fromhex(v)) for k, v in _STATE.items()})[0]
).hex()

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "module": _MODULE.hex(), "state": _STATE},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    {"cmd": "wit-send", "runtime": "w1", "to": _ACTOR, "mt": "tick", "content": {"blob": ""}},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    {"cmd": "wit-head", "runtime": "w1", "actor": _ACTOR},
]


def _run(
    self: _engine.WasmEngine,
    loaded: _engine.LoadedModule,
    export: str,
    active: Any,
    image: Any,
) -> None:
    store = active.store
    restored = None if image is None else image.restored
    instance = _engine._instantiate(loaded.pre, store)  # the bug: always with the start function
    try:
        exports = instance.exports(store)
        active.guest = _guest._Guest(active, _engine._memory(exports), store)
        if restored is not None:
            _engine._restore(exports, store, restored)
        func: Any = exports[export]
        func(store)
    except wasmtime.Trap as trap:
        raise _engine._typed(trap) from None
    if image is not None and image.save:
        _engine._capture(exports, store, image)


def install() -> None:
    patch(_engine.WasmEngine, "_run", _run)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

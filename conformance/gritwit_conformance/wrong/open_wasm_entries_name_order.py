"""Wrong adapter (open-loop, written from spec/ alone): msg_entry lists a tree's names in plain
byte order, not canonical order (WASM-009.6).

WASM-009.6 numbers a tree's entries "in the tree's canonical order (ENC-010)", which is
UTF-8 length first, then bytes (``"b"`` < ``"aa"``).  An implementer who reads
"canonical" as "sorted" sorts the names by their bytes alone (``"aa"`` < ``"b"``), as
most languages' string sort does; the two orders agree while all names have one
length, and differ as soon as a shorter name sorts after a longer one.
"""

from __future__ import annotations

from gritwit._codec import object_id
from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._wit import wasm_core
from gritwit.wasm import _engine, _host
from gritwit.wit._model import get_tree
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-009.6"}),
    "failed",
    "msg_entry numbers a tree's entries in plain byte order of the names, not in "
    "canonical order (length first): 'aa' before 'b'",
)

#: ``step`` writes the name of entry 0 of message 0's content to the core entry ``first``.
_WAT = """
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "msg_entry" (func $msg_entry (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "first")
  (func (export "step") (local $n i32)
    (if (i32.eqz (call $msg_count)) (then return))
    (local.set $n (call $msg_entry (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 200) (i32.const 50)))
    (if (i32.lt_s (local.get $n) (i32.const 0)) (then unreachable))
    (drop (call $core_set (i32.const 0) (i32.const 5) (i32.const 200) (local.get $n)
      (i32.const 0) (i32.const 0)))
    (drop (call $mark_read (i32.const 0)))))
"""
_MODULE = _engine.wat_to_wasm(_WAT)
_ACTOR = object_id(wasm_core(_MODULE, {})[0]).hex()

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "module": _MODULE.hex()},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": _ACTOR,
        "mt": "list",
        "content": {"tree": {"b": {"blob": "01"}, "aa": {"blob": "02"}}},
    },
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    {"cmd": "wit-head", "runtime": "w1", "actor": _ACTOR},
]


def _entry_names(self: _host.StepHost, oid: ObjectId) -> tuple[str, ...]:
    names = self._names.get(oid)
    if names is None:
        tree = get_tree(self.reader, oid)
        # the bug: sorted by the names' bytes, not by length first (ENC-010)
        found = () if tree is None else tuple(sorted(tree.entries, key=lambda n: n.encode()))
        names = self._names[oid] = found
    return names


def install() -> None:
    patch(_host.StepHost, "_entry_names", _entry_names)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

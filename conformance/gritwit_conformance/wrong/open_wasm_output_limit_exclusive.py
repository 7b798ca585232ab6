"""Wrong adapter (open-loop, written from spec/ alone): a step whose output is exactly 1 MiB
fails output-too-large (WASM-018.3, WASM-016).

WASM-016 allows 1 MiB (1 048 576 bytes) and 1024 effects of output per call, and
WASM-018.3 fails a call that *exceeds* either.  This host compares with ``>=``, so the
largest allowed output — a ``core_set`` of exactly 1 048 576 data bytes, or the
1024th effect — already fails ``output-too-large``; one byte more fails on both
hosts, as it must.
"""

from __future__ import annotations

from gritwit._errors import OutputTooLarge
from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _engine, _host
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-018.3"}),
    "failed",
    "output of exactly 1 MiB (or the 1024th effect) already fails output-too-large (>=)",
    copied_from=(("gritwit.wasm._host:Host._account", "a02dfd0272a7ad44"),),
)


def _writer(size: int) -> bytes:
    """A module whose ``step`` sets the core entry ``o`` to ``size`` bytes, trapping on -1/-2."""
    return _engine.wat_to_wasm(f"""
(module
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 17)
  (data (i32.const 0) "o")
  (func (export "step")
    (if (i32.ne (call $core_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const {size})
                  (i32.const 0) (i32.const 0)) (i32.const 0))
      (then unreachable))))
""")


#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    # one byte past the limit: output-too-large on both
    {"cmd": "wit-genesis", "runtime": "w1", "module": _writer(1_048_577).hex()},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
    # exactly the limit: adopted
    {"cmd": "wit-genesis", "runtime": "w1", "module": _writer(1_048_576).hex()},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 5},
]


def _account(self: _host.Host, size: int, effects: int = 1) -> None:
    self._bytes += size
    self._effects += effects
    # the bug: ">=" where the limit is the largest allowed value
    if self._bytes >= self.limits.output_bytes or self._effects >= self.limits.output_effects:
        raise OutputTooLarge(
            "WASM-018.3",
            f"output of {self._bytes} bytes / {self._effects} effects reaches "
            f"{self.limits.output_bytes} / {self.limits.output_effects}",
        )


def install() -> None:
    patch(_host.Host, "_account", _account)


if __name__ == "__main__":
    run(ReferenceAdapter, install)

"""Where a trap outside the memory is the interpreter's stack exhausted (SBX-008.6).

A trap of an access outside the memory is ``stack-exhausted`` when the interpreter's
stack pointer, read as a signed 32-bit integer, is below 65 536, and ``trap``
(SBX-008.4) otherwise. No program run in the sandbox can place the pointer on a given
value when it traps, so the bound is held here on a module of the test's own: it
exports its pointer under the name the derived interpreter exports it by, sets it to
the value asked for, and then reads past its one page of memory.
"""

from __future__ import annotations

import pytest
import wasmtime

from gritwit.sandbox._run import _stack_exhausted
from gritwit.sandbox._snapshot import EXPORT_STACK

#: A module whose ``at(p)`` sets the stack pointer to ``p`` and then traps outside memory.
_WAT = f"""
(module
  (memory 1)
  (global (export "{EXPORT_STACK}") (mut i32) (i32.const 1048576))
  (func (export "at") (param i32)
    (global.set 0 (local.get 0))
    (drop (i32.load (i32.const 70000)))))
"""


def _exhausted_at(pointer: int) -> bool:
    """Whether a trap outside the memory with the stack pointer at ``pointer`` is read as
    the stack exhausted."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    instance = wasmtime.Instance(store, wasmtime.Module(engine, _WAT), [])
    at = instance.exports(store)["at"]
    assert isinstance(at, wasmtime.Func)
    with pytest.raises(wasmtime.Trap) as trapped:
        at(store, pointer)
    assert trapped.value.trap_code == wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS
    return _stack_exhausted(trapped.value, instance, store)


@pytest.mark.req("SBX-008.6", "SBX-008.4")
@pytest.mark.parametrize(
    ("pointer", "exhausted"),
    [(-1, True), (0, True), (65_535, True), (65_536, False), (65_537, False), (1 << 20, False)],
)
def test_a_trap_outside_memory_is_the_stack_exhausted_only_below_64_kib(
    pointer: int, exhausted: bool
) -> None:
    """Below 65 536 (negative too: a frame that took the pointer below 0) the stack is
    exhausted; at 65 536 and above the trap is any other trap."""
    assert _exhausted_at(pointer) is exhausted

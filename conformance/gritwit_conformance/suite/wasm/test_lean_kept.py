"""Calls of a module whose only state is its memory: boundaries and host errors (WASM-005.1).

Such a module (no globals, tables or start function, a small memory) may run in an
instance the host keeps between calls and resets (``test_wasm_fresh_memory``).  Whatever
path a host takes for it, a call must behave as in a fresh instance: a buffer may end at
the very last byte of memory, one byte further traps (WASM-007.2), and an error a host
function raises ends the call with its own class, not as a plain trap.  Each test runs
a one-page module on the implementation and on the in-process reference and requires
the same steps from both (``test_wasm_clauses_calls._run``).
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._calls import Lowering, module
from .test_wasm_clauses_calls import _entry, _run

pytestmark = pytest.mark.profile("wasm")

IMPORTS = {"msg_count": 0, "msg_sender": 3, "mark_read": 1, "core_set": 6}
#: The size of the module's one page of memory.
END = 65536
#: A sender's id in its text form (ID-003).
ID_BYTES = 64


def _save(lowering: Lowering, name: bytes, at: int, length: int) -> str:
    return (
        f"(drop (call $core_set (i32.const {lowering.place(name)}) (i32.const {len(name)}) "
        f"(i32.const {at}) (i32.const {length}) (i32.const 0) (i32.const 0)))"
    )


def _on_message(body: list[str]) -> list[str]:
    """``body`` on a step that sees a message, which it then marks read."""
    mark = "(drop (call $mark_read (i32.const 0)))"
    return [f"(if (call $msg_count) (then {' '.join(body)} {mark}))"]


@pytest.mark.req("WASM-007.2", "WASM-007.4")
def test_a_copy_out_may_fill_a_buffer_ending_at_the_last_byte_of_memory(
    impl: Implementation,
) -> None:
    """``msg_sender`` writes the whole 64-byte id into the memory's last 64 bytes."""
    lowering = Lowering()
    body = [
        *lowering.calls([("msg_sender", [0, END - ID_BYTES, ID_BYTES])]),
        _save(lowering, b"rc", 0, 1),
        _save(lowering, b"id", END - ID_BYTES, ID_BYTES),
    ]
    wasm = module(IMPORTS, lowering, {"step": _on_message(body)})
    runs, runtime, actor = _run(impl, wasm, [0, 1], clause="WASM-007.2")
    check_equal("WASM-007.2", [], runs[1][1], "the failures of run 2")
    check_equal(
        "WASM-007.2",
        bytes([ID_BYTES]),
        _entry(impl, runtime, actor, "rc", clause="WASM-007.2"),
        "the core entry rc",
    )
    sender = _entry(impl, runtime, actor, "id", clause="WASM-007.2")
    check(
        "WASM-007.4",
        len(sender) == ID_BYTES and all(c in b"0123456789abcdef" for c in sender),
        expected="the sender's id, 64 lowercase hex digits",
        came=sender,
        what="what msg_sender wrote at the memory's end",
    )


@pytest.mark.req("WASM-007.2")
def test_a_copy_out_one_byte_past_the_end_of_memory_traps(impl: Implementation) -> None:
    """The same buffer moved one byte up ends past the memory: the call traps."""
    lowering = Lowering()
    body = lowering.calls([("msg_sender", [0, END - ID_BYTES + 1, ID_BYTES])])
    wasm = module(IMPORTS, lowering, {"step": _on_message(body)})
    runs, _, actor = _run(impl, wasm, [0, 1], clause="WASM-007.2")
    check_equal("WASM-007.2", [[actor, "trap"]], runs[1][1], "the failures of run 2")


def _repeat(call: str, times: int) -> list[str]:
    return [
        "(local $i i32)",
        f"(loop $l (drop {call}) (local.set $i (i32.add (local.get $i) (i32.const 1))) "
        f"(br_if $l (i32.lt_u (local.get $i) (i32.const {times}))))",
    ]


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-005.1")
def test_host_calls_over_the_fuel_end_the_call_with_fuel_exhausted(impl: Implementation) -> None:
    """20 000 host calls cost at least 200 000 000 units: ``fuel-exhausted``, not a trap.

    The fuel runs out in a host function (the host's share of the cost), not in
    an instruction: the error is still the call's, of its own class.
    """
    wasm = module(IMPORTS, Lowering(), {"step": _repeat("(call $msg_count)", 20_000)})
    runs, _, actor = _run(impl, wasm, [0], clause="WASM-019")
    check_equal(
        "WASM-019", [[actor, "fuel-exhausted"]], runs[0][1], "the failures of the genesis step"
    )


@pytest.mark.req("WASM-018.2", "WASM-018.3", "WASM-005.1")
def test_an_effect_over_the_limit_ends_the_call_with_output_too_large(
    impl: Implementation,
) -> None:
    """1 025 successful ``core_set`` calls are one effect too many: ``output-too-large``."""
    lowering = Lowering()
    call = (
        f"(call $core_set (i32.const {lowering.place(b'k')}) (i32.const 1) "
        "(i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))"
    )
    wasm = module(IMPORTS, lowering, {"step": _repeat(call, 1025)})
    runs, _, actor = _run(impl, wasm, [0], clause="WASM-018.2")
    check_equal(
        "WASM-018.2", [[actor, "output-too-large"]], runs[0][1], "the failures of the genesis step"
    )

"""A call of a module whose only state is its memory starts from the module's memory (WASM-005.1).

A module with no globals, tables or start function keeps nothing between calls but
what its memory could: an implementation that reuses instances of such modules, and
resets them, must reset every byte, the memory's size and the fuel.  Each test runs
a small module on the implementation and on the in-process reference and requires the
same steps from both (``test_wasm_clauses_calls._run``).
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, ok_answer
from ._calls import Lowering, module
from .test_wasm_clauses_calls import _entry, _run

pytestmark = pytest.mark.profile("wasm")

IMPORTS = {"msg_count": 0, "mark_read": 1, "core_set": 6, "answer": 4}
#: The last byte of the one page.
END = 65535


def _save(lowering: Lowering, name: bytes, at: int, length: int) -> str:
    return (
        f"(drop (call $core_set (i32.const {lowering.place(name)}) (i32.const {len(name)}) "
        f"(i32.const {at}) (i32.const {length}) (i32.const 0) (i32.const 0)))"
    )


_MARK = "(if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))"


def _bump(at: int) -> str:
    return f"(i32.store8 (i32.const {at}) (i32.add (i32.load8_u (i32.const {at})) (i32.const 1)))"


@pytest.mark.req("WASM-005.1", "WASM-014.1")
def test_every_call_starts_with_the_modules_memory(impl: Implementation) -> None:
    """Bytes at the start and at the very end of memory, incremented by each call, are 1."""
    lowering = Lowering()
    bump = [_bump(0), _bump(END), f"(i32.store8 (i32.const 1) (i32.load8_u (i32.const {END})))"]
    step = [*bump, _save(lowering, b"m", 0, 2), _MARK]
    query = [*bump, "(drop (call $answer (i32.const 0) (i32.const 2) (i32.const 0) (i32.const 0)))"]
    wasm = module(IMPORTS, lowering, {"step": step, "query": query})
    runs, runtime, actor = _run(impl, wasm, [0, 1, 1], clause="WASM-005.1")
    check_equal(
        "WASM-005.1", [[]] * len(runs), [failures for _, failures in runs], "the runs' failures"
    )
    check_equal(
        "WASM-005.1",
        b"\x01\x01",
        _entry(impl, runtime, actor, "m", clause="WASM-005.1"),
        "the core entry m",
    )
    for _ in range(2):
        reply = impl.call("wit-query", runtime=runtime, actor=actor, name="q")
        answer = ok_answer(reply, "WASM-014.1", "the query of the bytes it incremented")["data"]
        check_equal(
            "WASM-014.1",
            "0101",
            answer,
            "the bytes the query saw after one increment: nothing of an earlier call",
        )


@pytest.mark.req("WASM-005.1", "WASM-020.2")
def test_every_call_gets_the_whole_fuel(impl: Implementation) -> None:
    """Three steps each spend 36 % of the fuel: each must finish: they could not share one."""
    lowering = Lowering()
    # 4 000 000 iterations of 9 instructions: 36 000 000 units, below half the limit.
    spin = (
        "(i32.store (i32.const 8) (i32.const 4000000)) "
        "(loop $l (i32.store (i32.const 8) (i32.sub (i32.load (i32.const 8)) (i32.const 1))) "
        "(br_if $l (i32.load (i32.const 8))))"
    )
    wasm = module(IMPORTS, lowering, {"step": [spin, _save(lowering, b"s", 8, 4), _MARK]})
    runs, runtime, actor = _run(impl, wasm, [0, 1, 1], clause="WASM-005.1")
    check_equal(
        "WASM-005.1", [[]] * len(runs), [failures for _, failures in runs], "the runs' failures"
    )
    check_equal(
        "WASM-005.1",
        [1, 1, 1],
        [len(steps) for steps, _ in runs],
        "the number of steps of each run",
    )
    check_equal(
        "WASM-005.1",
        bytes(4),
        _entry(impl, runtime, actor, "s", clause="WASM-005.1"),
        "the core entry s",
    )


@pytest.mark.req("WASM-005.1", "WASM-017.1", "WASM-007.2")
def test_a_grown_memory_is_not_kept_and_host_calls_see_it_grow(impl: Implementation) -> None:
    """Each call starts with one page, grows it, and saves bytes from the new page."""
    lowering = Lowering()
    step = [
        "(if (i32.ne (memory.size) (i32.const 1)) (then unreachable))",
        _save(lowering, b"before", 0, 1),  # a host call while the memory has one page
        "(drop (memory.grow (i32.const 2)))",
        "(i32.store (i32.const 150000) (i32.const 0x64636261))",
        _save(lowering, b"after", 150000, 4),  # and one after it grew (and maybe moved)
        _MARK,
    ]
    wasm = module(IMPORTS, lowering, {"step": step})
    runs, runtime, actor = _run(impl, wasm, [0, 1, 1], clause="WASM-005.1")
    check_equal(
        "WASM-005.1", [[]] * len(runs), [failures for _, failures in runs], "the runs' failures"
    )
    check_equal(
        "WASM-005.1",
        [1, 1, 1],
        [len(steps) for steps, _ in runs],
        "the number of steps of each run",
    )
    check_equal(
        "WASM-005.1",
        b"abcd",
        _entry(impl, runtime, actor, "after", clause="WASM-005.1"),
        "the core entry after",
    )

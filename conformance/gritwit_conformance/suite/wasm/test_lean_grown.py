"""Host calls after the guest grew its memory: the new pages are memory too (WASM-007.2).

A host may remember how far the memory reached at an earlier host call (the
reference keeps a view of it between host calls and asks the engine again only for
a range beyond it).  The guest can grow its memory between two host calls, so a
range reaching into the new pages, or across the old end, lies within the memory
and must not trap; one byte past the new end still traps.  Each test runs a
one-page module that grows to two pages on the implementation and on the
in-process reference and requires the same steps from both.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._calls import Lowering, module
from .test_lean_kept import ID_BYTES, IMPORTS, _on_message, _save
from .test_wasm_clauses_calls import _entry, _run

pytestmark = pytest.mark.profile("wasm")

#: The memory's end once it has grown from one page to two.
END = 2 * 65536
GROW = "(drop (memory.grow (i32.const 1)))"


def _first_call() -> str:
    """A host call before the growth, so that the host has seen the one-page memory."""
    return "(drop (call $msg_count))"


@pytest.mark.req("WASM-007.2", "WASM-007.4", "WASM-017.1")
def test_a_copy_out_into_the_grown_pages_lands_there(impl: Implementation) -> None:
    """``msg_sender`` writes the id into the last 64 bytes of the grown memory."""
    lowering = Lowering()
    body = [
        _first_call(),
        GROW,
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
        what="what msg_sender wrote into the grown pages",
    )


@pytest.mark.req("WASM-007.2", "WASM-011.3")
def test_a_copy_in_across_the_old_end_reads_both_pages(impl: Implementation) -> None:
    """``core_set`` of 8 bytes, 4 below the old end and 4 above it, stores those 8 bytes."""
    lowering = Lowering()
    old_end = 65536
    body = [
        _first_call(),
        GROW,
        f"(i32.store (i32.const {old_end - 4}) (i32.const 0x64636261))",  # "abcd"
        f"(i32.store (i32.const {old_end}) (i32.const 0x68676665))",  # "efgh"
        _save(lowering, b"both", old_end - 4, 8),
    ]
    wasm = module(IMPORTS, lowering, {"step": _on_message(body)})
    runs, runtime, actor = _run(impl, wasm, [0, 1], clause="WASM-007.2")
    check_equal("WASM-007.2", [], runs[1][1], "the failures of run 2")
    check_equal(
        "WASM-007.2",
        b"abcdefgh",
        _entry(impl, runtime, actor, "both", clause="WASM-007.2"),
        "the core entry both",
    )


@pytest.mark.req("WASM-007.2")
def test_a_copy_out_one_byte_past_the_grown_end_traps(impl: Implementation) -> None:
    """The same buffer one byte further ends past the grown memory: the call traps."""
    lowering = Lowering()
    body = [
        _first_call(),
        GROW,
        *lowering.calls([("msg_sender", [0, END - ID_BYTES + 1, ID_BYTES])]),
    ]
    wasm = module(IMPORTS, lowering, {"step": _on_message(body)})
    runs, _, actor = _run(impl, wasm, [0, 1], clause="WASM-007.2")
    check_equal("WASM-007.2", [[actor, "trap"]], runs[1][1], "the failures of run 2")

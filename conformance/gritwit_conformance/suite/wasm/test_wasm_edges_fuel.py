"""Fuel on both sides of WASM-020's band, for each kind of cost WASM-019 names.

WASM-020 lets hosts meter differently between half the limit and twice it, so each
program here has a cost computable from WASM-019 and far from that band: one that
costs at most half the limit (50 000 000 units) MUST run, one that costs more than
twice it (200 000 000) MUST fail → ``fuel-exhausted``. The costs, from WASM-019:

* a counted loop (``local.get``, ``i32.const``, ``i32.add``, ``local.set``,
  ``local.get``, ``i32.const``, ``i32.lt_u``, ``br_if``; ``loop`` and ``end`` are free)
  costs 8 units per iteration, plus 1 for entering ``step``;
* a bulk instruction with its three ``i32.const`` operands in that loop costs
  ``12 + n`` per iteration, ``n`` the bytes (or table elements) it moves;
* a host call costs 10 000 units plus the bytes it copies in or out, plus the few
  instructions around it (at most 12 per iteration here) — also in a start function,
  which runs under the call's limits (WASM-005).
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, suite_premise

pytestmark = pytest.mark.profile("wasm")

LIMIT = 100_000_000
HALF, TWICE = LIMIT // 2, 2 * LIMIT
HOST_CALL = 10_000
MiB = 1024 * 1024


def _run(
    impl: Implementation, wat: str, state: dict[str, str] | None = None, *, message: bool = False
) -> tuple[list[Any], str]:
    """Genesis of the module (and, if ``message``, one more step for a message): failures."""
    clause = "WASM-019"  # every test here judges a cost; a refused command breaks it
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    module = bytes(wasmtime.wat2wasm(wat)).hex()
    made = call_ok(impl, clause, "wit-genesis", runtime=runtime, module=module, state=state or {})
    actor = str(made["actor"])
    failures: list[Any] = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)["failures"]
    if message and not failures:
        content = {"blob": "01"}
        call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="go", content=content)
        failures = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)["failures"]
    call_ok(impl, clause, "wit-close", runtime=runtime)
    return failures, actor


def _expect(failures: list[Any], actor: str, cost: tuple[int, int], what: str) -> None:
    """``cost`` is (at least, at most): at most half the limit runs, over twice it aborts."""
    low, high = cost
    if high <= HALF:
        check_equal(
            ("WASM-019", "WASM-020.2"),
            [],
            failures,
            f"the failures of {what}: it costs at most {high} units, half the fuel limit, so "
            "it runs",
        )
    else:
        suite_premise(low > TWICE, "a test program is far from WASM-020's band")
        check_equal(
            ("WASM-019", "WASM-020.1"),
            [[actor, "fuel-exhausted"]],
            failures,
            f"the failures of {what}: it costs more than {low} units, twice the fuel limit, "
            "so it fails fuel-exhausted",
        )


def _loop(body: str, reps: int) -> str:
    """``body`` then the counted loop's 8 instructions, ``reps`` times."""
    return (
        f"(loop $l {body} (local.set $i (i32.add (local.get $i) (i32.const 1))) "
        f"(br_if $l (i32.lt_u (local.get $i) (i32.const {reps}))))"
    )


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-020.2", "WASM-016")
@pytest.mark.parametrize("reps", [6_249_999, 25_000_000])
def test_instructions_cost_one_each(impl: Implementation, reps: int) -> None:
    cost = 1 + 8 * reps  # 49 999 993 (runs) or 200 000 001 (aborts)
    step = f'(func (export "step") (local $i i32) {_loop("", reps)})'
    wat = f'(module (memory (export "memory") 1) {step})'
    failures, actor = _run(impl, wat)
    _expect(failures, actor, (cost, cost), f"a loop of {reps} iterations")


#: bulk instruction → (its body in the loop, elements it moves per iteration).
#: ``table.fill`` and ``table.init`` are left out: moving the 10⁸ table elements a host
#: must allow takes V8 over 10 s, too long for the suite.
BULK: dict[str, tuple[str, int]] = {
    "memory.fill": (f"(memory.fill (i32.const 0) (i32.const 7) (i32.const {MiB}))", MiB),
    "memory.copy": (f"(memory.copy (i32.const {MiB}) (i32.const 0) (i32.const {MiB}))", MiB),
    "memory.init": (f"(memory.init $d (i32.const 0) (i32.const 0) (i32.const {MiB}))", MiB),
    "table.copy": ("(table.copy (i32.const 0) (i32.const 0) (i32.const 10000))", 10_000),
}


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-020.2")
@pytest.mark.parametrize("over", [False, True], ids=["half", "twice"])
@pytest.mark.parametrize("op", sorted(BULK))
def test_bulk_instructions_cost_one_per_element_moved(
    impl: Implementation, op: str, over: bool
) -> None:
    body, moved = BULK[op]
    per = 12 + moved
    reps = TWICE // per + 1 if over else HALF // per - 1
    cost = (per * reps, 2 + per * reps)  # entering step (+ 1: the table's init, on some hosts)
    segments = ""
    if op == "memory.init":
        segments = f'(data $d "{"a" * MiB}")'
    wat = (
        f'(module (memory (export "memory") 32) (table 10000 funcref) (func $f) {segments} '
        f'(func (export "step") (local $i i32) {_loop(body, reps)}))'
    )
    failures, actor = _run(impl, wat)
    _expect(failures, actor, cost, f"{reps} × {op} of {moved}")


def _host_loop(call: str, reps: int, *, start: bool = False) -> str:
    imports = (
        '(import "gritwit" "msg_count" (func $msg_count (result i32))) '
        '(import "gritwit" "core_read" (func $core_read (param i32 i32 i32 i32) (result i32))) '
        '(import "gritwit" "msg_header" (func $msg_header (param i32 i32 i32 i32 i32) '
        "(result i32)))"
    )
    work = f"(func $work (local $i i32) {_loop(f'(drop {call})', reps)})"
    entry = (
        '(start $work) (func (export "step"))' if start else '(func (export "step") (call $work))'
    )
    return (
        f'(module {imports} (memory (export "memory") 32) (data (i32.const 0) "big") '
        f"{work} {entry})"
    )


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-020.2", "WASM-005.2")
@pytest.mark.parametrize("start", [False, True], ids=["step", "start-function"])
@pytest.mark.parametrize("reps", [4_990, 20_000])
def test_a_host_call_costs_10000(impl: Implementation, reps: int, start: bool) -> None:
    """``msg_count`` copies nothing: 10 000 units and at most 12 instructions a call.

    In a start function too: it runs as part of the call, under its limits (WASM-005).
    """
    cost = ((HOST_CALL + 9) * reps, (HOST_CALL + 12) * reps + 2)  # at most 49 969 882 (runs)
    failures, actor = _run(impl, _host_loop("(call $msg_count)", reps, start=start))
    where = "the start function" if start else "step"
    _expect(failures, actor, cost, f"{reps} host calls in {where}")


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-020.2", "WASM-011.2", "WASM-007.4")
@pytest.mark.parametrize("reps", [40, 200])
def test_a_host_call_costs_one_per_byte_copied_out(impl: Implementation, reps: int) -> None:
    """``core_read`` of a 1 MiB blob into a 1 MiB buffer copies 1 MiB out each time."""
    per = HOST_CALL + MiB + 3  # and the 3-byte path copied in
    cost = (per * reps, (per + 20) * reps + 2)  # at most 42 343 322 (runs)
    call = f"(call $core_read (i32.const 0) (i32.const 3) (i32.const 65536) (i32.const {MiB}))"
    failures, actor = _run(impl, _host_loop(call, reps), {"big": "5a" * MiB})
    _expect(failures, actor, cost, f"{reps} reads of a 1 MiB blob")


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-020.2", "WASM-009.3")
@pytest.mark.parametrize("reps", [40, 200])
def test_a_host_call_costs_one_per_byte_copied_in(impl: Implementation, reps: int) -> None:
    """``msg_header`` with a 1 MiB header name copies 1 MiB in each time (and returns -1).

    The step fills the name first with one ``memory.fill`` (1 MiB more) and runs
    on the step of a message, since genesis messages are hidden (WASM-009).
    """
    per = HOST_CALL + MiB
    cost = (per * reps, MiB + 100 + (per + 20) * reps)  # at most 43 392 356 (runs)
    call = (
        f"(call $msg_header (i32.const 0) (i32.const 65536) (i32.const {MiB}) "
        "(i32.const 0) (i32.const 0))"
    )
    loop = _loop(f"(drop {call})", reps)
    wat = (
        '(module (import "gritwit" "msg_count" (func $msg_count (result i32))) '
        '(import "gritwit" "msg_header" (func $msg_header (param i32 i32 i32 i32 i32) '
        "(result i32))) "
        '(memory (export "memory") 32) (func (export "step") (local $i i32) '
        "(if (i32.eqz (call $msg_count)) (then (return))) "
        f"(memory.fill (i32.const 65536) (i32.const 97) (i32.const {MiB})) {loop}))"
    )
    failures, actor = _run(impl, wat, message=True)
    _expect(failures, actor, cost, f"{reps} host calls reading a 1 MiB name")

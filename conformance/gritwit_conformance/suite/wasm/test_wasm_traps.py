"""Every trap of an instruction fails the step → ``trap`` (WASM-015.1).

One generated module per kind of instruction trap; its genesis step traps, and the
failure's class must be ``trap`` — not a class of another limit the trap resembles
(an out-of-bounds access is not ``memory-limit``, an integer overflow not
``fuel-exhausted``). Each run is compared with the in-process reference.
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import call_ok, check_equal

pytestmark = pytest.mark.profile("wasm")

#: kind of trap → the step's body, which traps.
TRAPS: dict[str, str] = {
    "unreachable": "unreachable",
    "divide-by-zero": "(drop (i32.div_u (i32.const 1) (i32.const 0)))",
    "integer-overflow": "(drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))",
    "bad-conversion": "(drop (i32.trunc_f32_s (f32.const nan)))",
    "memory-out-of-bounds": "(drop (i32.load (i32.const 65534)))",
    "table-out-of-bounds": "(call_indirect (type $v) (i32.const 5))",
    "null-function": "(call_indirect (type $v) (i32.const 1))",
    "wrong-signature": "(drop (call_indirect (type $r) (i32.const 0)))",
}


def _module(body: str) -> bytes:
    return bytes(
        wasmtime.wat2wasm(
            '(module (memory (export "memory") 1) (type $v (func)) (type $r (func (result i32))) '
            "(table 2 funcref) (elem (i32.const 0) $f) (func $f) "
            f'(func (export "step") {body}))'
        )
    )


def _genesis_failures(impl: Implementation, wasm: bytes) -> tuple[str, list[Any]]:
    rule = "WASM-015.1"
    runtime = str(call_ok(impl, rule, "wit-open")["runtime"])
    genesis = call_ok(impl, rule, "wit-genesis", runtime=runtime, module=wasm.hex(), state={})
    actor = str(genesis["actor"])
    run = call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=1)
    call_ok(impl, rule, "wit-close", runtime=runtime)
    return actor, [run["steps"], run["failures"]]


@pytest.mark.smoke
@pytest.mark.req("WASM-015.1")
@pytest.mark.parametrize("kind", sorted(TRAPS))
def test_every_instruction_trap_fails_the_step_as_trap(impl: Implementation, kind: str) -> None:
    wasm = _module(TRAPS[kind])
    actor, found = _genesis_failures(impl, wasm)
    check_equal(
        "WASM-015.1",
        [[], [[actor, "trap"]]],
        found,
        f"the genesis run's [steps, failures] of a step trapping ({kind})",
    )
    oracle = InProcess()
    try:
        check_equal(
            "WASM-015.1",
            _genesis_failures(oracle, wasm)[1],
            found,
            f"the genesis run's [steps, failures] ({kind}), as the reference's",
        )
    finally:
        oracle.close()


#: Modules whose instantiation traps: an active segment outside its memory or table.
#: ``data-alone``'s only state is its memory, a module a host may keep an instance of
#: between calls (WASM-005.1); the others hold a table and are instantiated per call.
INSTANTIATION_TRAPS: dict[str, str] = {
    "data-alone": '(memory (export "memory") 1) (data (i32.const 65535) "xy")',
    "data-with-table": '(memory (export "memory") 1) (table 1 funcref) '
    '(data (i32.const 65535) "xy")',
    "element": '(memory (export "memory") 1) (table 1 funcref) (elem (i32.const 1) $f)',
}


@pytest.mark.req("WASM-015.1")
@pytest.mark.parametrize("kind", sorted(INSTANTIATION_TRAPS))
def test_an_instantiation_that_traps_fails_the_step_as_trap(
    impl: Implementation, kind: str
) -> None:
    """A segment that does not fit traps while the instance is made: the step fails
    ``trap`` like any other trap, at its first call and every later one — not an error of
    the host, not ``memory-limit``."""
    wasm = bytes(
        wasmtime.wat2wasm(f'(module {INSTANTIATION_TRAPS[kind]} (func $f) (func (export "step")))')
    )
    rule = "WASM-015.1"
    runtime = str(call_ok(impl, rule, "wit-open")["runtime"])
    genesis = call_ok(impl, rule, "wit-genesis", runtime=runtime, module=wasm.hex(), state={})
    actor = str(genesis["actor"])
    for attempt in range(2):  # the second finds whatever the first left
        run = call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=1)
        check_equal(
            rule,
            [[], [[actor, "trap"]]],
            [run["steps"], run["failures"]],
            f"run {attempt + 1}'s [steps, failures], its instantiation trapping ({kind})",
        )
    call_ok(impl, rule, "wit-close", runtime=runtime)

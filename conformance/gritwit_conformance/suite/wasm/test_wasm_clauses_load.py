"""Loading, clause by clause: the feature set, the exports, the imports, the abi, the cache.

One module per thing a rule names: each feature WASM-003 leaves out (→ ``invalid-module``),
each export rule of WASM-004, each kind of import WASM-006.2 forbids
(→ ``forbidden-import``), the ``abi`` header of WASM-001, and a module cache that must
not change a result (WASM-002.2).
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check, check_equal, describe, error_answer, ok_answer

pytestmark = pytest.mark.profile("wasm")

MEMORY = '(memory (export "memory") 1)'
STEP = '(func (export "step"))'


def _wasm(wat: str) -> bytes:
    return bytes(wasmtime.wat2wasm(wat))


def _load(impl: Implementation, wasm: bytes) -> Any:
    return impl.call("wasm-load", module=wasm.hex())


#: Each feature WASM-003 leaves out, used by an otherwise valid module.
FEATURES: dict[str, str] = {
    "threads (shared memory)": f'(module (memory (export "memory") 1 1 shared) {STEP})',
    "atomics": f'(module {MEMORY} (func (export "step") (drop (i32.atomic.load (i32.const 0)))))',
    "relaxed SIMD": f'(module {MEMORY} (func (export "step") '
    "(drop (i32x4.relaxed_trunc_f32x4_s (v128.const i32x4 0 0 0 0)))))",
    "64-bit memory": f'(module (memory (export "memory") i64 1) {STEP})',
    "multiple memories": f"(module {MEMORY} (memory 1) {STEP})",
    "exception handling": f'(module {MEMORY} (tag $e) (func (export "step") (throw $e)))',
    "garbage collection": f"(module {MEMORY} (type $s (struct (field i32))) "
    '(func (export "step") (drop (struct.new $s (i32.const 1)))))',
    "typed function references": f"(module {MEMORY} (type $f (func)) (elem declare func $g) "
    '(func $g) (func (export "step") (call_ref $f (ref.func $g))))',
    "stack switching": f"(module {MEMORY} (type $f (func)) (type $c (cont $f)) {STEP})",
    "wide arithmetic": f'(module {MEMORY} (func (export "step") (drop (drop (i64.add128 '
    "(i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4))))))",
    "custom page sizes": f'(module (memory (export "memory") 1 (pagesize 1)) {STEP})',
}
#: Features WebAssembly 2.0 has: allowed.
ALLOWED: dict[str, str] = {
    "fixed-width SIMD": f'(module {MEMORY} (func (export "step") (drop (i32x4.add '
    "(v128.const i32x4 1 2 3 4) (v128.const i32x4 1 2 3 4)))))",
    "bulk memory": f'(module {MEMORY} (func (export "step") '
    "(memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))",
    "multi-value": f"(module {MEMORY} (func $g (result i32 i32) (i32.const 1) (i32.const 2)) "
    '(func (export "step") (drop (drop (call $g)))))',
    "reference types": f"(module {MEMORY} (table 1 externref) {STEP})",
}


@pytest.mark.req("WASM-003", "WASM-002.1")
@pytest.mark.parametrize("feature", sorted(FEATURES))
@pytest.mark.req("CONV-004")
def test_each_feature_outside_the_set_is_invalid_module(impl: Implementation, feature: str) -> None:
    reply = _load(impl, _wasm(FEATURES[feature]))
    error_answer(reply, "WASM-003", "invalid-module", f"wasm-load of a module using {feature}")


@pytest.mark.req("WASM-003")
@pytest.mark.parametrize("feature", sorted(ALLOWED))
def test_webassembly_2_features_load(impl: Implementation, feature: str) -> None:
    reply = _load(impl, _wasm(ALLOWED[feature]))
    ok_answer(reply, "WASM-003", f"wasm-load of a module using {feature}, WebAssembly 2.0")


#: Modules breaking one export rule of WASM-004 each.
BAD_EXPORTS: dict[str, str] = {
    "no memory export": f"(module (memory 1) {STEP})",
    "memory under another name": f'(module (memory (export "mem") 1) {STEP})',
    "no step": f'(module {MEMORY} (func (export "query")))',
    "step with a parameter": f'(module {MEMORY} (func (export "step") (param i32)))',
    "step with a result": f'(module {MEMORY} (func (export "step") (result i32) (i32.const 0)))',
    "step a global": f'(module {MEMORY} (global (export "step") i32 (i32.const 0)))',
    "query with a parameter": f'(module {MEMORY} {STEP} (func (export "query") (param i32)))',
    "query with a result": f"(module {MEMORY} {STEP} "
    '(func (export "query") (result i32) (i32.const 0)))',
    "query a memory": f'(module (memory (export "memory") 1) {STEP} (memory (export "query") 1))',
}
GOOD_EXPORTS: dict[str, str] = {
    "memory and step": f"(module {MEMORY} {STEP})",
    "with query": f'(module {MEMORY} {STEP} (func (export "query")))',
    "other exports ignored": f'(module {MEMORY} {STEP} (func (export "other") (param i32)) '
    '(global (export "g") i32 (i32.const 0)) (table (export "t") 1 funcref))',
}


@pytest.mark.req("WASM-004")
@pytest.mark.parametrize("name", sorted(BAD_EXPORTS))
@pytest.mark.req("CONV-004")
def test_each_broken_export_rule_is_invalid_module(impl: Implementation, name: str) -> None:
    reply = _load(impl, _wasm(BAD_EXPORTS[name]))
    error_answer(reply, "WASM-004", "invalid-module", f"wasm-load of a module with {name}")


@pytest.mark.req("WASM-004")
@pytest.mark.parametrize("name", sorted(GOOD_EXPORTS))
def test_exports_within_the_rules_load(impl: Implementation, name: str) -> None:
    reply = _load(impl, _wasm(GOOD_EXPORTS[name]))
    ok_answer(reply, "WASM-004", f"wasm-load of a module with {name}")


#: Each kind of import WASM-006.2 forbids, and imports from ``gritwit`` outside ABI 1.
IMPORTS: dict[str, str] = {
    "WASI": '(import "wasi_snapshot_preview1" "fd_write" '
    "(func (param i32 i32 i32 i32) (result i32)))",
    "clock": '(import "wasi_snapshot_preview1" "clock_time_get" '
    "(func (param i32 i64 i32) (result i32)))",
    "randomness": '(import "wasi_snapshot_preview1" "random_get" '
    "(func (param i32 i32) (result i32)))",
    "environment": '(import "wasi_snapshot_preview1" "environ_get" '
    "(func (param i32 i32) (result i32)))",
    "another module": '(import "env" "msg_count" (func (result i32)))',
    "an unknown gritwit function": '(import "gritwit" "clock" (func (result i32)))',
    "a gritwit global": '(import "gritwit" "msg_count" (global i32))',
    "a gritwit table": '(import "gritwit" "msg_count" (table 1 funcref))',
}


@pytest.mark.req("WASM-006.2", "WASM-002.1")
@pytest.mark.parametrize("name", sorted(IMPORTS))
@pytest.mark.req("CONV-004")
def test_each_other_import_is_forbidden(impl: Implementation, name: str) -> None:
    reply = _load(impl, _wasm(f"(module {IMPORTS[name]} {MEMORY} {STEP})"))
    error_answer(reply, "WASM-006.2", "forbidden-import", f"wasm-load of a module importing {name}")


ECHO = _wasm(f"(module {MEMORY} {STEP})")


def _genesis(impl: Implementation, runtime: str, headers: dict[str, str], clause: Clause) -> str:
    """Sends the genesis of a core whose wit blob holds ECHO with ``headers``."""
    core = {"tree": {"wit": {"blob": ECHO.hex(), "headers": headers}}}
    wit = g.Blob(data=ECHO, headers=headers)
    actor = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
    call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="genesis", content=core)
    return actor


#: wit blob headers → whether the genesis step runs (else ``unknown-wit``).
ABI_HEADERS: dict[str, tuple[dict[str, str], bool]] = {
    "abi 1": ({"runtime": "wasm", "abi": "1"}, True),
    "no abi": ({"runtime": "wasm"}, False),
    "abi 2": ({"runtime": "wasm", "abi": "2"}, False),
    "abi 1.0": ({"runtime": "wasm", "abi": "1.0"}, False),
    "abi empty": ({"runtime": "wasm", "abi": ""}, False),
}


@pytest.mark.req("WASM-001.1", "WASM-001.3")
@pytest.mark.parametrize("name", sorted(ABI_HEADERS))
def test_a_wasm_wit_blob_needs_abi_1(impl: Implementation, name: str) -> None:
    headers, runs = ABI_HEADERS[name]
    runtime = str(call_ok(impl, "WASM-001.3", "wit-open")["runtime"])
    actor = _genesis(impl, runtime, headers, "WASM-001.3")
    failures = call_ok(impl, "WASM-001.3", "wit-run", runtime=runtime, max_steps=5)["failures"]
    check_equal(
        "WASM-001.3",
        [] if runs else [[actor, "unknown-wit"]],
        failures,
        f"the failures of the genesis step of a wasm wit blob with {name}",
    )


@pytest.mark.req("WASM-002.2", "WASM-001.3")
@pytest.mark.parametrize("first", ["abi 1", "abi 2"])
def test_a_cached_module_does_not_change_a_result(impl: Implementation, first: str) -> None:
    """The same module bytes under abi 1 and abi 2, in either order, in one runtime."""
    rule = "WASM-002.2"
    runtime = str(call_ok(impl, rule, "wit-open")["runtime"])
    order = [first, "abi 2" if first == "abi 1" else "abi 1"]
    for name in order:
        actor = _genesis(impl, runtime, ABI_HEADERS[name][0], rule)
        failures = call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=5)["failures"]
        head = call_ok(impl, rule, "wit-head", runtime=runtime, actor=actor)["step"]
        if name == "abi 2":
            check(
                rule,
                [actor, "unknown-wit"] in failures and head is None,
                expected=f"the failure [{actor}, unknown-wit] and no head",
                came=f"the failures {describe(failures)} and the head {describe(head)}",
                what=f"the genesis under {name} of a module already loaded under {order[0]}",
            )
        else:
            check(
                rule,
                [actor, "unknown-wit"] not in failures and head is not None,
                expected="a genesis step that ran: no unknown-wit failure, a head",
                came=f"the failures {describe(failures)} and the head {describe(head)}",
                what=f"the genesis under {name} of a module already loaded under {order[0]}",
            )

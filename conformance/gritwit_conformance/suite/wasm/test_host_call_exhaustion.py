"""What a step exhausts and what it pays: copies out cost the bytes they copy, the call
stack, fuel, and memory grown past its limits (WASM-015 … WASM-021).  Helpers:
:mod:`._host_calls`.
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, error_answer, fail, suite_premise
from ._host_calls import _entry, _failures, _genesis, _imports, _open, _tree, _wat_bytes

pytestmark = pytest.mark.profile("wasm")

LIMIT = 100_000_000
HALF, TWICE = LIMIT // 2, 2 * LIMIT
HOST_CALL = 10_000
MiB = 1024 * 1024


# --------------------------------------------------------------------------- WASM-019

#: Where copy-out buffers start; constants (a path, a header name) sit at 16.
BUF = 65536
#: The value of the calls whose value the test chooses: 256 KiB.
BIG = 262_144

#: call → (where its value comes from, its arguments before ``(buf, cap)``, the constant
#: at 16 that it copies in).
COPY_OUT: dict[str, tuple[str, str, bytes]] = {
    "core_read": ("core", "(i32.const 16) (i32.const 1)", b"v"),
    "core_read-absent": ("core", "(i32.const 16) (i32.const 1)", b"w"),
    "msg_read": ("message", "(i32.const 0) (i32.const 16) (i32.const 0)", b""),
    "msg_header": ("message", "(i32.const 0) (i32.const 16) (i32.const 2)", b"mt"),
    "query_name": ("query", "", b""),
    "msg_sender": ("message", "(i32.const 0)", b""),
    "msg_content": ("message", "(i32.const 0) (i32.const 16) (i32.const 0)", b""),
    "msg_entry": ("message", "(i32.const 0) (i32.const 16) (i32.const 0) (i32.const 0)", b""),
}
#: The value's length of the calls whose value the test cannot make large.
FIXED_VALUE = {"msg_sender": 64, "msg_content": 64, "msg_entry": 255, "core_read-absent": 0}
COPY_ARITY = {
    "core_read": 4,
    "msg_read": 5,
    "msg_header": 5,
    "query_name": 2,
    "msg_sender": 3,
    "msg_content": 5,
    "msg_entry": 6,
}
#: A loop iteration's instructions: at most 7 argument constants and the call, then the
#: counter's 8 (``loop`` and ``end`` are free, WASM-019); a margin over that.
PER_ITERATION = 24
#: The call's fixed cost: entering the export, ``msg_count`` or ``answer``, their operands.
FIXED = 2 * HOST_CALL + 100


def _copy_case(call: str, relation: str, side: str) -> tuple[int, int, int]:
    """(value length, cap, iterations) of a loop of ``call`` whose cost is at most half
    the limit (``side`` = ``half``) or more than twice it (``twice``)."""
    value = FIXED_VALUE.get(call, BIG)
    big = call not in FIXED_VALUE
    cap = {
        "zero": 0,
        "smaller": (4096 if side == "half" else value // 2) if big else value // 2,
        "equal": value,
        "larger": 8 * MiB if side == "half" else 2 * value,
    }[relation]
    if side == "half":
        reps = 150 if big and relation in ("equal", "larger") else 1000
    else:
        reps = 1600 if relation == "smaller" else 800
    return value, cap, reps


def _copy_module(call: str, cap: int, reps: int) -> bytes:
    where, args, const = COPY_OUT[call]
    name = call.split("-")[0]
    loop = (
        f"(loop $l (drop (call ${name} {args} (i32.const {BUF}) (i32.const {cap}))) "
        "(local.set $i (i32.add (local.get $i) (i32.const 1))) "
        f"(br_if $l (i32.lt_u (local.get $i) (i32.const {reps}))))"
    )
    if where == "core":
        funcs = f'(func (export "step") (local $i i32) {loop})'
    elif where == "message":
        funcs = f'(func (export "step") (local $i i32) (if (call $msg_count) (then {loop})))'
    else:
        answer = "(drop (call $answer (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))"
        funcs = f'(func (export "step")) (func (export "query") (local $i i32) {loop} {answer})'
    pages = (BUF + cap) // 65536 + 1
    imports = _imports({name: COPY_ARITY[name], "msg_count": 0, "answer": 4})
    wat = (
        f'(module {imports} (memory (export "memory") {pages}) '
        f'(data (i32.const 16) "{_wat_bytes(const)}") {funcs})'
    )
    return bytes(wasmtime.wat2wasm(wat))


def _copy_outcome(impl: Implementation, call: str, value: int, wasm: bytes) -> str | None:
    """Run the loop on a value of ``value`` bytes: ``None`` if the call ran, else its class."""
    where = COPY_OUT[call][0]
    state = {"v": "61" * value} if call == "core_read" else {}
    runtime = _open(impl, clause="WASM-019")
    actor = _genesis(impl, runtime, wasm, state, clause="WASM-019")
    failures = _failures(impl, runtime, clause="WASM-019")
    outcome: str | None = None
    if where == "message" and not failures:
        content: dict[str, Any] = {"blob": "61" * value} if call == "msg_read" else {"blob": "01"}
        if call == "msg_entry":
            content = _tree(["n" * value])
        mt = "m" * value if call == "msg_header" else "go"
        call_ok(impl, "WASM-019", "wit-send", runtime=runtime, to=actor, mt=mt, content=content)
        failures = _failures(impl, runtime, clause="WASM-019")
    if where == "query" and not failures:
        reply = impl.call("wit-query", runtime=runtime, actor=actor, name="q" * value)
        outcome = None if reply.ok else str(reply.error.get("class"))
    if failures:
        check(
            "WASM-019",
            len(failures) == 1 and failures[0][0] == actor,
            expected=f"one failure, of the looping actor {actor}",
            came=failures,
            what=f"wit-run's failures of the {call} loop",
        )
        outcome = str(failures[0][1])
    call_ok(impl, "WASM-019", "wit-close", runtime=runtime)
    return outcome


COPY_CASES = [
    (call, relation, side)
    for call in COPY_OUT
    for relation in ("zero", "smaller", "equal", "larger")
    for side in ("half", "twice")
    if not (side == "twice" and (call in FIXED_VALUE or relation == "zero"))
    and not (call == "core_read-absent" and relation in ("smaller", "equal"))
]


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-020.2", "WASM-007.4")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(
    ("call", "relation", "side"), COPY_CASES, ids=["-".join(c) for c in COPY_CASES]
)
def test_a_copy_out_costs_the_bytes_it_copies(
    impl: Implementation, call: str, relation: str, side: str
) -> None:
    """A loop of ``call`` into a buffer whose ``cap`` is 0, smaller than, equal to or
    larger than the value: each call costs 10 000 units, the bytes it copies in, and
    ``min(n, cap)`` (0 for an absent value) — not ``n``, not ``cap``.  ``half`` costs at
    most half the limit and must run; ``twice`` more than twice it and must abort."""
    value, cap, reps = _copy_case(call, relation, side)
    copied_in = len(COPY_OUT[call][2])
    copied_out = min(value, cap)
    low = reps * (HOST_CALL + copied_in + copied_out)
    high = low + reps * PER_ITERATION + FIXED
    outcome = _copy_outcome(impl, call, value, _copy_module(call, cap, reps))
    what = f"{reps} × {call} of a {value}-byte value into a {cap}-byte buffer"
    if side == "half":
        suite_premise(high <= HALF, f"{what} costs at most half the fuel limit")
        # charged n or cap instead of min(n, cap): past twice the limit, where they differ
        wrong = reps * (HOST_CALL + max(value, cap))
        if relation == "larger" or (relation != "equal" and call not in FIXED_VALUE):
            suite_premise(wrong > TWICE, f"{what} charged n or cap costs past twice the limit")
        check(
            ("WASM-019", "WASM-020.2"),
            outcome is None,
            expected=f"a run without failure: it costs at most {high} units (10 000 + the "
            f"bytes copied, min(n, cap) = {copied_out}), half the fuel limit",
            came=f"failure {outcome}",
            what=what,
        )
    else:
        suite_premise(low > TWICE, f"{what} costs more than twice the fuel limit")
        check(
            ("WASM-019", "WASM-020.1"),
            outcome == "fuel-exhausted",
            expected=f"failure fuel-exhausted: it costs more than {low} units (10 000 + the "
            f"bytes copied, min(n, cap) = {copied_out}), twice the fuel limit",
            came=f"failure {outcome}" if outcome else "a run without failure",
            what=what,
        )


# --------------------------------------------------------------------------- exhaustion

MEMORY = '(memory (export "memory") 1)'


def _frame(locals_: int) -> str:
    """A recursive function whose frame holds ``locals_`` live ``v128`` values across
    its call: loaded from memory before, stored back after (a large frame)."""
    decl = " ".join(["(local v128)"] * locals_)
    load = " ".join(
        f"(local.set {i} (v128.load (i32.const {i * 16 % 60000})))" for i in range(1, locals_)
    )
    store = " ".join(
        f"(v128.store (i32.const {i * 16 % 60000}) (local.get {i}))" for i in range(1, locals_)
    )
    return f"(func $down (param i32) {decl} {load} (call $down (local.get 0)) {store})"


#: kind → a module whose step exhausts the call stack (or whose start function does).
RECURSIONS: dict[str, str] = {
    "direct": f'(module {MEMORY} (func $down (call $down)) (func (export "step") (call $down)))',
    "with-argument": f"(module {MEMORY} (func $down (param i64) "
    "(call $down (i64.add (local.get 0) (i64.const 1)))) "
    '(func (export "step") (call $down (i64.const 0))))',
    "mutual": f"(module {MEMORY} (func $a (call $b)) (func $b (call $a)) "
    '(func (export "step") (call $a)))',
    "indirect": f"(module {MEMORY} (type $v (func)) (table 1 funcref) (elem (i32.const 0) $down) "
    "(func $down (call_indirect (type $v) (i32.const 0))) "
    '(func (export "step") (call $down)))',
    "large-frame": f'(module {MEMORY} {_frame(500)} (func (export "step") '
    "(call $down (i32.const 1))))",
    "after-a-loop": f"(module {MEMORY} (func $down (local $i i32) "
    "(loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) "
    "(br_if $l (i32.lt_u (local.get $i) (i32.const 10)))) (call $down)) "
    '(func (export "step") (call $down)))',
    "start-function": f"(module {MEMORY} (func $down (call $down)) (start $down) "
    '(func (export "step")))',
    "after-host-calls": f"(module {_imports({'core_set': 6})} {MEMORY} "
    '(data (i32.const 0) "k") (func $down (call $down)) '
    '(func (export "step") (drop (call $core_set (i32.const 0) (i32.const 1) '
    "(i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))) (call $down)))",
}


@pytest.mark.req("WASM-015.1", "WASM-021")
@pytest.mark.parametrize("kind", sorted(RECURSIONS))
def test_exhausting_the_call_stack_fails_trap(impl: Implementation, kind: str) -> None:
    """Unbounded recursion exhausts the host's call stack long before the fuel (each
    level costs a few units): the step fails ``trap`` — not ``memory-limit`` (the stack is
    no memory of the guest's), not ``fuel-exhausted`` — at every attempt, and leaves no
    step (WASM-021)."""
    wasm = bytes(wasmtime.wat2wasm(RECURSIONS[kind]))
    runtime = _open(impl, clause="WASM-015.1")
    actor = _genesis(impl, runtime, wasm, clause="WASM-015.1")
    for attempt in range(2):  # the second finds whatever the first left (a kept instance)
        run_ = call_ok(impl, "WASM-015.1", "wit-run", runtime=runtime, max_steps=1)
        check_equal(
            "WASM-015.1",
            {"steps": [], "failures": [[actor, "trap"]]},
            {"steps": run_["steps"], "failures": run_["failures"]},
            f"wit-run of a {kind} recursion (attempt {attempt + 1}): it exhausts the call "
            "stack, so no step and the failure trap",
        )
    head = call_ok(impl, "WASM-021", "wit-head", runtime=runtime, actor=actor).get("step")
    check_equal("WASM-021", None, head, "the head after steps that trapped: none, no effect")
    call_ok(impl, "WASM-015.1", "wit-close", runtime=runtime)


@pytest.mark.req("WASM-015.1", "WASM-021")
@pytest.mark.parametrize("kind", ["direct", "large-frame"])
def test_exhausting_the_call_stack_on_a_message_fails_trap(impl: Implementation, kind: str) -> None:
    """The genesis step succeeds; the step of a message writes an entry, then recurses
    without end: ``trap``, the head stays the genesis step, the message stays pending."""
    down = "(func $down (call $down))" if kind == "direct" else _frame(500)
    arg = "" if kind == "direct" else "(i32.const 1)"
    wat = (
        f"(module {_imports({'msg_count': 0, 'core_set': 6})} {MEMORY} "
        f'(data (i32.const 0) "k") {down} (func (export "step") (if (call $msg_count) (then '
        "(drop (call $core_set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1) "
        f"(i32.const 0) (i32.const 0))) (call $down {arg})))))"
    )
    runtime = _open(impl, clause="WASM-015.1")
    actor = _genesis(impl, runtime, bytes(wasmtime.wat2wasm(wat)), clause="WASM-015.1")
    check_equal(
        "WASM-015.1",
        [],
        _failures(impl, runtime, clause="WASM-015.1"),
        "the genesis step's failures (it reads no message, so it does not recurse)",
    )
    genesis = call_ok(impl, "WASM-015.1", "wit-head", runtime=runtime, actor=actor)["step"]
    call_ok(
        impl, "WASM-015.1", "wit-send", runtime=runtime, to=actor, mt="go", content={"blob": "01"}
    )
    for attempt in range(2):
        failures = _failures(impl, runtime, clause="WASM-015.1")
        check_equal(
            "WASM-015.1",
            [[actor, "trap"]],
            failures,
            f"the failures of a {kind} recursion on a message's step (attempt {attempt + 1})",
        )
    check_equal(
        "WASM-021",
        genesis,
        call_ok(impl, "WASM-021", "wit-head", runtime=runtime, actor=actor)["step"],
        "the head after the message's steps trapped: still the genesis step",
    )
    call_ok(impl, "WASM-015.1", "wit-close", runtime=runtime)


@pytest.mark.req("WASM-015.1", "WASM-014.1")
@pytest.mark.parametrize("kind", ["direct", "mutual", "large-frame"])
@pytest.mark.req("CONV-004")
def test_exhausting_the_call_stack_in_a_query_fails_trap(impl: Implementation, kind: str) -> None:
    """A query is a call too (WASM-016): unbounded recursion in it fails ``trap``."""
    funcs = {
        "direct": "(func $down (call $down))",
        "mutual": "(func $down (call $b)) (func $b (call $down))",
        "large-frame": _frame(500),
    }[kind]
    arg = "(i32.const 1)" if kind == "large-frame" else ""
    wat = (
        f'(module {MEMORY} {funcs} (func (export "step")) '
        f'(func (export "query") (call $down {arg})))'
    )
    runtime = _open(impl, clause="WASM-015.1")
    actor = _genesis(impl, runtime, bytes(wasmtime.wat2wasm(wat)), clause="WASM-015.1")
    check_equal(
        "WASM-015.1", [], _failures(impl, runtime, clause="WASM-015.1"), "the genesis's failures"
    )
    reply = impl.call("wit-query", runtime=runtime, actor=actor, name="q")
    error_answer(
        reply, "WASM-015.1", "trap", f"wit-query of a {kind} recursion: it exhausts the call stack"
    )
    call_ok(impl, "WASM-015.1", "wit-close", runtime=runtime)


#: kind → a step that runs out of fuel (each far past twice the limit) without
#: exhausting anything else.
FUEL_OUTS: dict[str, str] = {
    "loop": f'(module {MEMORY} (func (export "step") (loop $l (br $l))))',
    "host-calls": f"(module {_imports({'msg_count': 0})} {MEMORY} "
    '(func (export "step") (loop $l (drop (call $msg_count)) (br $l))))',
    "shallow-recursion": f"(module {MEMORY} (func $down (param i32) (local $i i32) "
    "(loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) "
    "(br_if $l (i32.lt_u (local.get $i) (i32.const 5000000)))) "
    "(if (i32.lt_u (local.get 0) (i32.const 100)) (then "
    "(call $down (i32.add (local.get 0) (i32.const 1)))))) "
    '(func (export "step") (call $down (i32.const 0))))',
    "start-function": f"(module {MEMORY} (func $spin (loop $l (br $l))) (start $spin) "
    '(func (export "step")))',
}


@pytest.mark.req("WASM-020.1")
@pytest.mark.parametrize("kind", sorted(FUEL_OUTS))
def test_running_out_of_fuel_fails_fuel_exhausted(impl: Implementation, kind: str) -> None:
    """An endless loop, an endless loop of host calls, a recursion 100 levels deep whose
    every level spins 40 M units (4 000 M in all; far from any call stack's end), and an
    endless start function: ``fuel-exhausted``, not ``trap``."""
    runtime = _open(impl, clause="WASM-020.1")
    actor = _genesis(impl, runtime, bytes(wasmtime.wat2wasm(FUEL_OUTS[kind])), clause="WASM-020.1")
    failures = _failures(impl, runtime, clause="WASM-020.1")
    check_equal(
        "WASM-020.1",
        [[actor, "fuel-exhausted"]],
        failures,
        f"the failures of a step that runs out of fuel ({kind})",
    )
    call_ok(impl, "WASM-020.1", "wit-close", runtime=runtime)


@pytest.mark.req("WASM-017.1", "WASM-017.2", "WASM-016")
@pytest.mark.inputs("largest", "past-largest")
def test_growing_past_the_limits_returns_minus_1_and_the_step_goes_on(
    impl: Implementation,
) -> None:
    """From 1 page: grow by 256 (to 257) → -1, by 2³²−1 → -1, by 255 (to 256) → 1, by 1
    more → -1, size 256; a table of 1: grow by 10 000 → -1, by 9 999 → 1, by 1 → -1,
    size 10 000.  The step succeeds and saves the results (each as 4 bytes)."""
    results = [
        "(memory.grow (i32.const 256))",
        "(memory.grow (i32.const -1))",
        "(memory.grow (i32.const 255))",
        "(memory.grow (i32.const 1))",
        "(memory.size)",
        "(table.grow (ref.null func) (i32.const 10000))",
        "(table.grow (ref.null func) (i32.const 9999))",
        "(table.grow (ref.null func) (i32.const 1))",
        "(table.size)",
    ]
    stores = " ".join(
        f"(i32.store (i32.const {64 + 4 * i}) {expr})" for i, expr in enumerate(results)
    )
    wat = (
        f"(module {_imports({'core_set': 6})} {MEMORY} (table 1 funcref) "
        '(data (i32.const 0) "grown") '
        f'(func (export "step") {stores} (drop (call $core_set (i32.const 0) (i32.const 5) '
        f"(i32.const 64) (i32.const {4 * len(results)}) (i32.const 0) (i32.const 0)))))"
    )
    runtime = _open(impl, clause="WASM-017.1")
    actor = _genesis(impl, runtime, bytes(wasmtime.wat2wasm(wat)), clause="WASM-017.1")
    failures = _failures(impl, runtime, clause="WASM-017.1")
    check_equal("WASM-017.1", [], failures, "the failures of a step whose grows are refused (none)")
    data = _entry(impl, runtime, actor, "grown", clause="WASM-017.1")
    call_ok(impl, "WASM-017.1", "wit-close", runtime=runtime)
    expected = [-1, -1, 1, -1, 256, -1, 1, -1, 10_000]
    if data is None or len(data) != 36:
        fail(
            "WASM-017.1",
            expected="36 bytes: the nine results, 4 bytes each",
            came=data,
            what="the entry grown the step wrote",
        )
    found = [int.from_bytes(data[i : i + 4], "little", signed=True) for i in range(0, 36, 4)]
    check_equal(
        ("WASM-017.1", "WASM-017.2", "WASM-016"),
        expected,
        found,
        "the results of memory.grow / table.grow past 256 pages / 10 000 elements (-1, the "
        "size unchanged) and within them, then the sizes",
    )


@pytest.mark.req("WASM-015.1", "WASM-017.1")
@pytest.mark.parametrize("pages", [1, 256])
def test_an_access_past_a_refused_grow_fails_trap(impl: Implementation, pages: int) -> None:
    """A step grows past the limit (refused), then loads past its memory's end: the load
    traps → ``trap``, not ``memory-limit``."""
    wat = (
        f'(module (memory (export "memory") {pages}) (func (export "step") '
        f"(drop (memory.grow (i32.const {257 - pages + 1}))) "
        f"(drop (i32.load (i32.const {pages * 65536 - 2})))))"
    )
    runtime = _open(impl, clause="WASM-015.1")
    actor = _genesis(impl, runtime, bytes(wasmtime.wat2wasm(wat)), clause="WASM-015.1")
    failures = _failures(impl, runtime, clause="WASM-015.1")
    check_equal(
        "WASM-015.1",
        [[actor, "trap"]],
        failures,
        f"the failures of a load past a {pages}-page memory after a refused grow",
    )
    call_ok(impl, "WASM-015.1", "wit-close", runtime=runtime)


#: kind → (a module whose minimum is at or past a limit, the step's expected class).
MINIMUMS: dict[str, tuple[str, str | None]] = {
    "memory-256": ('(memory (export "memory") 256)', None),
    "memory-257": ('(memory (export "memory") 257)', "memory-limit"),
    "table-10000": (f"{MEMORY} (table 10000 funcref)", None),
    "table-10001": (f"{MEMORY} (table 10001 funcref)", "memory-limit"),
}


@pytest.mark.req("WASM-017.3", "WASM-016")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("kind", sorted(MINIMUMS))
def test_a_minimum_past_the_limits_fails_memory_limit(impl: Implementation, kind: str) -> None:
    body, expected = MINIMUMS[kind]
    wat = f'(module {body} (func (export "step")))'
    runtime = _open(impl, clause="WASM-017.3")
    actor = _genesis(impl, runtime, bytes(wasmtime.wat2wasm(wat)), clause="WASM-017.3")
    failures = _failures(impl, runtime, clause="WASM-017.3")
    check_equal(
        "WASM-017.3",
        [] if expected is None else [[actor, expected]],
        failures,
        f"the failures of a module whose minimum is {kind}",
    )
    call_ok(impl, "WASM-017.3", "wit-close", runtime=runtime)

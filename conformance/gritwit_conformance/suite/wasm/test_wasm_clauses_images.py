"""Image actors, clause by clause: what a restore sets and keeps, what a failed step loses.

A generated image actor (``_keeper``) counts its steps in an exported mutable global, in
a global that is not exported and in its memory, and reads its table; its start function
sets the hidden global to 100. The image counter of ``conformance/wasm/image`` takes
planted images whose ``globals`` name other globals or leave one out, or lack ``pages``.
Every run is compared with the in-process reference. WASM-024.1 … WASM-027.1.
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

import gritwit as g
from gritwit_conformance.data._paths import wasm_dir
from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import Clause, call_ok, check, check_equal, check_type, fail

pytestmark = pytest.mark.profile("wasm")

COUNTER = (wasm_dir() / "image" / "image_counter.wasm").read_bytes()


KEEPER = bytes(
    wasmtime.wat2wasm(
        """
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))
  (type $r (func (result i32)))
  (memory (export "memory") 1)
  (global $e (export "e") (mut i32) (i32.const 0))
  (global $h (mut i32) (i32.const 0))
  (table $t 2 funcref)
  (elem (i32.const 0) $one)
  (elem declare func $two)
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (data (i32.const 200) "eh")
  (start $start)
  (func $start (global.set $h (i32.const 100)))
  (func (export "step")
    (global.set $e (i32.add (global.get $e) (i32.const 1)))
    (global.set $h (i32.add (global.get $h) (i32.const 1)))
    (i32.store8 (i32.const 100) (global.get $e))
    (i32.store8 (i32.const 101) (global.get $h))
    (i32.store8 (i32.const 102) (call_indirect (type $r) (i32.const 0)))
    (table.set $t (i32.const 0) (ref.func $two))
    (drop (call $core_set (i32.const 200) (i32.const 2) (i32.const 100) (i32.const 3)
                          (i32.const 0) (i32.const 0)))
    (if (call $msg_count)
      (then (drop (call $mark_read (i32.sub (call $msg_count) (i32.const 1))))))
    (if (i32.ge_u (call $msg_count) (i32.const 2)) (then unreachable)))
  (func (export "query")
    (i32.store8 (i32.const 103) (global.get $e))
    (drop (call $answer (i32.const 100) (i32.const 4) (i32.const 0) (i32.const 0)))))
"""
    )
)


def _keeper_runs(impl: Implementation) -> tuple[list[Any], list[str]]:
    """Genesis, one message, then two in one step (which traps); the query after each."""
    clause = "WASM-025.1"
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=KEEPER.hex(), state={"image": ""}
    )
    actor = str(made["actor"])
    runs: list[Any] = []
    answers: list[str] = []
    for count in (0, 1, 2):
        for _ in range(count):
            call_ok(
                impl, clause, "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            )
        run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
        runs.append((run["steps"], [f[1] for f in run["failures"]]))
        answers.append(
            call_ok(impl, clause, "wit-query", runtime=runtime, actor=actor, name="q")["data"]
        )
    call_ok(impl, clause, "wit-close", runtime=runtime)
    return runs, answers


@pytest.mark.smoke
@pytest.mark.req(
    "WASM-025.1",
    "WASM-025.5",
    "WASM-025.7",
    "WASM-026.5",
    "WASM-027.1",
    "WASM-005.2",
    "WASM-021",
    "WASM-027.2",
)
def test_a_restore_skips_start_keeps_hidden_state_and_a_failed_step_stores_nothing(
    impl: Implementation,
) -> None:
    runs, answers = _keeper_runs(impl)
    oracle = InProcess()
    try:
        check_equal(
            "WASM-025.1",
            _keeper_runs(oracle),
            (runs, answers),
            "the runs' [steps, failures] and the queries' answers, as the reference's",
        )
    finally:
        oracle.close()
    check_equal(
        "WASM-021",
        [[], [], ["trap"]],
        [failures for _, failures in runs],
        "the failure classes of the three runs: the step reading two messages traps",
    )
    # [memory: e, hidden h, table slot 0] as the head's step left them, then e restored.
    check_equal(
        ("WASM-025.7", "WASM-005.2"),
        "01650101",
        answers[0],
        "the query after the first step: the start function ran (h = 100 + 1)",
    )
    check_equal(
        ("WASM-025.1", "WASM-025.5"),
        "02010102",
        answers[1],
        "the query after the second step: a restore runs no start function, and the hidden "
        "global and the table keep the values instantiation gives them",
    )
    check_equal(
        ("WASM-026.5", "WASM-021"),
        answers[1],
        answers[2],
        "the query after the step that trapped: the same, the failed step stored nothing",
    )


def _entry(impl: Implementation, runtime: str, actor: str, name: str, clause: Clause) -> bytes:
    """The data of the blob ``name`` in the core of the actor's head."""

    def get(oid: str) -> g.GritObject:
        raw = call_ok(impl, clause, "wit-object", runtime=runtime, id=oid)["bytes"]
        return g.decode_object(bytes.fromhex(raw))

    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    step = check_type(clause, get(head), g.Step, expected="a step", what="the head")
    core = check_type(clause, get(step.core.hex()), g.Tree, expected="a tree", what="its core")
    if name not in core.entries:
        fail(clause, expected=f"an entry {name}", came=sorted(core.entries), what="its core")
    blob = get(core.entries[name].hex())
    return check_type(clause, blob, g.Blob, expected="a blob", what=f"its entry {name}").data


def _counter(impl: Implementation, clause: Clause) -> tuple[str, str]:
    """A runtime and an image counter that appended ab; ``clause`` is the calling
    test's, which a refused command breaks."""
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=COUNTER.hex(), state={"image": ""}
    )
    actor = str(made["actor"])
    call_ok(
        impl, clause, "wit-send", runtime=runtime, to=actor, mt="append", content={"blob": "6162"}
    )
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=10)
    check_equal(clause, [], run["failures"], "the counter's first steps' failures")
    return runtime, actor


def _replace(
    impl: Implementation,
    runtime: str,
    actor: str,
    image: dict[str, Any],
    part: str = "",
    *,
    clause: Clause,
) -> list[Any]:
    """Replaces the image, or its entry ``part``, by ``image``; then appends c.

    An update merges trees, so the entry is first set to a blob, then to the tree.
    """
    for content in ({"blob": ""}, image):
        inner = {"tree": {part: content}} if part else content
        update = {"tree": {"image": inner}}
        call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="update", content=update)
        run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=10)
        check_equal(clause, [], run["failures"], "the update's failures (merged, no module call)")
    call_ok(
        impl, clause, "wit-send", runtime=runtime, to=actor, mt="append", content={"blob": "63"}
    )
    failures: list[Any] = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=10)[
        "failures"
    ]
    return failures


def _u(value: int, size: int) -> dict[str, Any]:
    return {"blob": value.to_bytes(size, "little").hex()}


@pytest.mark.req("WASM-024.1")
def test_an_image_tree_without_pages_is_invalid_image(impl: Implementation) -> None:
    runtime, actor = _counter(impl, "WASM-024.1")
    image = {"tree": {"globals": {"tree": {"count": _u(5, 8), "length": _u(0, 4)}}}}
    failures = _replace(impl, runtime, actor, image, clause="WASM-024.1")
    check_equal(
        "WASM-024.1",
        [[actor, "invalid-image"]],
        failures,
        "the failures of the step after the image lost its pages entry",
    )


#: globals trees an image may hold → the queries' answers after "c" is appended.
GLOBALS: dict[str, tuple[dict[str, Any], dict[str, bytes]]] = {
    "an-unknown-name-is-ignored": (
        {"count": _u(41, 8), "length": _u(0, 4), "nope": _u(7, 4), "other": _u(7, 8)},
        {"count": b"42", "buffer": b"c"},
    ),
    "a-left-out-global-keeps-its-initial-value": (
        {"count": _u(41, 8)},
        {"count": b"42", "buffer": b"c"},
    ),
    "a-name-of-a-hidden-global-is-ignored": (
        {"count": _u(41, 8), "length": _u(0, 4), "started": _u(1, 4)},
        {"count": b"42", "buffer": b"c", "starts": b"1"},
    ),
}


@pytest.mark.req("WASM-024.6", "WASM-025.4", "WASM-025.5")
@pytest.mark.parametrize("name", sorted(GLOBALS))
def test_globals_naming_other_globals_or_leaving_one_out(impl: Implementation, name: str) -> None:
    """The image's globals tree replaced by the case's; then c is appended at ``length``."""
    entries, expected = GLOBALS[name]
    runtime, actor = _counter(impl, "WASM-025.4")
    failures = _replace(impl, runtime, actor, {"tree": entries}, "globals", clause="WASM-025.4")
    check_equal(
        ("WASM-025.4", "WASM-024.6"),
        [],
        failures,
        f"the failures of the step after the globals tree became {name}",
    )
    for query, data in expected.items():
        answer = call_ok(impl, "WASM-025.4", "wit-query", runtime=runtime, actor=actor, name=query)
        check_equal(
            ("WASM-025.4", "WASM-025.5"),
            data.hex(),
            answer.get("data"),
            f"the answer to query {query} ({name})",
        )


#: A step loop of this many iterations costs 8 units each (WASM-019): 40 000 000 in all.
ITERATIONS = 5_000_000
BIG = bytes(
    wasmtime.wat2wasm(
        f"""
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "step") (local $i i32)
    (if (i32.eq (memory.size) (i32.const 1))
      (then
        (drop (memory.grow (i32.const 255)))
        (loop $page
          (i32.store8 (i32.mul (local.get $i) (i32.const 65536)) (i32.const 1))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $page (i32.lt_u (local.get $i) (i32.const 256))))))
    (local.set $i (i32.const 0))
    (loop $burn
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $burn (i32.lt_u (local.get $i) (i32.const {ITERATIONS}))))
    (if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))))
"""
    )
)


@pytest.mark.smoke
@pytest.mark.req("WASM-025.6", "WASM-020.2", "WASM-028")
@pytest.mark.inputs("largest")
def test_restoring_a_full_image_costs_no_fuel(impl: Implementation) -> None:
    """256 non-zero chunks restored, then 40 000 000 units of work: within half the limit."""
    clause = "WASM-025.6"
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=BIG.hex(), state={"image": ""}
    )
    actor = str(made["actor"])
    for count in (0, 1):
        if count:
            call_ok(
                impl, clause, "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            )
        run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
        check(
            ("WASM-025.6", "WASM-020.2"),
            run["failures"] == [] and len(run["steps"]) == 1,
            expected="one step, no failure: restoring 256 pages costs no fuel, so 40 000 000 "
            "units of work stay within half the limit",
            came=run,
            what=f"wit-run of step {count + 1}",
        )
    call_ok(impl, clause, "wit-close", runtime=runtime)


ZEROER = bytes(
    wasmtime.wat2wasm(
        """
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 300) "X")
  (func (export "step")
    (i32.store8 (i32.const 400) (i32.const 120))
    (drop (call $core_set (i32.const 400) (i32.const 1) (i32.const 300) (i32.const 1)
                          (i32.const 0) (i32.const 0)))
    (i32.store8 (i32.const 300) (i32.const 0))
    (i32.store8 (i32.const 400) (i32.const 0))
    (if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))))
"""
    )
)


@pytest.mark.req("WASM-025.3", "WASM-024.5")
def test_a_restore_zeroes_a_page_the_image_omits_despite_a_data_segment(
    impl: Implementation,
) -> None:
    """Step 1 saves byte 300 (the data segment's X) as x and zeroes its memory.

    Its image has no chunk, so step 2 must see byte 300 as zero, not the data segment's.
    """
    clause = "WASM-025.3"
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=ZEROER.hex(), state={"image": ""}
    )
    actor = str(made["actor"])
    seen = []
    for count in (0, 1):
        if count:
            call_ok(
                impl, clause, "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            )
        run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
        check_equal(clause, [], run["failures"], f"the failures of step {count + 1}")
        seen.append(_entry(impl, runtime, actor, "x", clause).hex())
    check_equal(
        ("WASM-025.3", "WASM-024.5"),
        [b"X".hex(), "00"],
        seen,
        "byte 300 in steps 1 and 2 (hex): the data segment's X, then zero, as the image "
        "holds no chunk for its page",
    )

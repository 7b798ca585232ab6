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

from .._check import check_equal

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
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call(
            "wit-genesis", runtime=runtime, module=KEEPER.hex(), state={"image": ""}
        ).expect_ok()["actor"]
    )
    runs, answers = [], []
    for count in (0, 1, 2):
        for _ in range(count):
            impl.call(
                "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            ).expect_ok()
        run = impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok()
        runs.append((run["steps"], [f[1] for f in run["failures"]]))
        answers.append(
            impl.call("wit-query", runtime=runtime, actor=actor, name="q").expect_ok()["data"]
        )
    impl.call("wit-close", runtime=runtime).expect_ok()
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
    assert [failures for _, failures in runs] == [[], [], ["trap"]], runs
    # [memory: e, hidden h, table slot 0] as the head's step left them, then e restored.
    assert answers[0] == "01650101", "first step: the start function ran (h = 100 + 1)"
    assert answers[1] == "02010102", (
        "a restore runs no start function, and the hidden global and the table keep the "
        f"values instantiation gives them: {answers[1]}"
    )
    assert answers[2] == answers[1], f"a step that trapped stored its changes: {answers[2]}"


def _entry(impl: Implementation, runtime: str, actor: str, name: str) -> bytes:
    """The data of the blob ``name`` in the core of the actor's head."""

    def get(oid: str) -> g.GritObject:
        raw = impl.call("wit-object", runtime=runtime, id=oid).expect_ok()["bytes"]
        return g.decode_object(bytes.fromhex(raw))

    step = get(impl.call("wit-head", runtime=runtime, actor=actor).expect_ok()["step"])
    assert isinstance(step, g.Step)
    core = get(step.core.hex())
    assert isinstance(core, g.Tree)
    blob = get(core.entries[name].hex())
    assert isinstance(blob, g.Blob)
    return blob.data


def _counter(impl: Implementation) -> tuple[str, str]:
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call(
            "wit-genesis", runtime=runtime, module=COUNTER.hex(), state={"image": ""}
        ).expect_ok()["actor"]
    )
    impl.call(
        "wit-send", runtime=runtime, to=actor, mt="append", content={"blob": "6162"}
    ).expect_ok()
    assert impl.call("wit-run", runtime=runtime, max_steps=10).expect_ok()["failures"] == []
    return runtime, actor


def _replace(
    impl: Implementation, runtime: str, actor: str, image: dict[str, Any], part: str = ""
) -> list[Any]:
    """Replaces the image, or its entry ``part``, by ``image``; then appends c.

    An update merges trees, so the entry is first set to a blob, then to the tree.
    """
    for content in ({"blob": ""}, image):
        inner = {"tree": {part: content}} if part else content
        update = {"tree": {"image": inner}}
        impl.call("wit-send", runtime=runtime, to=actor, mt="update", content=update).expect_ok()
        assert impl.call("wit-run", runtime=runtime, max_steps=10).expect_ok()["failures"] == []
    impl.call(
        "wit-send", runtime=runtime, to=actor, mt="append", content={"blob": "63"}
    ).expect_ok()
    failures: list[Any] = impl.call("wit-run", runtime=runtime, max_steps=10).expect_ok()[
        "failures"
    ]
    return failures


def _u(value: int, size: int) -> dict[str, Any]:
    return {"blob": value.to_bytes(size, "little").hex()}


@pytest.mark.req("WASM-024.1")
def test_an_image_tree_without_pages_is_invalid_image(impl: Implementation) -> None:
    runtime, actor = _counter(impl)
    image = {"tree": {"globals": {"tree": {"count": _u(5, 8), "length": _u(0, 4)}}}}
    failures = _replace(impl, runtime, actor, image)
    assert failures == [[actor, "invalid-image"]], failures


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
    runtime, actor = _counter(impl)
    assert _replace(impl, runtime, actor, {"tree": entries}, "globals") == []
    for query, data in expected.items():
        answer = impl.call("wit-query", runtime=runtime, actor=actor, name=query).expect_ok()[
            "data"
        ]
        assert bytes.fromhex(answer) == data, f"{name}: query {query} answered {answer}"


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
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call(
            "wit-genesis", runtime=runtime, module=BIG.hex(), state={"image": ""}
        ).expect_ok()["actor"]
    )
    for count in (0, 1):
        if count:
            impl.call(
                "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            ).expect_ok()
        run = impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok()
        assert run["failures"] == [] and len(run["steps"]) == 1, f"step {count}: {run}"
    impl.call("wit-close", runtime=runtime).expect_ok()


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
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call(
            "wit-genesis", runtime=runtime, module=ZEROER.hex(), state={"image": ""}
        ).expect_ok()["actor"]
    )
    seen = []
    for count in (0, 1):
        if count:
            impl.call(
                "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            ).expect_ok()
        assert impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok()["failures"] == []
        seen.append(_entry(impl, runtime, actor, "x"))
    assert seen == [b"X", b"\x00"], f"byte 300 in steps 1 and 2: {seen}"

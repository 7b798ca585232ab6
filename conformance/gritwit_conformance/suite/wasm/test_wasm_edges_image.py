"""Image capture and restore at their edges (WASM-024 … WASM-026).

Small image actors (core entry ``image`` = the empty blob at genesis) take a genesis
step and then one step per message, so that every step after the first restores the
image the previous one captured. The image trees are read back through ``wit-object``
and compared with images built here from the chapter's rules (bit patterns of each
global type, negative integers, NaNs, zero pages); every scenario also runs on the
in-process reference, whose steps and failures the implementation's must equal.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest
import wasmtime

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import Clause, call_ok, check_equal, check_type
from .._check_more import check_same, plain

pytestmark = pytest.mark.profile("wasm")

PAGE = 65536
CANONICAL_F32_NAN = b"\x00\x00\xc0\x7f"


def _scenario(
    impl: Implementation,
    wasm: bytes,
    messages: int,
    updates: list[dict[str, Any]],
    clause: Clause,
) -> tuple[list[Any], str, str]:
    """Genesis, ``updates`` of the core (WIT-013), then ``messages`` steps: every run,
    each answer checked to be a value under ``clause``."""
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    state = {"image": ""}
    genesis = call_ok(impl, clause, "wit-genesis", runtime=runtime, module=wasm.hex(), state=state)
    actor = str(genesis["actor"])
    runs = [call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)]
    for update in updates:
        call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="update", content=update)
        runs.append(call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1))
    for _ in range(messages):
        content = {"blob": "01"}
        call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="go", content=content)
        runs.append(call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1))
    return [(run["steps"], run["failures"]) for run in runs], runtime, actor


def _run(
    impl: Implementation,
    wat: str,
    clause: Clause,
    messages: int = 1,
    updates: list[dict[str, Any]] | None = None,
) -> tuple[list[Any], str, str]:
    """:func:`_scenario` on ``impl``, checked against the reference's runs under ``clause``."""
    wasm = bytes(wasmtime.wat2wasm(wat))
    runs, runtime, actor = _scenario(impl, wasm, messages, updates or [], clause)
    oracle = InProcess()
    try:
        expected, _, _ = _scenario(oracle, wasm, messages, updates or [], clause)
    finally:
        oracle.close()
    check_equal(clause, expected, runs, "the runs' [steps, failures], as the reference's")
    return runs, runtime, actor


def _object(
    impl: Implementation, runtime: str, oid: g.ObjectId | str, clause: Clause
) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    raw = call_ok(impl, clause, "wit-object", runtime=runtime, id=text)["bytes"]
    return g.decode_object(bytes.fromhex(raw))


def _core(impl: Implementation, runtime: str, actor: str, clause: Clause) -> g.Tree:
    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    step = check_type(
        clause,
        _object(impl, runtime, head, clause),
        g.Step,
        expected="a step",
        what="the actor's head",
    )
    return check_type(
        clause,
        _object(impl, runtime, step.core, clause),
        g.Tree,
        expected="a tree",
        what="the core of the actor's head",
    )


def _image_id(pages: int, globals_: dict[str, bytes], chunks: dict[int, bytes]) -> g.ObjectId:
    """The image tree WASM-024 prescribes."""
    entries = {"pages": g.object_id(g.Blob(data=pages.to_bytes(4, "little")))}
    if chunks:
        memory = {f"{i:05d}": g.object_id(g.Blob(data=data)) for i, data in chunks.items()}
        entries["memory"] = g.object_id(g.Tree(entries=memory))
    if globals_:
        named = {name: g.object_id(g.Blob(data=bits)) for name, bits in globals_.items()}
        entries["globals"] = g.object_id(g.Tree(entries=named))
    return g.object_id(g.Tree(entries=entries))


GLOBALS = (
    '(global $a (export "a32") (mut i32) (i32.const -2)) '
    '(global $b (export "b64") (mut i64) (i64.const -3)) '
    '(global $c (export "c32") (mut f32) (f32.const 1.5)) '
    '(global $d (export "d64") (mut f64) (f64.const -2.25)) '
    '(global $n (export "nan") (mut f32) (f32.const 0)) '
    '(global (export "fixed") i32 (i32.const 7)) '
)
STEP = (
    '(func (export "step") '
    "(global.set $a (i32.sub (global.get $a) (i32.const 1))) "
    "(global.set $b (i64.sub (global.get $b) (i64.const 1))) "
    "(global.set $c (f32.mul (global.get $c) (f32.const 2))) "
    "(global.set $d (f64.mul (global.get $d) (f64.const 2))) "
    "(global.set $n (f32.reinterpret_i32 (i32.const 0xffa00001))))"
)


def _globals(step: int) -> dict[str, bytes]:
    """The exported mutable globals after ``step`` steps, little-endian (WASM-024)."""
    return {
        "a32": struct.pack("<i", -2 - step),
        "b64": struct.pack("<q", -3 - step),
        "c32": struct.pack("<f", 1.5 * 2**step),
        "d64": struct.pack("<d", -2.25 * 2**step),
        "nan": CANONICAL_F32_NAN,
    }


@pytest.mark.req("WASM-024.6", "WASM-024.7", "WASM-025.2", "WASM-025.4", "WASM-026.1")
@pytest.mark.parametrize("pages", [0, 1, 2])
def test_globals_of_every_type_are_captured_and_restored(impl: Implementation, pages: int) -> None:
    """i32, i64, f32 and f64 globals, negative, fractional and NaN, over three steps.

    The memory is never written: the image is ``pages`` and ``globals`` only, also when
    the memory has no page at all or exactly its initial size (restored without growing).
    """
    wat = f'(module (memory (export "memory") {pages}) {GLOBALS} {STEP})'
    runs, runtime, actor = _run(impl, wat, "WASM-026.1", messages=2)
    check_equal(
        "WASM-026.1", [[], [], []], [failures for _, failures in runs], "the runs' failures"
    )
    image = _core(impl, runtime, actor, "WASM-026.1").entries["image"]
    expected = _image_id(pages, _globals(3), {})
    if image != expected:
        came = _object(impl, runtime, image, "WASM-026.1")
        check_same(
            "WASM-024.6",
            expected,
            image,
            f"the image after three steps, the one WASM-024 prescribes (came {plain(came)})",
        )


@pytest.mark.req("WASM-026.4")
@pytest.mark.parametrize(
    "global_",
    ["(mut v128) (v128.const i64x2 1 2)", "(mut funcref) (ref.null func)"],
    ids=["v128", "funcref"],
)
def test_a_mutable_global_of_another_type_fails_every_step(
    impl: Implementation, global_: str
) -> None:
    exported = f'(global (export "g") {global_})'
    wat = f'(module (memory (export "memory") 1) {exported} (func (export "step")))'
    runs, _, actor = _run(impl, wat, "WASM-026.4", messages=1)
    check_equal(
        "WASM-026.4",
        [[[actor, "invalid-image"]]] * 2,
        [failures for _, failures in runs],
        "the failures of the genesis step and of the next",
    )


@pytest.mark.req("WASM-025.3", "WASM-024.5", "WASM-026.1")
def test_restore_zeroes_the_initial_pages_the_image_omits(impl: Implementation) -> None:
    """A data segment writes ``hello`` at 0 on instantiation; every step clears it.

    Each step records bytes 0 … 4 in the core entry ``seen`` (its path lies on page 2
    of 3) and zeroes them, so pages 0 and 1 are all zero and the image holds chunk
    ``00002`` only: a restore MUST zero page 0, where instantiation wrote ``hello``, and
    the second step sees zeros.
    """
    wat = (
        '(module (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) '
        '(result i32))) (memory (export "memory") 3) (data (i32.const 0) "hello") '
        f'(data (i32.const {2 * PAGE + 100}) "seen") (func (export "step") '
        f"(drop (call $core_set (i32.const {2 * PAGE + 100}) (i32.const 4) (i32.const 0) "
        "(i32.const 5) (i32.const 0) (i32.const 0))) "
        "(memory.fill (i32.const 0) (i32.const 0) (i32.const 5))))"
    )
    runs, runtime, actor = _run(impl, wat, "WASM-025.3", messages=1)
    check_equal("WASM-025.3", [[], []], [failures for _, failures in runs], "the runs' failures")
    core = _core(impl, runtime, actor, "WASM-025.3")
    seen = _object(impl, runtime, core.entries["seen"], "WASM-025.3")
    seen = check_type("WASM-025.3", seen, g.Blob, expected="a blob", what="the entry seen")
    check_equal(
        "WASM-025.3",
        bytes(5),
        seen.data,
        "bytes 0 … 4 the second step saw: page 0 zeroed by the restore",
    )
    chunk = bytearray(PAGE)
    chunk[100:104] = b"seen"
    check_same(
        "WASM-024.5",
        _image_id(3, {}, {2: bytes(chunk)}),
        core.entries["image"],
        "the image: chunk 00002 alone, the zero pages omitted",
    )


@pytest.mark.req("WASM-024.1", "WASM-021")
@pytest.mark.parametrize("kept", ["memory", "globals"])
def test_an_image_tree_without_pages_is_invalid_image(impl: Implementation, kept: str) -> None:
    part = (
        {"memory": {"tree": {"00000": {"blob": "01" * PAGE}}}}
        if kept == "memory"
        else {"globals": {"tree": {"a32": {"blob": "01000000"}}}}
    )
    # an update merges trees (WIT-013): replace the image by a blob, then by the tree
    updates: list[dict[str, Any]] = [
        {"tree": {"image": {"blob": ""}}},
        {"tree": {"image": {"tree": part}}},
    ]
    wat = f'(module (memory (export "memory") 1) {GLOBALS} {STEP})'
    runs, _, actor = _run(impl, wat, "WASM-024.1", messages=1, updates=updates)
    check_equal("WASM-024.1", [[], []], [runs[1][1], runs[2][1]], "the failures of the updates")
    check_equal(
        "WASM-024.1",
        [[actor, "invalid-image"]],
        runs[3][1],
        f"the failures of the step after an image tree of {kept} alone, no pages",
    )

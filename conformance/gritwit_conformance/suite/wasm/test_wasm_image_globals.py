"""An image holds exported *mutable* globals only (WASM-024.6, WASM-024.7).

A generated image actor exports immutable globals, and optionally one mutable
global; after two steps its image must be the reference's: without a ``globals``
entry when no mutable global is exported, else naming only the mutable one.
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import call_ok, check, check_equal

pytestmark = pytest.mark.profile("wasm")


def _module(mutable: bool) -> bytes:
    extra = '(global (export "m") (mut i32) (i32.const 5))' if mutable else ""
    return bytes(
        wasmtime.wat2wasm(
            '(module (import "gritwit" "msg_count" (func $msg_count (result i32))) '
            '(import "gritwit" "mark_read" (func $mark_read (param i32) (result i32))) '
            '(memory (export "memory") 1) '
            '(global (export "k") i32 (i32.const 7)) (global (export "f") f64 (f64.const 1.5)) '
            f'{extra} (func (export "step") (i32.store8 (i32.const 9) (i32.const 1)) '
            "(if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))))"
        )
    )


def _image(impl: Implementation, wasm: bytes) -> tuple[list[Any], dict[str, Any]]:
    """Two steps' (steps, failures), and the names of the head's image entries."""
    clause = "WASM-024.6"
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=wasm.hex(), state={"image": ""}
    )
    actor = str(made["actor"])
    runs = []
    for count in (0, 1):
        if count:
            call_ok(
                impl, clause, "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            )
        run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
        runs.append((run["steps"], run["failures"]))
    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)
    call_ok(impl, clause, "wit-close", runtime=runtime)
    return runs, head


@pytest.mark.smoke
@pytest.mark.req("WASM-024.7", "WASM-024.6")
@pytest.mark.parametrize("mutable", [False, True], ids=["immutable-only", "one-mutable"])
def test_an_image_holds_only_exported_mutable_globals(impl: Implementation, mutable: bool) -> None:
    wasm = _module(mutable)
    found = _image(impl, wasm)
    check(
        "WASM-024.6",
        all(failures == [] for _, failures in found[0]),
        expected="two steps adopted, no failure",
        came=found[0],
        what="the image actor's two runs' [steps, failures]",
    )
    oracle = InProcess()
    try:
        check_equal(
            "WASM-024.6",
            _image(oracle, wasm),
            found,
            "the runs' [steps, failures] and the image, as the reference's",
        )
    finally:
        oracle.close()

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

from .._check import check_equal

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
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call(
            "wit-genesis", runtime=runtime, module=wasm.hex(), state={"image": ""}
        ).expect_ok()["actor"]
    )
    runs = []
    for count in (0, 1):
        if count:
            impl.call(
                "wit-send", runtime=runtime, to=actor, mt="m", content={"blob": ""}
            ).expect_ok()
        run = impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok()
        runs.append((run["steps"], run["failures"]))
    head = impl.call("wit-head", runtime=runtime, actor=actor).expect_ok()
    impl.call("wit-close", runtime=runtime).expect_ok()
    return runs, head


@pytest.mark.smoke
@pytest.mark.req("WASM-024.7", "WASM-024.6")
@pytest.mark.parametrize("mutable", [False, True], ids=["immutable-only", "one-mutable"])
def test_an_image_holds_only_exported_mutable_globals(impl: Implementation, mutable: bool) -> None:
    wasm = _module(mutable)
    found = _image(impl, wasm)
    assert all(failures == [] for _, failures in found[0]), found
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

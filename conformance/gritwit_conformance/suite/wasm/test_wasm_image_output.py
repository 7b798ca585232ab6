"""An image is not output: a step whose image holds more than the output limit succeeds.

A generated image actor fills 20 pages (1.25 MiB, above the 1 MiB output limit of
WASM-016) with non-zero bytes; its steps must succeed, as the reference's do, since the
image's blobs are objects of the step but not its output (WASM-026.2).
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import check_equal

pytestmark = pytest.mark.profile("wasm")

PAGES = 20  # 20 × 64 KiB > 1 MiB

FILLER = bytes(
    wasmtime.wat2wasm(
        f"""
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "step") (local $i i32)
    (if (i32.eq (memory.size) (i32.const 1))
      (then (drop (memory.grow (i32.const {PAGES - 1})))))
    (loop $page
      (i32.store8 (i32.mul (local.get $i) (i32.const 65536))
                  (i32.add (call $msg_count) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $page (i32.lt_u (local.get $i) (i32.const {PAGES}))))
    (if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))))
"""
    )
)


def _runs(impl: Implementation) -> list[Any]:
    """Genesis, then one message: two steps, each saving a 20-page image."""
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call(
            "wit-genesis", runtime=runtime, module=FILLER.hex(), state={"image": ""}
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
    impl.call("wit-close", runtime=runtime).expect_ok()
    return runs


@pytest.mark.smoke
@pytest.mark.req("WASM-026.2", "WASM-018.3")
def test_an_image_larger_than_the_output_limit_is_not_output(impl: Implementation) -> None:
    runs = _runs(impl)
    assert [failures for _, failures in runs] == [[], []], f"image counted as output: {runs}"
    assert all(len(steps) == 1 for steps, _ in runs), runs
    oracle = InProcess()
    try:
        check_equal(
            "WASM-026.2", _runs(oracle), runs, "the runs' [steps, failures], as the reference's"
        )
    finally:
        oracle.close()

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

from .._check import call_ok, check_equal

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
    clause = "WASM-026.2"
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=FILLER.hex(), state={"image": ""}
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
    call_ok(impl, clause, "wit-close", runtime=runtime)
    return runs


@pytest.mark.smoke
@pytest.mark.req("WASM-026.2", "WASM-018.3")
def test_an_image_larger_than_the_output_limit_is_not_output(impl: Implementation) -> None:
    runs = _runs(impl)
    check_equal(
        ("WASM-026.2", "WASM-018.3"),
        [[], []],
        [failures for _, failures in runs],
        "the failures of the two steps saving a 20-page image (1.25 MiB, past the output "
        "limit): none, the image is no output",
    )
    check_equal(
        "WASM-026.2",
        [1, 1],
        [len(steps) for steps, _ in runs],
        "the steps of the two runs: one each",
    )
    oracle = InProcess()
    try:
        check_equal(
            "WASM-026.2", _runs(oracle), runs, "the runs' [steps, failures], as the reference's"
        )
    finally:
        oracle.close()

"""A Wasm step's overrun is judged even where the runtime runs it inline (RUN-005.7).

RUN-005.7 lets a runtime run a Wasm Wit's transition where it holds up the other
actors, "with its overrun judged when it returns"; RUN-005.6 makes an attempt that
takes longer than the bound in effect fail. A step that counts down 15 million in a
loop stays inside the default fuel (WASM-019) and takes tens of milliseconds on any
machine and engine: under a bound of 1 ms every attempt fails and the actor is marked
failed (RUN-004.3, RUN-004.4); under a bound of 60 s the same step is adopted. The
reference once adopted it under 1 ms whenever its engine lane was idle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import wasmtime

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, fail

pytestmark = pytest.mark.profile("runtime", "wasm")  # a Wasm actor: both profiles (ADP-006)

#: RUN-004.3: attempts of a failing transition before its actor is marked failed.
ATTEMPTS = 5
STEP = """
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "step") (local $i i32)
    (local.set $i (i32.const 15000000))
    (if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))
    (loop $l (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br_if $l (local.get $i)))))
"""


def _run_slow_step(impl: Implementation, tmp_path: Path, time_limit: float) -> dict[str, Any]:
    opened = call_ok(
        impl, "RUN-005", "rt-open", path=str(tmp_path), time_limit=time_limit, first_delay=0
    )
    runtime = str(opened["runtime"])
    module = bytes(wasmtime.wat2wasm(STEP)).hex()
    actor = str(call_ok(impl, "RUN-005", "rt-genesis", runtime=runtime, module=module)["actor"])
    run = call_ok(impl, "RUN-005", "rt-run", runtime=runtime, max_steps=10)
    head = call_ok(impl, "RUN-005", "rt-head", runtime=runtime, actor=actor)
    return {"actor": actor, "run": run, "head": head.get("step")}


@pytest.mark.req("RUN-005.7", "RUN-005.6", "RUN-004.3", "RUN-004.4")
def test_a_wasm_step_longer_than_its_bound_fails_every_attempt(
    impl: Implementation, tmp_path: Path
) -> None:
    got = _run_slow_step(impl, tmp_path, 0.001)
    actor, run = got["actor"], got["run"]
    check(
        "RUN-005.7",
        got["head"] is None,
        expected="nothing (null)",
        came=got["head"],
        what=f"a Wasm step of tens of ms was adopted under a bound of 1 ms: {run}",
    )
    check_equal(
        "RUN-005.7",
        [actor] * ATTEMPTS,
        [a for a, _ in run["attempts"]],
        "the actors of rt-run's attempts",
    )
    check_equal(
        "RUN-005.7", [actor], [a for a, _ in run["failures"]], "the actors of rt-run's failures"
    )


@pytest.mark.req("RUN-005.7", "RUN-005.5")
def test_the_same_step_inside_its_bound_is_adopted(impl: Implementation, tmp_path: Path) -> None:
    got = _run_slow_step(impl, tmp_path, 60.0)
    if got["head"] is None:
        fail(
            "RUN-005.7",
            expected="a value",
            came=got["head"],
            what=f"the step was not adopted under 60 s: {got['run']}",
        )
    check_equal("RUN-005.7", [], got["run"]["failures"], "got's run's failures")

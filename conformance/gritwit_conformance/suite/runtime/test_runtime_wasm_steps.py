"""Wasm Wits on the runtime: what a step names and what it reads, through ``rt-*`` (ADP-015).

The test actors always read every message and name only objects they made, so two
cases reach the runtime only through a Wasm Wit (``rt-genesis`` with ``module``):

* a step whose new core links an object that no one stored must fail
  ``invalid-transition`` on the runtime exactly as under the executor (WIT-007.3):
  the runtime's reads (through whatever it keeps in memory) must not make an
  absent object look present, and after the last attempt the actor is marked
  failed with that class (RUN-004);
* a step that changes the core but reads nothing is adopted, and the actor is
  then idle until something new is pending (RUN-012): it is not run again in the
  same ``rt-run`` and ``rt-evict`` evicts it.

Every answer is compared with the in-process reference's, fed the same commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import wasmtime

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import Clause, check_equal
from ..wasm._calls import Call, Lowering, module

pytestmark = pytest.mark.profile("runtime", "wasm")  # Wasm actors: both profiles (ADP-006)

ABSENT = g.object_id(g.Blob(data=b"stored by no one (runtime)")).hex().encode()
IMPORTS = {"msg_count": 0, "core_set": 6, "core_link": 4, "mark_read": 1}


def _module(calls: list[Call], *, read: bool) -> bytes:
    """A module whose step makes ``calls``, marking every message read only if ``read``."""
    lowering = Lowering()
    body = ["(if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))"] if read else []
    body += lowering.calls(calls)
    return module(IMPORTS, lowering, {"step": body})


class _Both:
    """The implementation and the reference side by side; every answer must be the same."""

    def __init__(self, impl: Implementation, top: Path, *, clause: Clause) -> None:
        #: the clause every answer the implementation gives is judged by: the test's
        self.clause = clause
        self.sides: list[tuple[Implementation, str]] = []
        for name, side in (("impl", impl), ("ref", InProcess())):
            (top / name).mkdir()
            reply = side.call("rt-open", path=str(top / name))
            assert reply.ok, f"rt-open: {reply.error}"
            self.sides.append((side, str(reply.result["runtime"])))

    def __call__(self, cmd: str, **args: Any) -> dict[str, Any]:
        (mine, mine_rt), (ref, ref_rt) = self.sides
        want = ref.call(cmd, runtime=ref_rt, **args)
        got = mine.call(cmd, runtime=mine_rt, **args)
        expected = dict(want.result) if want.ok else {"error": want.error_class}
        answered = dict(got.result) if got.ok else {"error": got.error_class}
        check_equal(
            self.clause,
            expected,
            answered,
            f"{cmd} {str(args)[:120]}: the answer, as the reference's",
        )
        return expected

    def close(self) -> None:
        for side, _ in self.sides:
            side.kill()


@pytest.mark.req("WIT-007.3", "RUN-004.4")
def test_a_step_linking_an_absent_object_fails_invalid_transition(
    impl: Implementation, tmp_path: Path
) -> None:
    both = _Both(impl, tmp_path, clause="WIT-007.3")
    try:
        wasm = _module([("core_link", [b"l", ABSENT])], read=True)
        actor = both("rt-genesis", module=wasm.hex(), state={"a": "01"})["actor"]
        run = both("rt-run", max_steps=20)
        assert run["failures"] == [[actor, "invalid-transition"]], run  # WIT-007.3, RUN-004
    finally:
        both.close()


@pytest.mark.req("RUN-012.1", "WIT-008")
def test_a_step_that_reads_nothing_leaves_its_actor_idle(
    impl: Implementation, tmp_path: Path
) -> None:
    # The core entry ``n`` is the number of pending messages: it changes with each new
    # message, so a step is adopted, yet nothing is ever marked read.
    lowering = Lowering()
    body = [
        "(i32.store8 (i32.const 0) (call $msg_count))",
        f"(drop (call $core_set (i32.const {lowering.place(b'n')}) (i32.const 1) "
        "(i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))",
    ]
    counting = module(IMPORTS, lowering, {"step": body})
    both = _Both(impl, tmp_path, clause="RUN-012.1")
    try:
        actor = both("rt-genesis", module=counting.hex(), state={"a": "01"})["actor"]
        both("rt-run", max_steps=20)
        both("rt-events")
        both("rt-send", to=actor, mt="hi", content={"blob": "01"})
        run = both("rt-run", max_steps=20)
        assert len(run["steps"]) <= 1, f"the actor ran again with nothing new pending: {run}"
        both("rt-evict")
        both("rt-events")
    finally:
        both.close()


#: Imports a Wasm Wit might ask for to reach beyond its input and output (RUN-016):
#: a ref, a store write, a clock, a file.
REACHING: dict[str, tuple[str, str, str]] = {
    "read-a-ref": ("gritwit", "ref_get", "(param i32 i32 i32 i32) (result i32)"),
    "move-a-ref": ("gritwit", "ref_cas", "(param i32 i32 i32 i32 i32 i32) (result i32)"),
    "store-an-object": ("gritwit", "put_object", "(param i32 i32 i32 i32) (result i32)"),
    "read-a-clock": ("gritwit", "clock_now", "(result i64)"),
    "write-a-file": ("wasi_snapshot_preview1", "fd_write", "(param i32 i32 i32 i32) (result i32)"),
}


@pytest.mark.smoke
@pytest.mark.req("RUN-016.1", "RUN-016.2", "RUN-016.3", "WASM-002")
@pytest.mark.parametrize("name", sorted(REACHING))
def test_a_wasm_wit_importing_more_than_abi_1_never_runs(
    impl: Implementation, tmp_path: Path, name: str
) -> None:
    space, field, signature = REACHING[name]
    wat = (
        f'(module (import "{space}" "{field}" (func $f {signature})) '
        '(memory (export "memory") 1) (func (export "step")))'
    )
    wasm = bytes(wasmtime.wat2wasm(wat))
    both = _Both(impl, tmp_path, clause="RUN-016.1")
    try:
        actor = both("rt-genesis", module=wasm.hex(), state={})["actor"]
        run = both("rt-run", max_steps=20)
        assert run["steps"] == [] and [a for a, _ in run["failures"]] == [actor], (
            f"{name}: a module importing {space}.{field} must not run (RUN-016): {run}"
        )
    finally:
        both.close()


@pytest.mark.smoke
@pytest.mark.req("WASM-013.1", "RUN-016.2")
def test_a_guest_cannot_hand_the_host_an_encoded_object(
    impl: Implementation, tmp_path: Path
) -> None:
    """The host builds every object of a step (WASM-013.1): no import takes encoded bytes.

    A module that imports a ``put_object`` (pointer and length of an encoding) and
    stores through it at genesis must not run at all; its actor is marked failed
    with no step, exactly as the reference does.
    """
    wat = (
        '(module (import "gritwit" "put_object" (func $put (param i32 i32 i32 i32) (result i32)))'
        ' (memory (export "memory") 1) (data (i32.const 0) "\\41\\42")'
        ' (func (export "step") (drop (call $put (i32.const 0) (i32.const 2)'
        " (i32.const 64) (i32.const 32)))))"
    )
    both = _Both(impl, tmp_path, clause="WASM-013.1")
    try:
        actor = both("rt-genesis", module=bytes(wasmtime.wat2wasm(wat)).hex(), state={})["actor"]
        run = both("rt-run", max_steps=20)
        assert run["steps"] == [] and [a for a, _ in run["failures"]] == [actor], run
    finally:
        both.close()

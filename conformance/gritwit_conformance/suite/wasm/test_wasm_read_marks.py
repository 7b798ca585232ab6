"""Several read marks in one step: per sender, and each raises its sender's mark (WASM-010.1).

One step sees four messages of two senders: the outside's two (indices 0, 1: the outside's
id is all zeros, the first in id order, WASM-009.1) and two questions of a ``requester``
(indices 2, 3).  The guest marks a list of indices, in the order given; a step reads, of
each sender, its messages up to its highest mark (WASM-010.2), whichever came last.  A
misreading that keeps one mark per step (the last one), or that *sets* a sender's mark
where it must raise it, reads fewer; what it left unread the next step sees again.
"""

from __future__ import annotations

from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import call_ok, check_equal
from ._calls import Lowering, module
from .test_wasm_clauses_calls import ARITY, _entry

pytestmark = pytest.mark.profile("wasm")

#: The marks of the step that sees the four messages; in both orders where they differ.
MARKS: dict[str, tuple[int, ...]] = {
    "both-senders": (1, 3),
    "both-senders-reversed": (3, 1),
    "one-sender-up": (2, 3),
    "one-sender-down": (3, 2),
    "outside-down-then-requester": (1, 0, 2),
    "each-sender-down": (3, 1, 2, 0),
}


def _marking(marks: tuple[int, ...]) -> bytes:
    """Saves msg_count() as the entry n, then marks ``marks`` in order when 4 are visible."""
    lowering = Lowering()
    calls = " ".join(f"(drop (call $mark_read (i32.const {i})))" for i in marks)
    lines = [
        "(i32.store8 (i32.const 0) (call $msg_count))",
        f"(drop (call $core_set (i32.const {lowering.place(b'n')}) (i32.const 1) "
        "(i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))",
        f"(if (i32.eq (call $msg_count) (i32.const 4)) (then {calls}))",
        # any other step reads everything it sees, so the next one starts afresh
        "(if (i32.ne (call $msg_count) (i32.const 4)) (then (if (call $msg_count) (then "
        "(drop (call $mark_read (i32.sub (call $msg_count) (i32.const 1))))))))",
    ]
    return module(ARITY, lowering, {"step": lines})


def _scenario(impl: Implementation, marks: tuple[int, ...]) -> list[Any]:
    """(what each step saw, the steps and failures of each run)."""
    rule = "WASM-010.1"  # every answer of the scenario is checked to be a value under it
    runtime = str(call_ok(impl, rule, "wit-open")["runtime"])
    wasm = _marking(marks).hex()
    actor = str(call_ok(impl, rule, "wit-genesis", runtime=runtime, module=wasm, state={})["actor"])
    requester = str(call_ok(impl, rule, "wit-genesis", runtime=runtime, actor="requester")["actor"])
    runs = [call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=10)]  # the genesis steps
    for n in range(2):  # the requester's two questions, pending for the actor
        ask = {"tree": {"to": {"blob": actor.encode().hex()}, "question": {"blob": f"0{n}"}}}
        call_ok(impl, rule, "wit-send", runtime=runtime, to=requester, mt="ask", content=ask)
    runs.append(call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=1))  # the requester
    seen = []
    for batch in (2, 1):  # the outside's two, then one more after the marks
        for n in range(batch):
            content = {"blob": f"1{n}"}
            call_ok(impl, rule, "wit-send", runtime=runtime, to=actor, mt="hello", content=content)
        runs.append(call_ok(impl, rule, "wit-run", runtime=runtime, max_steps=1))
        seen.append(_entry(impl, runtime, actor, "n", rule)[0])
    return [seen, [(run["steps"], run["failures"]) for run in runs]]


def _left(marks: tuple[int, ...]) -> int:
    """Of the four, how many stay unread: per sender, past its highest mark."""
    outside = max((i for i in marks if i < 2), default=-1) + 1
    requester = max((i - 2 for i in marks if i >= 2), default=-1) + 1
    return (2 - outside) + (2 - requester)


@pytest.mark.req("WASM-010.1", "WASM-010.2", "WASM-010.3", "WASM-009.1")
@pytest.mark.parametrize("name", list(MARKS))
def test_the_marks_of_one_step_raise_each_senders_mark(impl: Implementation, name: str) -> None:
    marks = MARKS[name]
    seen, runs = _scenario(impl, marks)
    check_equal(
        "WASM-009.1", 4, seen[0], "msg_count() of the step seeing the four messages of two senders"
    )
    expected = _left(marks) + 1
    check_equal(
        "WASM-010.1",
        expected,
        seen[1],
        f"msg_count() of the next step after marking {list(marks)} (per sender, the "
        f"highest mark reads): the {_left(marks)} of the four left and the new one",
    )
    oracle = InProcess()
    try:
        check_equal(
            "WASM-010.1",
            _scenario(oracle, marks)[1],
            runs,
            f"{name}: the runs' [steps, failures], as the reference's",
        )
    finally:
        oracle.close()

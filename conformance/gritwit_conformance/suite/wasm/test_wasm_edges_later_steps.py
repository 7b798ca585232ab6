"""References checked in every step, not only the first (WIT-007.3 through Wasm steps).

A host may check a genesis core thoroughly and then, for later steps, skip the
entries it believes unchanged. The module here does nothing in its genesis step and,
in every later step that sees a message, links a core entry to an id: the step must
fail with ``invalid-transition`` when that object is absent — at the top level and
below a tree the genesis made — and be adopted when it is present.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal
from ._calls import Call, Lowering, module

pytestmark = pytest.mark.profile("wasm")

ARITY = {"msg_count": 0, "mark_read": 1, "core_set": 6, "core_link": 4}
ABSENT = g.object_id(g.Blob(data=b"stored nowhere, linked later")).hex().encode()
PRESENT = g.object_id(g.Blob(data=b"\x01")).hex().encode()  # the state entry "a"


def _module(first: list[Call], later: list[Call]) -> bytes:
    """Makes ``first`` in a step without messages (the genesis), ``later`` in the others."""
    lowering = Lowering()
    now, then = lowering.calls(first), lowering.calls(later)
    body = [
        "(if (call $msg_count) (then (drop (call $mark_read (i32.const 0))) "
        + " ".join(then)
        + ") (else "
        + " ".join(now)
        + "))"
    ]
    return module(ARITY, lowering, {"step": body})


def _second_step(impl: Implementation, first: list[Call], later: list[Call]) -> tuple[Any, str]:
    """Genesis (must succeed), one message, one more run: (its failures, the actor)."""
    clause = "WIT-007.3"
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    wasm = _module(first, later)
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=wasm.hex(), state={"a": "01"}
    )
    actor = str(made["actor"])
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
    check_equal("WASM-011.4", [], run["failures"], "the genesis step's failures (it links nothing)")
    call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="go", content={"blob": ""})
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
    call_ok(impl, clause, "wit-close", runtime=runtime)
    return run["failures"], actor


CASES: dict[str, tuple[list[Call], list[Call]]] = {
    "top-level": ([], [("core_link", [b"l", b"%ID%"])]),
    "below-a-tree-of-the-genesis": (
        [("core_set", [b"t/x", b"y", b""])],
        [("core_link", [b"t/l", b"%ID%"])],
    ),
    "replacing-an-entry": ([], [("core_link", [b"a", b"%ID%"])]),
}


def _with(calls: list[Call], oid: bytes) -> list[Call]:
    return [(name, [oid if arg == b"%ID%" else arg for arg in args]) for name, args in calls]


@pytest.mark.req("WIT-007.3", "WASM-011.4")
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_later_step_linking_an_absent_object_is_invalid(impl: Implementation, case: str) -> None:
    first, later = CASES[case]
    failures, actor = _second_step(impl, first, _with(later, ABSENT))
    check_equal(
        "WIT-007.3",
        [[actor, "invalid-transition"]],
        failures,
        f"the failures of a later step linking an absent object ({case})",
    )
    failures, _ = _second_step(impl, first, _with(later, PRESENT))
    check_equal(
        ("WASM-011.4", "WIT-007.3"),
        [],
        failures,
        f"the failures of a later step linking a present object ({case})",
    )

"""Wit rules checked for each thing they name (deliverable 4).

* WIT-013: the default merge replaces an entry by the update's entry of the same name —
  a blob by a tree and a tree by a blob — and merges two trees recursively.
* WIT-026: ``requester`` queues a question only for an ``ask`` whose tree has *both*
  ``to`` and ``question``; either one alone sends nothing and fails nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check_equal, check_type

pytestmark = pytest.mark.profile("wit")


def _core(impl: Implementation, runtime: str, actor: str, clause: Clause) -> g.Tree:
    step_id = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    data = call_ok(impl, clause, "wit-object", runtime=runtime, id=step_id)["bytes"]
    step = check_type(
        clause,
        g.decode_object(bytes.fromhex(data)),
        g.Step,
        expected="a step",
        what="wit-object of the actor's head",
    )
    data = call_ok(impl, clause, "wit-object", runtime=runtime, id=step.core.hex())["bytes"]
    return check_type(
        clause,
        g.decode_object(bytes.fromhex(data)),
        g.Tree,
        expected="a tree",
        what="wit-object of the head step's core",
    )


def _run(impl: Implementation, runtime: str, clause: Clause) -> dict[str, Any]:
    return call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=50)


def _blob_id(data: bytes) -> g.ObjectId:
    return g.object_id(g.Blob(data=data))


@pytest.mark.req("WIT-013")
def test_the_default_merge_replaces_blobs_by_trees_and_back_and_merges_trees(
    impl: Implementation,
) -> None:
    runtime = str(call_ok(impl, "WIT-013", "wit-open")["runtime"])
    made = call_ok(impl, "WIT-013", "wit-genesis", runtime=runtime, actor="echo", state={"t": "00"})
    actor = str(made["actor"])
    check_equal("WIT-013", [], _run(impl, runtime, "WIT-013")["failures"], "the genesis's failures")
    steps: list[tuple[dict[str, Any], g.ObjectId]] = [
        # a blob replaced by a tree
        ({"tree": {"x": {"blob": "01"}}}, g.object_id(g.Tree(entries={"x": _blob_id(b"\x01")}))),
        # two trees merged recursively
        (
            {"tree": {"y": {"blob": "02"}}},
            g.object_id(g.Tree(entries={"x": _blob_id(b"\x01"), "y": _blob_id(b"\x02")})),
        ),
        # a tree replaced by a blob
        ({"blob": "03"}, _blob_id(b"\x03")),
    ]
    for entry, expected in steps:
        content = {"tree": {"t": entry}}
        call_ok(
            impl, "WIT-013", "wit-send", runtime=runtime, to=actor, mt="update", content=content
        )
        run = _run(impl, runtime, "WIT-013")
        check_equal("WIT-013", [], run["failures"], f"the failures of the update t={entry}")
        core = _core(impl, runtime, actor, "WIT-013")
        check_equal(
            "WIT-013",
            expected.hex(),
            core.entries["t"].hex() if "t" in core.entries else None,
            f"the core's entry t after the update t={entry}: the update's entry replaces a "
            "blob or a tree, two trees merge",
        )


@pytest.mark.req("WIT-026.1")
@pytest.mark.parametrize("missing", ["to", "question"])
def test_requester_asks_only_with_both_entries(impl: Implementation, missing: str) -> None:
    runtime = str(call_ok(impl, "WIT-026.1", "wit-open")["runtime"])
    echo = str(call_ok(impl, "WIT-026.1", "wit-genesis", runtime=runtime, actor="echo")["actor"])
    made = call_ok(impl, "WIT-026.1", "wit-genesis", runtime=runtime, actor="requester")
    requester = str(made["actor"])
    check_equal(
        "WIT-026.1", [], _run(impl, runtime, "WIT-026.1")["failures"], "the geneses' failures"
    )
    echo_head = call_ok(impl, "WIT-026.1", "wit-head", runtime=runtime, actor=echo)["step"]
    ask = {"to": {"blob": echo.encode().hex()}, "question": {"blob": b"why?".hex()}}
    del ask[missing]
    call_ok(
        impl,
        "WIT-026.1",
        "wit-send",
        runtime=runtime,
        to=requester,
        mt="ask",
        content={"tree": ask},
    )
    run = _run(impl, runtime, "WIT-026.1")
    check_equal("WIT-026.1", [], run["failures"], f"the failures of an ask without {missing!r}")
    check_equal(
        "WIT-026.1",
        [requester],
        [a for a, _ in run["steps"]],
        f"the actors stepping after an ask without {missing!r}: the requester alone, sending "
        "nothing",
    )
    check_equal(
        "WIT-026.1",
        echo_head,
        call_ok(impl, "WIT-026.1", "wit-head", runtime=runtime, actor=echo)["step"],
        f"the echo's head after an ask without {missing!r}: unchanged, asked nothing",
    )

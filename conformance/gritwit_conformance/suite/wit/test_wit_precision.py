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

pytestmark = pytest.mark.profile("wit")


def _core(impl: Implementation, runtime: str, actor: str) -> g.Tree:
    step_id = impl.call("wit-head", runtime=runtime, actor=actor).expect_ok()["step"]
    step = g.decode_object(
        bytes.fromhex(impl.call("wit-object", runtime=runtime, id=step_id).expect_ok()["bytes"])
    )
    assert isinstance(step, g.Step)
    core = g.decode_object(
        bytes.fromhex(
            impl.call("wit-object", runtime=runtime, id=step.core.hex()).expect_ok()["bytes"]
        )
    )
    assert isinstance(core, g.Tree)
    return core


def _run(impl: Implementation, runtime: str) -> dict[str, Any]:
    return impl.call("wit-run", runtime=runtime, max_steps=50).expect_ok()


def _blob_id(data: bytes) -> g.ObjectId:
    return g.object_id(g.Blob(data=data))


@pytest.mark.req("WIT-013")
def test_the_default_merge_replaces_blobs_by_trees_and_back_and_merges_trees(
    impl: Implementation,
) -> None:
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call("wit-genesis", runtime=runtime, actor="echo", state={"t": "00"}).expect_ok()[
            "actor"
        ]
    )
    assert _run(impl, runtime)["failures"] == []
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
        impl.call("wit-send", runtime=runtime, to=actor, mt="update", content=content).expect_ok()
        run = _run(impl, runtime)
        assert run["failures"] == [], f"update t={entry} failed: {run}"
        core = _core(impl, runtime, actor)
        assert core.entries["t"] == expected, f"after the update t={entry}: {core.entries['t']}"


@pytest.mark.req("WIT-026.1")
@pytest.mark.parametrize("missing", ["to", "question"])
def test_requester_asks_only_with_both_entries(impl: Implementation, missing: str) -> None:
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    echo = str(impl.call("wit-genesis", runtime=runtime, actor="echo").expect_ok()["actor"])
    requester = str(
        impl.call("wit-genesis", runtime=runtime, actor="requester").expect_ok()["actor"]
    )
    assert _run(impl, runtime)["failures"] == []
    echo_head = impl.call("wit-head", runtime=runtime, actor=echo).expect_ok()["step"]
    ask = {"to": {"blob": echo.encode().hex()}, "question": {"blob": b"why?".hex()}}
    del ask[missing]
    impl.call(
        "wit-send", runtime=runtime, to=requester, mt="ask", content={"tree": ask}
    ).expect_ok()
    run = _run(impl, runtime)
    assert run["failures"] == [], run
    assert [a for a, _ in run["steps"]] == [requester], (
        f"an ask without {missing!r} must send nothing (WIT-026.1); steps: {run['steps']}"
    )
    assert impl.call("wit-head", runtime=runtime, actor=echo).expect_ok()["step"] == echo_head

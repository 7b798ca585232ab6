"""The worked example of the Wit chapter: a genesis queued behind an update.

The outside queues ``inc``, ``update`` and ``genesis`` to an actor that does not
exist yet (spec/06-wit.md, "Worked example: a genesis queued behind an update").
The expected steps are derived from WIT-012 and WIT-013 alone: the genesis
transition reads only ``inc`` (the update bars the rest, WIT-013.3), the update runs
alone (WIT-013.2), and the genesis is read last, alone, changing only the inbox
(WIT-012.5).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance._implementation import Implementation

pytestmark = pytest.mark.profile("wit")

OUTSIDE = "00" * 32
WIT = {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}}
CORE = {"tree": {"wit": WIT}}
WIT_ID = g.object_id(g.Blob(data=b"counter", headers={"runtime": "test-actor"}))
ACTOR = g.object_id(g.Tree(entries={"wit": WIT_ID})).hex()
NOTE = g.object_id(g.Blob(data=b"hi"))


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(impl.call("wit-open").result["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle)


def _object(impl: Implementation, runtime: str, oid: g.ObjectId | str) -> Any:
    text = oid if isinstance(oid, str) else oid.hex()
    reply = impl.call("wit-object", runtime=runtime, id=text)
    assert reply.ok, reply
    return g.decode_object(bytes.fromhex(reply.result["bytes"]))


def _send(impl: Implementation, runtime: str, mt: str, content: Any) -> str:
    reply = impl.call("wit-send", runtime=runtime, to=ACTOR, mt=mt, content=content)
    assert reply.ok, reply
    return str(reply.result["message"])


def _read_from_outside(impl: Implementation, runtime: str, step: g.Step) -> str:
    assert step.inbox is not None
    inbox = _object(impl, runtime, step.inbox)
    assert [k.hex() for k in inbox.entries] == [OUTSIDE], inbox
    return str(inbox.entries[g.ObjectId(bytes(32))].hex())


@pytest.mark.smoke
@pytest.mark.req("WIT-012.1", "WIT-012.5", "WIT-013.2", "WIT-013.3", "WIT-013.4", "WIT-008.2")
def test_a_genesis_queued_behind_an_update(impl: Implementation, runtime: str) -> None:
    inc = _send(impl, runtime, "inc", {"blob": b"1".hex()})
    update = _send(impl, runtime, "update", {"tree": {"note": {"blob": b"hi".hex()}}})
    genesis = _send(impl, runtime, "genesis", CORE)
    run = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert run.ok and run.result["failures"] == [] and run.result["quiescent"] is True, run
    assert [actor for actor, _ in run.result["steps"]] == [ACTOR] * 3, run
    steps = [_object(impl, runtime, sid) for _, sid in run.result["steps"]]
    first, second, third = steps
    # 1: the genesis transition, which reads inc alone, not the genesis behind the update
    assert first.previous is None and _read_from_outside(impl, runtime, first) == inc
    core1 = _object(impl, runtime, first.core)
    assert set(core1.entries) == {"wit", "count"} and core1.entries["wit"] == WIT_ID, core1
    assert _object(impl, runtime, core1.entries["count"]).data == b"1"
    # 2: the update alone, merged into the core
    assert second.previous == g.object_id(first)
    assert _read_from_outside(impl, runtime, second) == update
    core2 = _object(impl, runtime, second.core)
    assert dict(core2.entries) == {**core1.entries, "note": NOTE}, core2
    # 3: the genesis, read alone over an existing actor: only the inbox moves
    assert third.previous == g.object_id(second)
    assert _read_from_outside(impl, runtime, third) == genesis
    assert (third.core, third.outbox) == (second.core, second.outbox)
    head = impl.call("wit-head", runtime=runtime, actor=ACTOR)
    assert head.ok and head.result["step"] == run.result["steps"][-1][1], head


@pytest.mark.req("WIT-012.1", "WIT-013.2", "WIT-013.4")
def test_the_same_messages_with_the_genesis_first(impl: Implementation, runtime: str) -> None:
    """The contrast the example draws: genesis first, one step reads it and inc together."""
    _send(impl, runtime, "genesis", CORE)
    inc = _send(impl, runtime, "inc", {"blob": b"1".hex()})
    update = _send(impl, runtime, "update", {"tree": {"note": {"blob": b"hi".hex()}}})
    run = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert run.ok and [a for a, _ in run.result["steps"]] == [ACTOR] * 2, run
    first, second = (_object(impl, runtime, sid) for _, sid in run.result["steps"])
    assert _read_from_outside(impl, runtime, first) == inc
    assert _read_from_outside(impl, runtime, second) == update
    core = _object(impl, runtime, second.core)
    assert set(core.entries) == {"wit", "count", "note"}
    assert _object(impl, runtime, core.entries["count"]).data == b"1"

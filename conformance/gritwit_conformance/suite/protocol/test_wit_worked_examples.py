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
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal

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


@pytest.mark.req("WIT-012.6", "WIT-012.5", "WIT-013.2", "WIT-013.3", "ADP-014")
def test_a_genesis_between_two_updates(impl: Implementation, runtime: str) -> None:
    """The second worked example: the first run adopts one step that reads nothing and
    then leaves the actor idle; the next run reads u1, g and u2, one per step."""
    u1 = _send(impl, runtime, "update", {"tree": {"a": {"blob": "01"}}})
    genesis = _send(impl, runtime, "genesis", CORE)
    u2 = _send(impl, runtime, "update", {"tree": {"b": {"blob": "02"}}})
    run = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert run.ok and run.result["quiescent"] is True and run.result["failures"] == [], run
    assert [actor for actor, _ in run.result["steps"]] == [ACTOR], run
    first = _object(impl, runtime, run.result["steps"][0][1])
    assert first.previous is None and first.inbox is None, first
    assert set(_object(impl, runtime, first.core).entries) >= {"wit"}
    again = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert again.ok and [a for a, _ in again.result["steps"]] == [ACTOR] * 3, again
    steps = [_object(impl, runtime, sid) for _, sid in again.result["steps"]]
    assert [_read_from_outside(impl, runtime, s) for s in steps] == [u1, genesis, u2]
    cores = [_object(impl, runtime, s.core) for s in steps]
    assert "a" in cores[0].entries and "b" not in cores[0].entries
    assert steps[1].core == steps[0].core  # the duplicate genesis changes only the inbox
    assert {"a", "b"} <= set(cores[2].entries)
    assert impl.call("wit-run", runtime=runtime, max_steps=10).result["steps"] == []


ECHO_CORE = {"tree": {"wit": {"blob": b"echo".hex(), "headers": {"runtime": "test-actor"}},
                      "frozen": {"blob": "00"}}}  # fmt: skip
ECHO = g.object_id(
    g.Tree(
        entries={
            "wit": g.object_id(g.Blob(data=b"echo", headers={"runtime": "test-actor"})),
            "frozen": g.object_id(g.Blob(data=b"\x00")),
        }
    )
).hex()
REPLACE = {"blob": b"replace".hex(), "headers": {"runtime": "test-actor"}}


def _update_frozen(impl: Implementation, runtime: str, tree: dict[str, Any]) -> Any:
    assert impl.call("wit-send", runtime=runtime, to=ECHO, mt="genesis", content=ECHO_CORE).ok
    first = impl.call("wit-run", runtime=runtime, max_steps=5)
    assert first.ok and first.result["failures"] == [], first
    assert impl.call("wit-send", runtime=runtime, to=ECHO, mt="update",
                     content={"tree": tree}).ok  # fmt: skip
    run = impl.call("wit-run", runtime=runtime, max_steps=5)
    assert run.ok, run
    return run.result


@pytest.mark.req("WIT-029.1", "WIT-007.2", "WIT-015", "WIT-016")
@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        ({"wit": {"blob": b"echo".hex()}}, "invalid-transition"),
        ({"wit_update": REPLACE, "x": {"blob": "00"}}, "invalid-transition"),
        ({"wit": {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}}},
         "frozen-core"),
    ],
    ids=["structure-before-frozen", "no-wit-before-frozen", "frozen-alone"],
)  # fmt: skip
def test_which_rule_a_new_core_breaks_first(
    impl: Implementation, runtime: str, tree: dict[str, Any], expected: str
) -> None:
    result = _update_frozen(impl, runtime, tree)
    assert result["steps"] == [] and result["failures"] == [[ECHO, expected]], result


@pytest.mark.req("WIT-029.2", "WIT-001.4", "WIT-013.4", "ADP-014")
def test_a_new_wit_naming_no_test_actor_is_adopted_and_fails_later(
    impl: Implementation, runtime: str
) -> None:
    _send(impl, runtime, "genesis", CORE)
    assert impl.call("wit-run", runtime=runtime, max_steps=5).result["failures"] == []
    nowhere = {"blob": b"no-such-actor".hex(), "headers": {"runtime": "test-actor"}}
    _send(impl, runtime, "update", {"tree": {"wit": nowhere}})
    adopted = impl.call("wit-run", runtime=runtime, max_steps=5)
    assert adopted.ok and len(adopted.result["steps"]) == 1, adopted
    assert adopted.result["failures"] == [], adopted
    _send(impl, runtime, "inc", {"blob": b"1".hex()})
    later = call_ok(impl, "WIT-001.4", "wit-run", runtime=runtime, max_steps=5)
    # the next transition runs a wit naming no test actor (WIT-001.4); wit-run lists the
    # class (ADP-014)
    check_equal(
        ("WIT-001.4", "ADP-014"),
        {"steps": [], "failures": [[ACTOR, "unknown-wit"]]},
        {"steps": later["steps"], "failures": later["failures"]},
        "wit-run of a message to the actor whose wit names no test actor",
    )
    query = impl.call("wit-query", runtime=runtime, actor=ACTOR, name="count")
    assert not query.ok and query.error_class == "unknown-wit", query  # ADP-014


@pytest.mark.req("WIT-006", "ADP-014", "WIT-016")
def test_a_failed_transition_stores_nothing(impl: Implementation, runtime: str) -> None:
    """The core a failed update would have adopted is not in the runtime's store."""
    counter_wit = {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}}
    result = _update_frozen(impl, runtime, {"wit": counter_wit})
    check_equal(
        ("WIT-016", "ADP-014"),
        [[ECHO, "frozen-core"]],
        result["failures"],
        "wit-run failures of an update of a frozen core's wit",
    )
    merged = g.Tree(
        entries={
            "wit": g.object_id(g.Blob(data=b"counter", headers={"runtime": "test-actor"})),
            "frozen": g.object_id(g.Blob(data=b"\x00")),
        }
    )
    reply = impl.call("wit-object", runtime=runtime, id=g.object_id(merged).hex())
    assert not reply.ok and reply.error_class == "not-found", reply


@pytest.mark.req("WIT-014.3", "WIT-014.1")
@pytest.mark.inputs("ascii")
@pytest.mark.parametrize(
    "wit_update",
    [
        {"tree": {"x": {"blob": "00"}}},
        {"blob": b"replace".hex()},
        {"blob": b"replace".hex(), "headers": {"runtime": "elsewhere"}},
        {"blob": b"merge-please".hex(), "headers": {"runtime": "test-actor"}},
    ],
    ids=["a-tree", "no-runtime", "unknown-runtime", "unknown-name"],
)
def test_an_unknown_update_function_is_unknown_wit(
    impl: Implementation, runtime: str, wit_update: dict[str, Any]
) -> None:
    _send(impl, runtime, "genesis", CORE)
    assert impl.call("wit-run", runtime=runtime, max_steps=5).result["failures"] == []
    _send(impl, runtime, "update", {"tree": {"wit_update": wit_update, "wit": WIT}})
    run = impl.call("wit-run", runtime=runtime, max_steps=5)
    assert run.result["steps"] == [] and run.result["failures"] == [[ACTOR, "unknown-wit"]], run

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

from .._check import Clause, call_ok, check, check_equal, error_answer, fail, ok_answer

pytestmark = pytest.mark.profile("wit")

OUTSIDE = "00" * 32
WIT = {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}}
CORE = {"tree": {"wit": WIT}}
WIT_ID = g.object_id(g.Blob(data=b"counter", headers={"runtime": "test-actor"}))
ACTOR = g.object_id(g.Tree(entries={"wit": WIT_ID})).hex()
NOTE = g.object_id(g.Blob(data=b"hi"))


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle)


def _object(impl: Implementation, runtime: str, oid: g.ObjectId | str, clause: Clause) -> Any:
    """The object ``oid`` of the runtime's store, which ``clause`` says is there."""
    text = oid if isinstance(oid, str) else oid.hex()
    reply = impl.call("wit-object", runtime=runtime, id=text)
    found = ok_answer(reply, clause, f"the object {text} the runtime adopted")
    return g.decode_object(bytes.fromhex(found["bytes"]))


def _send(impl: Implementation, runtime: str, mt: str, content: Any, clause: Clause) -> str:
    reply = impl.call("wit-send", runtime=runtime, to=ACTOR, mt=mt, content=content)
    return str(ok_answer(reply, clause, f"the outside sends {mt!r} to the actor")["message"])


def _read_from_outside(impl: Implementation, runtime: str, step: g.Step, clause: Clause) -> str:
    """The one message ``step`` read, from the outside: ``clause`` says it read one."""
    if step.inbox is None:
        fail(
            clause,
            expected="a step that read a message",
            came="a step without an inbox",
            what="the step's inbox",
        )
    inbox = _object(impl, runtime, step.inbox, clause)
    senders = [k.hex() for k in inbox.entries]
    check_equal(clause, [OUTSIDE], senders, "the senders the step's inbox read from")
    return str(inbox.entries[g.ObjectId(bytes(32))].hex())


@pytest.mark.smoke
@pytest.mark.req("WIT-012.1", "WIT-012.5", "WIT-013.2", "WIT-013.3", "WIT-013.4", "WIT-008.2")
def test_a_genesis_queued_behind_an_update(impl: Implementation, runtime: str) -> None:
    inc = _send(impl, runtime, "inc", {"blob": b"1".hex()}, "WIT-012.1")
    update = _send(impl, runtime, "update", {"tree": {"note": {"blob": b"hi".hex()}}}, "WIT-013.2")
    genesis = _send(impl, runtime, "genesis", CORE, "WIT-012.1")
    run = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=10),
        "WIT-012.1",
        "a run of inc, update and genesis queued for an actor not yet there",
    )
    check_equal("WIT-012.1", [], run["failures"], "the run's failures")
    check(
        "WIT-012.1",
        run["quiescent"] is True,
        expected="a quiescent run (true)",
        came=run["quiescent"],
        what="the run's quiescent",
    )
    check_equal(
        "WIT-013.2",
        [ACTOR] * 3,
        [actor for actor, _ in run["steps"]],
        "the actors of the run's steps: the genesis transition, the update, the genesis",
    )
    steps = [_object(impl, runtime, sid, "WIT-012.1") for _, sid in run["steps"]]
    first, second, third = steps
    # 1: the genesis transition, which reads inc alone, not the genesis behind the update
    check_equal("WIT-012.1", None, first.previous, "the first step's previous")
    check_equal(
        ("WIT-013.3", "WIT-008.2"),
        inc,
        _read_from_outside(impl, runtime, first, "WIT-012.1"),
        "the message the genesis transition read: inc, not what the update holds back",
    )
    core1 = _object(impl, runtime, first.core, "WIT-012.1")
    check_equal(
        "WIT-012.1",
        ["count", "wit"],
        sorted(core1.entries),
        "the entries of the core after the genesis transition",
    )
    check_equal("WIT-012.1", WIT_ID.hex(), core1.entries["wit"].hex(), "the core's wit")
    count1 = _object(impl, runtime, core1.entries["count"], "WIT-012.1").data
    check_equal("WIT-012.1", b"1", count1, "the counter's count after inc")
    # 2: the update alone, merged into the core
    check_equal("WIT-013.2", g.object_id(first), second.previous, "the second step's previous")
    check_equal(
        "WIT-013.2",
        update,
        _read_from_outside(impl, runtime, second, "WIT-013.2"),
        "the message the second step read: the update alone",
    )
    core2 = _object(impl, runtime, second.core, "WIT-013.4")
    check_equal(
        "WIT-013.4",
        {k: v.hex() for k, v in {**core1.entries, "note": NOTE}.items()},
        {k: v.hex() for k, v in core2.entries.items()},
        "the core after the update: the old core merged with the update's tree",
    )
    # 3: the genesis, read alone over an existing actor: only the inbox moves
    check_equal("WIT-012.5", g.object_id(second), third.previous, "the third step's previous")
    check_equal(
        "WIT-012.5",
        genesis,
        _read_from_outside(impl, runtime, third, "WIT-012.5"),
        "the message the third step read: the genesis alone",
    )
    check_equal(
        "WIT-012.5",
        [second.core, second.outbox],
        [third.core, third.outbox],
        "the core and outbox of the step reading a genesis of an existing actor",
    )
    head = ok_answer(
        impl.call("wit-head", runtime=runtime, actor=ACTOR),
        "WIT-012.5",
        "the actor's head after the run",
    )
    check_equal("WIT-012.5", run["steps"][-1][1], head["step"], "the actor's head: its last step")


@pytest.mark.req("WIT-012.1", "WIT-013.2", "WIT-013.4")
def test_the_same_messages_with_the_genesis_first(impl: Implementation, runtime: str) -> None:
    """The contrast the example draws: genesis first, one step reads it and inc together."""
    _send(impl, runtime, "genesis", CORE, "WIT-012.1")
    inc = _send(impl, runtime, "inc", {"blob": b"1".hex()}, "WIT-012.1")
    update = _send(impl, runtime, "update", {"tree": {"note": {"blob": b"hi".hex()}}}, "WIT-013.2")
    run = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=10),
        "WIT-012.1",
        "a run of genesis, inc and update",
    )
    check_equal(
        "WIT-013.2",
        [ACTOR] * 2,
        [a for a, _ in run["steps"]],
        "the actors of the run's steps: genesis with inc, then the update alone",
    )
    first, second = (_object(impl, runtime, sid, "WIT-012.1") for _, sid in run["steps"])
    check_equal(
        "WIT-012.1",
        inc,
        _read_from_outside(impl, runtime, first, "WIT-012.1"),
        "the last message the genesis transition read from the outside",
    )
    check_equal(
        "WIT-013.2",
        update,
        _read_from_outside(impl, runtime, second, "WIT-013.2"),
        "the message the second step read: the update alone",
    )
    core = _object(impl, runtime, second.core, "WIT-013.4")
    check_equal(
        "WIT-013.4",
        ["count", "note", "wit"],
        sorted(core.entries),
        "the entries of the core after the update",
    )
    count = _object(impl, runtime, core.entries["count"], "WIT-013.4").data
    check_equal("WIT-013.4", b"1", count, "the counter's count, kept by the merge")


@pytest.mark.req("WIT-012.6", "WIT-012.5", "WIT-013.2", "WIT-013.3", "ADP-014")
def test_a_genesis_between_two_updates(impl: Implementation, runtime: str) -> None:
    """The second worked example: the first run adopts one step that reads nothing and
    then leaves the actor idle; the next run reads u1, g and u2, one per step."""
    u1 = _send(impl, runtime, "update", {"tree": {"a": {"blob": "01"}}}, "ADP-014")
    genesis = _send(impl, runtime, "genesis", CORE, "ADP-014")
    u2 = _send(impl, runtime, "update", {"tree": {"b": {"blob": "02"}}}, "ADP-014")
    run = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=10),
        "WIT-012.6",
        "a run of update, genesis, update for an actor not yet there",
    )
    check(
        "WIT-012.6",
        run["quiescent"] is True,
        expected="a quiescent run (true)",
        came=run["quiescent"],
        what="the first run's quiescent",
    )
    check_equal("WIT-012.6", [], run["failures"], "the first run's failures")
    check_equal(
        "WIT-012.6",
        [ACTOR],
        [actor for actor, _ in run["steps"]],
        "the actors of the first run's steps: the genesis transition alone",
    )
    first = _object(impl, runtime, run["steps"][0][1], "WIT-012.6")
    check_equal(
        "WIT-012.6",
        [None, None],
        [first.previous, first.inbox],
        "the first step's previous and inbox: a transition that read nothing",
    )
    first_core = sorted(_object(impl, runtime, first.core, "WIT-012.6").entries)
    check(
        "WIT-012.6",
        "wit" in first_core,
        expected="a core with a wit entry",
        came=first_core,
        what="the entries of the first step's core",
    )
    again = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=10),
        "WIT-013.3",
        "the next run, the updates no longer waiting",
    )
    check_equal(
        "WIT-013.2",
        [ACTOR] * 3,
        [a for a, _ in again["steps"]],
        "the actors of the next run's steps: u1, genesis, u2 one per step",
    )
    steps = [_object(impl, runtime, sid, "WIT-013.2") for _, sid in again["steps"]]
    check_equal(
        "WIT-013.2",
        [u1, genesis, u2],
        [_read_from_outside(impl, runtime, s, "WIT-013.2") for s in steps],
        "the messages the next run's steps read, one each",
    )
    cores = [sorted(_object(impl, runtime, s.core, "WIT-013.2").entries) for s in steps]
    check(
        "WIT-013.2",
        "a" in cores[0] and "b" not in cores[0],
        expected="a core with entry a and without entry b after u1 alone",
        came=cores[0],
        what="the entries of the core after u1",
    )
    # the duplicate genesis changes only the inbox
    check_equal(
        "WIT-012.5",
        steps[0].core,
        steps[1].core,
        "the core of the step reading the duplicate genesis",
    )
    check(
        "WIT-013.2",
        {"a", "b"} <= set(cores[2]),
        expected="a core with entries a and b",
        came=cores[2],
        what="the entries of the core after u2",
    )
    last = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=10),
        "WIT-013.2",
        "a third run, nothing pending",
    )
    check_equal("WIT-013.2", [], last["steps"], "the steps of a run with nothing pending")


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


def _update_frozen(impl: Implementation, runtime: str, tree: dict[str, Any], clause: Clause) -> Any:
    """Start the echo actor, whose core is frozen, then run an update of it to ``tree``:
    the update run's answer, checked to be a value under ``clause``."""
    sent = impl.call("wit-send", runtime=runtime, to=ECHO, mt="genesis", content=ECHO_CORE)
    ok_answer(sent, clause, "the genesis of the echo actor, frozen")
    first = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=5),
        clause,
        "the run of the echo actor's genesis",
    )
    check_equal(clause, [], first["failures"], "the failures of the echo actor's genesis run")
    sent = impl.call("wit-send", runtime=runtime, to=ECHO, mt="update", content={"tree": tree})
    ok_answer(sent, clause, "an update sent to the echo actor")
    return ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=5), clause, "the run of the update"
    )


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
    result = _update_frozen(impl, runtime, tree, "WIT-029.1")
    check_equal("WIT-029.1", [], result["steps"], "the steps of the refused update")
    check_equal(
        "WIT-029.1",
        [[ECHO, expected]],
        result["failures"],
        "the failure of the update: the first rule its new core breaks",
    )


@pytest.mark.req("WIT-029.2", "WIT-001.4", "WIT-013.4", "ADP-014")
@pytest.mark.req("CONV-004")
def test_a_new_wit_naming_no_test_actor_is_adopted_and_fails_later(
    impl: Implementation, runtime: str
) -> None:
    _send(impl, runtime, "genesis", CORE, "ADP-014")
    started = impl.call("wit-run", runtime=runtime, max_steps=5)
    check_equal(
        "ADP-014",
        [],
        ok_answer(started, "ADP-014", "the genesis run")["failures"],
        "the failures of the genesis run",
    )
    nowhere = {"blob": b"no-such-actor".hex(), "headers": {"runtime": "test-actor"}}
    _send(impl, runtime, "update", {"tree": {"wit": nowhere}}, "ADP-014")
    adopted = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=5),
        "WIT-029.2",
        "the run of an update to a wit naming no test actor",
    )
    check_equal("WIT-029.2", 1, len(adopted["steps"]), "the number of steps the update adopts")
    check_equal(
        ("WIT-029.2", "ADP-014"), [], adopted["failures"], "the failures of the update's run"
    )
    _send(impl, runtime, "inc", {"blob": b"1".hex()}, "ADP-014")
    later = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=5),
        "WIT-001.4",
        "the run of the next message, under a wit naming no test actor",
    )
    check_equal("WIT-001.4", [], later["steps"], "the steps of the next run")
    check_equal(
        ("WIT-001.4", "ADP-014"),
        [[ACTOR, "unknown-wit"]],
        later["failures"],
        "the failures of the next run",
    )
    query = impl.call("wit-query", runtime=runtime, actor=ACTOR, name="count")
    error_answer(query, "ADP-014", "unknown-wit", "a query of an actor whose wit is no test actor")


@pytest.mark.req("WIT-006", "ADP-014", "WIT-016")
@pytest.mark.req("CONV-004")
def test_a_failed_transition_stores_nothing(impl: Implementation, runtime: str) -> None:
    """The core a failed update would have adopted is not in the runtime's store."""
    counter_wit = {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}}
    result = _update_frozen(impl, runtime, {"wit": counter_wit}, "WIT-016")
    check_equal(
        ("WIT-016", "ADP-014"),
        [[ECHO, "frozen-core"]],
        result["failures"],
        "the failures of an update changing a frozen core's wit",
    )
    merged = g.Tree(
        entries={
            "wit": g.object_id(g.Blob(data=b"counter", headers={"runtime": "test-actor"})),
            "frozen": g.object_id(g.Blob(data=b"\x00")),
        }
    )
    reply = impl.call("wit-object", runtime=runtime, id=g.object_id(merged).hex())
    error_answer(reply, "WIT-006", "not-found", "the core the failed update would have adopted")


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
    _send(impl, runtime, "genesis", CORE, "WIT-014.3")
    started = impl.call("wit-run", runtime=runtime, max_steps=5)
    check_equal(
        "WIT-014.3",
        [],
        ok_answer(started, "WIT-014.3", "the genesis run")["failures"],
        "the failures of the genesis run",
    )
    _send(impl, runtime, "update", {"tree": {"wit_update": wit_update, "wit": WIT}}, "WIT-014.3")
    run = ok_answer(
        impl.call("wit-run", runtime=runtime, max_steps=5),
        "WIT-014.3",
        "the run of an update naming an unknown update function",
    )
    check_equal("WIT-014.3", [], run["steps"], "the steps of the update's run")
    check_equal(
        "WIT-014.3", [[ACTOR, "unknown-wit"]], run["failures"], "the failures of the update's run"
    )

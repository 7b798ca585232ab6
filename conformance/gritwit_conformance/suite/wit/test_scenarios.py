"""The wit profile: Wit scenarios through the adapter (ADP-014, WIT-001 … WIT-027).

Every scenario vector of ``vectors/scenarios.json`` is replayed operation by
operation (``wit-genesis``, ``wit-send``, ``wit-run``, ``wit-query``) and each
answer compared with what the reference recorded: actor ids, message ids, the
ordered step ids of every run, failures, heads.  Equal step ids mean equal
steps, cores, mailboxes and messages all the way down (ID-004).  A
hypothesis test then drives random operation sequences through the
implementation and a fresh in-process reference side by side.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.data._vectors import Vector
from gritwit_conformance.diff._objects import describe_bytes
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._properties import properties

from .._check import call_ok, check, check_equal, check_type, error_answer, fail
from .._scenario import Json, explain, impl_objects, replay_scenario, scenario_params

pytestmark = pytest.mark.profile("wit")


@pytest.mark.parametrize("vector", list(scenario_params("scenarios.json", "ADP-014")))
@pytest.mark.req("WIT-018", "ADP-014")  # a run's failures are wit-run's answer
def test_scenario(impl: Implementation, vector: Vector) -> None:
    replay_scenario(impl, vector)


@pytest.mark.req("CONV-005", "ADP-014")
def test_scenarios_were_found(impl: Implementation) -> None:
    """Needs ``impl`` only so that it counts as not claimed where wit is not (ADP-006)."""
    count = sum(1 for _ in scenario_params("scenarios.json", "ADP-014"))
    check(
        "CONV-005",
        count >= 100,
        expected="at least 100 scenario vectors in vectors/scenarios.json",
        came=f"{count} vectors",
    )


@pytest.mark.smoke
@pytest.mark.req("ADP-014", "WIT-002", "WIT-007", "ID-001")
@pytest.mark.req("WIT-012")
def test_heads_are_steps_of_their_actor(impl: Implementation) -> None:
    runtime = call_ok(impl, "ADP-014", "wit-open")["runtime"]
    made = call_ok(impl, "ADP-014", "wit-genesis", runtime=runtime, actor="echo", state={})
    actor = made["actor"]
    content = {"blob": b"hi".hex()}
    call_ok(impl, "ADP-014", "wit-send", runtime=runtime, to=actor, mt="m", content=content)
    call_ok(impl, "ADP-014", "wit-run", runtime=runtime, max_steps=10)
    head = call_ok(impl, "ADP-014", "wit-head", runtime=runtime, actor=actor).get("step")
    check(
        "WIT-012",
        head is not None,
        expected="a step id: the echo actor's genesis and its message make steps",
        came=head,
        what="wit-head's step after a run",
    )
    data = bytes.fromhex(call_ok(impl, "ADP-014", "wit-object", runtime=runtime, id=head)["bytes"])
    check_equal(
        "ID-001",
        head,
        g.compute_id(data).hex(),
        "the hash of the bytes wit-object answers for the head step: the step's id",
    )
    step = check_type(
        "WIT-007", g.decode_object(data), g.Step, expected="a step", what="the head's object"
    )
    check_equal("WIT-007", actor, step.actor.hex(), "the head step's actor: the actor's id")
    core_data = call_ok(impl, "ADP-014", "wit-object", runtime=runtime, id=actor)["bytes"]
    core = check_type(
        "WIT-002",
        g.decode_object(bytes.fromhex(core_data)),
        g.Tree,
        expected="a tree: the actor's id is the id of its first core",
        what="wit-object of the actor's id",
    )
    check(
        "WIT-002",
        "wit" in core.entries,
        expected="a core with a wit entry: the actor's id is the id of its first core",
        came=core,
        what="wit-object of the actor's id",
    )
    call_ok(impl, "ADP-014", "wit-close", runtime=runtime)


@pytest.mark.req("ADP-014", "ADP-007")
@pytest.mark.req("CONV-004")
def test_unknown_runtime_is_bad_request(impl: Implementation) -> None:
    reply = impl.call("wit-run", runtime="no-such-runtime", max_steps=1)
    error_answer(reply, "ADP-007", "bad-request", "wit-run of a runtime never opened")


# --- differential: random operation sequences, implementation vs reference ------------------

KINDS = ("echo", "counter", "budget", "requester", "fanout", "spawner", "updater", "failing")
run_settings = properties(30)


def _content(kind: str, word: str, actors: list[str]) -> tuple[str, Json]:
    other = actors[len(word) % len(actors)]
    text = {"blob": word.encode().hex()}
    if kind == "counter":
        return ("inc" if len(word) % 2 else "get"), {"blob": str(len(word)).encode().hex()}
    if kind == "budget":
        return "spend", {"blob": str(len(word)).encode().hex()}
    if kind == "requester":
        return "ask", {"tree": {"to": {"blob": other.encode().hex()}, "question": text}}
    if kind == "fanout":
        return "fanout", {"tree": {"to": {"blob": other.encode().hex()}}}
    if kind == "spawner":
        wit = {"blob": b"echo".hex(), "headers": {"runtime": "test-actor"}}
        return "spawn", {"tree": {"wit": wit, "n": text}}
    if kind == "updater":
        return "set-code", {"blob": ("echo" if len(word) % 2 else "counter").encode().hex()}
    return "m", text


operations = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(0, 3), st.text("ab", max_size=4), st.booleans()),
        st.tuples(st.just("run"), st.integers(1, 5)),
    ),
    min_size=1,
    max_size=10,
)


@pytest.mark.req("ADP-014", "WIT-005", "WIT-010", "WIT-011")
@run_settings
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=4), ops=operations)
def test_random_operations_match_the_reference(
    impl: Implementation, kinds: list[str], ops: list[tuple[Any, ...]]
) -> None:
    from gritwit.adapter import ReferenceAdapter

    reference = ReferenceAdapter()  # stateful: one fresh reference runtime per example

    def both(cmd: str, **args: Any) -> Json:
        expected = reference.handle({"seq": 0, "cmd": cmd, "runtime": "w1", **args})
        reply = impl.call(cmd, runtime=runtime, **args)
        got = dict(reply.result) if reply.ok else {"error": reply.error_class}
        want = {k: v for k, v in expected.items() if k not in ("seq", "ok")}
        if not expected["ok"]:
            want = {"error": expected["error"]["class"]}
        if got != want:
            wrong = [k for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
            last = impl.last_request, impl.last_response  # the lookups are not the culprit
            mine = impl_objects(impl, "wit-object", runtime)
            rule = "ADP-014, WIT-011"
            details = (explain(k, want.get(k), got.get(k), oracle, mine, rule) for k in wrong)
            detail = next((d for d in details if d), "")
            impl.last_request, impl.last_response = last
            fail(
                ("ADP-014", "WIT-011"),
                expected=f"{json.dumps(want)[:400]} (the reference's)",
                came=f"{json.dumps(got)[:400]}{detail}",
                what=f"{cmd} {json.dumps(args)[:400]}",
            )
        return got

    def oracle(oid: str) -> Any:
        reply = reference.handle({"seq": 0, "cmd": "wit-object", "runtime": "w1", "id": oid})
        if not reply["ok"]:
            return f"the reference has no object {oid[:12]}…"
        return describe_bytes(oid, reply["bytes"])

    runtime = call_ok(impl, "ADP-014", "wit-open")["runtime"]
    reference.handle({"seq": 0, "cmd": "wit-open"})
    actors = [
        both("wit-genesis", actor=k, state={"n": f"{i:02x}"})["actor"] for i, k in enumerate(kinds)
    ]
    for op in [*ops, ("run", 100)]:
        if op[0] == "run":
            both("wit-run", max_steps=op[1])
            continue
        target = op[1] % len(actors)
        mt, content = _content(kinds[target], op[2], actors)
        both("wit-send", to=actors[target], mt=mt, content=content, signal=op[3])
    for actor in actors:
        both("wit-head", actor=actor)
    call_ok(impl, "ADP-014", "wit-close", runtime=runtime)
    reference.close()

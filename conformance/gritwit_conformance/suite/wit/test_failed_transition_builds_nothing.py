"""A failed transition stores nothing: ``wit-object`` cannot find what only it built.

WIT-006 ("nothing it did has any effect") and ADP-014 step 2d; the outside
implementer's question Q31 (``docs/outsider-questions.md``). A frozen ``updater``
(WIT-016, WIT-023.2) told to ``set-code`` builds a new ``wit`` blob and a new core,
then fails ``frozen-core``: neither object may be in the store afterwards. The same
message to an unfrozen twin succeeds and stores the very same ``wit`` blob, which
shows that the ids the test computes are the ones an implementation builds.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, suite_premise

pytestmark = pytest.mark.profile("wit")

#: The name ``set-code`` copies into the new ``wit`` blob; no other test stores it.
NAME = b"outsider-q31"


def _blob(data: bytes, headers: dict[str, str] | None = None) -> g.ObjectId:
    return g.object_id(g.Blob(data=data, headers=headers or {}))


def new_objects(state: dict[str, bytes]) -> tuple[g.ObjectId, g.ObjectId, g.ObjectId]:
    """The genesis core of an ``updater`` with ``state``, and after ``set-code`` NAME.

    Returns (genesis core = actor id, new ``wit`` blob, new core), built as ADP-014's
    ``wit-genesis`` and WIT-023.1 say.
    """
    entries = {name: _blob(data) for name, data in state.items()}
    genesis = g.Tree(entries={**entries, "wit": _blob(b"updater", {"runtime": "test-actor"})})
    wit = _blob(NAME, {"runtime": "test-actor"})
    return g.object_id(genesis), wit, g.object_id(g.Tree(entries={**entries, "wit": wit}))


def _found(impl: Implementation, runtime: str, oid: g.ObjectId) -> str:
    reply = impl.call("wit-object", runtime=runtime, id=oid.hex())
    return "found" if reply.ok else str(reply.error_class)


@pytest.mark.req("WIT-006", "ADP-014", "WIT-016", "WIT-023.2")
def test_wit_object_does_not_find_what_a_failed_transition_built(impl: Implementation) -> None:
    runtime = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
    frozen_state, twin_state = {"frozen": b"\x01"}, {"n": b"\x02"}
    actor, wit, core = new_objects(frozen_state)
    made = call_ok(
        impl,
        "ADP-014",
        "wit-genesis",
        runtime=runtime,
        actor="updater",
        state={k: v.hex() for k, v in frozen_state.items()},
    )
    check_equal(
        "ADP-014", actor.hex(), made["actor"], "the actor wit-genesis made: the id of its core"
    )
    call_ok(impl, "ADP-014", "wit-run", runtime=runtime, max_steps=20)
    call_ok(
        impl,
        "ADP-014",
        "wit-send",
        runtime=runtime,
        to=actor.hex(),
        mt="set-code",
        content={"blob": NAME.hex()},
    )
    run = call_ok(impl, "ADP-014", "wit-run", runtime=runtime, max_steps=20)
    # a frozen core refuses the set-code (WIT-023.2), and wit-run lists its class (ADP-014)
    check_equal(
        ("WIT-023.2", "ADP-014"),
        [[actor.hex(), "frozen-core"]],
        run["failures"],
        "wit-run failures",
    )
    check_equal(
        ("WIT-006", "ADP-014"),
        {"wit blob": "not-found", "core": "not-found"},
        {"wit blob": _found(impl, runtime, wit), "core": _found(impl, runtime, core)},
        "wit-object of the new wit blob and the new core the failed transition built: "
        "it stores neither (ADP-014 step 2d)",
    )

    twin, twin_wit, twin_core = new_objects(twin_state)
    suite_premise(twin_wit == wit, "the twin's set-code builds the same wit blob")
    call_ok(
        impl,
        "ADP-014",
        "wit-genesis",
        runtime=runtime,
        actor="updater",
        state={k: v.hex() for k, v in twin_state.items()},
    )
    call_ok(
        impl,
        "ADP-014",
        "wit-send",
        runtime=runtime,
        to=twin.hex(),
        mt="set-code",
        content={"blob": NAME.hex()},
    )
    run = call_ok(impl, "ADP-014", "wit-run", runtime=runtime, max_steps=20)
    # The frozen one's message is still pending, so it fails again in this call.
    check_equal(
        ("WIT-023.2", "ADP-014"),
        [actor.hex()],
        [a for a, _ in run["failures"]],
        "wit-run's failing actors: the frozen one's set-code is still pending and fails again",
    )
    check_equal(
        "ADP-014",
        [twin.hex()],
        [a for a, _ in run["steps"]],
        "wit-run's stepping actors: the unfrozen twin adopts its set-code",
    )
    check_equal(
        ("WIT-006", "ADP-014"),
        {"wit blob": "found", "core": "found"},
        {"wit blob": _found(impl, runtime, wit), "core": _found(impl, runtime, twin_core)},
        "wit-object of the twin's new wit blob and new core: the unfrozen twin adopts the "
        "same change and stores both objects",
    )

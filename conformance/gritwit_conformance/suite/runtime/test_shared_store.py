"""Several runtimes on one store: none is the only writer, none owns an actor (RUN-020).

Two adapter processes open the same path (ADP-015, ADP-010.3): runtimes ``a`` and
``b``, two writers of one store. A query or a head read in ``a`` must see the step
``b`` adopted a moment before, even of an actor ``a`` keeps in memory (resident,
RUN-012.6): RUN-020.2. And ``b`` must run an actor that ``a`` created when a message is
pending for it, whoever sent the message (RUN-020.4): no runtime leaves an actor to
the one that made it. What ``b`` reads of ``a``'s work is whole, so ``b`` may build on it
unchecked (RUN-020.3).

Each check is stated from the spec (the counter's count, the steps a run reports,
the head); the two processes need no timing, so the answers are the same under any
schedule of the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from ._writers import count_of, inc
from ._writers import second as second  # the second writer's fixture

pytestmark = pytest.mark.profile("runtime")


def _steps_of(run: dict[str, Any], actor: str) -> list[str]:
    return [str(step) for who, step in run["steps"] if who == actor]


@pytest.mark.smoke
@pytest.mark.req("RUN-020.2", "RUN-012.6", "WIT-017.1", "ADP-015")
def test_a_query_and_a_head_read_see_another_runtimes_step_of_a_resident_actor(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``a`` runs and queries a counter (now resident in ``a``); ``b`` then moves it on.

    ``a``'s ``rt-head`` and ``rt-query`` must answer from ``b``'s step: a head at least as
    new as every step committed before the request (RUN-020.2), not the head ``a``
    keeps in memory.
    """
    a = impl.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"]
    actor = str(impl.call("rt-genesis", runtime=a, actor="counter").expect_ok()["actor"])
    inc(impl, a, actor, "2")
    mine = _steps_of(impl.call("rt-run", runtime=a, max_steps=20).expect_ok(), actor)
    assert mine, f"a's run adopted no step of the counter {actor}"
    assert count_of(impl, a, actor) == b"2"  # a query: the counter is resident in a
    assert impl.call("rt-head", runtime=a, actor=actor).expect_ok()["step"] == mine[-1]

    b = second.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"]
    inc(second, b, actor, "5")
    theirs = _steps_of(second.call("rt-run", runtime=b, max_steps=20).expect_ok(), actor)
    assert theirs, f"b's run adopted no step of the counter {actor} with inc 5 pending"
    assert count_of(second, b, actor) == b"7"

    head = impl.call("rt-head", runtime=a, actor=actor).expect_ok()["step"]
    assert head == theirs[-1], (
        f"a's rt-head answers {head}, its own step {mine[-1]}, after b adopted {theirs[-1]}: "
        "a head read must see every step committed before it, whichever runtime "
        "committed it, not the head kept for a resident actor (RUN-020.2)"
    )
    count = count_of(impl, a, actor)
    assert count == b"7", (
        f"a's rt-query count answers {count!r} after inc 2 (a's step) and inc 5 (b's step): "
        "a query must answer from the head b moved, not from the resident copy (RUN-020.2)"
    )


@pytest.mark.smoke
@pytest.mark.req("RUN-020.4", "RUN-018.2", "ADP-015")
def test_a_runtime_runs_an_actor_another_runtime_created(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``a`` creates a counter; ``b``, opened before it, runs it for a message of its own.

    Then ``b`` sends without running and ``a`` runs that. Whoever created the actor
    or sent the message, a runtime with a message pending for an actor runs it
    (RUN-020.4): no runtime leaves an actor to the one that made it.
    """
    a = impl.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"]
    b = second.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"]
    actor = str(impl.call("rt-genesis", runtime=a, actor="counter").expect_ok()["actor"])
    born = _steps_of(impl.call("rt-run", runtime=a, max_steps=20).expect_ok(), actor)
    assert born, f"a's run adopted no step of the counter {actor} it created"

    inc(second, b, actor, "3")
    run_b = second.call("rt-run", runtime=b, max_steps=20).expect_ok()
    theirs = _steps_of(run_b, actor)
    assert theirs, (
        f"b's rt-run with inc 3 pending for the counter {actor} adopted no step of it: "
        f"{run_b}. A runtime runs an actor with a message pending whoever created it "
        "(RUN-020.4)"
    )
    assert second.call("rt-head", runtime=b, actor=actor).expect_ok()["step"] == theirs[-1]
    assert count_of(second, b, actor) == b"3"

    inc(second, b, actor, "4")  # sent by b, run by a
    run_a = impl.call("rt-run", runtime=a, max_steps=20).expect_ok()
    mine = _steps_of(run_a, actor)
    assert mine, (
        f"a's rt-run with b's inc 4 pending for the counter {actor} adopted no step of it: "
        f"{run_a}. A runtime runs an actor whoever sent the message (RUN-020.4)"
    )
    assert count_of(impl, a, actor) == b"7"


@pytest.mark.smoke
@pytest.mark.req("RUN-020.7", "RUN-020.4", "ADP-015")
def test_a_run_runs_what_another_runtime_sent_before_it_started(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``a`` creates and runs a counter; ``b`` sends it a message and does not run.

    ``a``'s next run starts after ``b``'s send was acknowledged: it must read what moved
    in the store since its own last run (the counter's head did not: only the outside's
    outbox did) and run the message before it answers quiescent (RUN-020.7).
    """
    a = impl.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"]
    actor = str(impl.call("rt-genesis", runtime=a, actor="counter").expect_ok()["actor"])
    inc(impl, a, actor, "1")
    assert _steps_of(impl.call("rt-run", runtime=a, max_steps=20).expect_ok(), actor)
    b = second.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"]
    inc(second, b, actor, "5")  # acknowledged: a's next run starts after it
    run_a = impl.call("rt-run", runtime=a, max_steps=20).expect_ok()
    assert _steps_of(run_a, actor) and run_a["quiescent"] is True, (
        f"a's rt-run, started after b's inc 5 to the counter {actor} was acknowledged, "
        f"answered {run_a}: a run reads what moved since its runtime's last run and runs "
        "it before it answers quiescent (RUN-020.7)"
    )
    assert count_of(impl, a, actor) == b"6"


def _reachable(side: Implementation, runtime: str, head: str) -> dict[str, g.GritObject]:
    """Every object the head step names, through ``rt-object``: its core and entries, its
    mailboxes and their messages, and the earlier steps (RUN-009.1's reach)."""
    found: dict[str, g.GritObject] = {}
    todo = [head]
    while todo:
        oid = todo.pop()
        if oid in found:
            continue
        data = side.call("rt-object", runtime=runtime, id=oid).expect_ok()["bytes"]
        obj = g.decode_object(bytes.fromhex(data))
        assert g.object_id(obj).hex() == oid, f"rt-object {oid} answers another object"
        found[oid] = obj
        named: list[g.ObjectId | None] = []
        if isinstance(obj, g.Step):
            named += [obj.core, obj.inbox, obj.outbox, obj.previous]
        elif isinstance(obj, (g.Tree, g.Mailbox)):
            named += list(obj.entries.values())
            named += [obj.base] if isinstance(obj, g.Mailbox) else []  # OBJ-019
        elif isinstance(obj, g.Message):
            named += [obj.content, obj.previous]
        todo += [n.hex() for n in named if n is not None]
    return found


@pytest.mark.smoke
@pytest.mark.req("RUN-020.3", "RUN-001.1", "ADP-015")
def test_another_runtimes_step_is_whole_where_a_runtime_builds_on_it(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``a`` adopts a counter's steps; ``b`` reads all they name and builds the next step.

    The head ``b`` reads names a step whose objects are all stored (RUN-001.1 kept by
    ``a``), which is what lets ``b`` build on it unchecked (RUN-020.3): ``b``'s step
    continues ``a``'s, and the count holds both runtimes' ``inc``.
    """
    a = impl.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"]
    actor = str(impl.call("rt-genesis", runtime=a, actor="counter").expect_ok()["actor"])
    inc(impl, a, actor, "2")
    mine = _steps_of(impl.call("rt-run", runtime=a, max_steps=20).expect_ok(), actor)
    assert mine, f"a's run adopted no step of the counter {actor}"

    b = second.call("rt-open", path=str(tmp_path)).expect_ok()["runtime"]
    head = second.call("rt-head", runtime=b, actor=actor).expect_ok()["step"]
    assert head == mine[-1], f"b reads the head {head}, not a's step {mine[-1]}"
    objects = _reachable(second, b, head)
    assert sum(isinstance(o, g.Step) for o in objects.values()) == len(mine)
    inc(second, b, actor, "5")
    theirs = _steps_of(second.call("rt-run", runtime=b, max_steps=20).expect_ok(), actor)
    assert theirs, f"b's run adopted no step of the counter {actor} with inc 5 pending"
    step = g.decode_object(
        bytes.fromhex(second.call("rt-object", runtime=b, id=theirs[0]).expect_ok()["bytes"])
    )
    assert isinstance(step, g.Step) and step.previous is not None
    assert step.previous.hex() == head, (
        f"b's step continues {step.previous.hex()}, not a's head {head} it read (RUN-020.3)"
    )
    assert count_of(second, b, actor) == b"7"

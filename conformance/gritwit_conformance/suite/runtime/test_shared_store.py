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

from .._check import call_ok, check, check_equal, fail
from .._writers import count_of, inc
from .._writers import second as second  # the second writer's fixture

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
    a = call_ok(impl, "RUN-020.2", "rt-open", path=str(tmp_path))["runtime"]
    actor = str(call_ok(impl, "RUN-020.2", "rt-genesis", runtime=a, actor="counter")["actor"])
    inc(impl, a, actor, "2", clause="RUN-020.2")
    mine = _steps_of(call_ok(impl, "RUN-020.2", "rt-run", runtime=a, max_steps=20), actor)
    check(
        "RUN-020.2",
        mine,
        expected="a step of the counter",
        what=f"a's run adopted no step of the counter {actor}",
        came=mine,
    )
    check_equal(
        "RUN-020.2", b"2", count_of(impl, a, actor, clause="RUN-020.2")
    )  # a query: the counter is resident in a
    check_equal(
        "RUN-020.2", mine[-1], call_ok(impl, "RUN-020.2", "rt-head", runtime=a, actor=actor)["step"]
    )

    b = call_ok(second, "RUN-020.2", "rt-open", path=str(tmp_path))["runtime"]
    inc(second, b, actor, "5", clause="RUN-020.2")
    theirs = _steps_of(call_ok(second, "RUN-020.2", "rt-run", runtime=b, max_steps=20), actor)
    check(
        "RUN-020.2",
        theirs,
        expected="a step of the counter",
        what=f"b's run adopted no step of the counter {actor} with inc 5 pending",
        came=theirs,
    )
    check_equal("RUN-020.2", b"7", count_of(second, b, actor, clause="RUN-020.2"))

    head = call_ok(impl, "RUN-020.2", "rt-head", runtime=a, actor=actor)["step"]
    check_equal(
        "RUN-020.2",
        theirs[-1],
        head,
        f"a's rt-head answers {head}, its own step {mine[-1]}, after b adopted {theirs[-1]}: "
        "a head read must see every step committed before it, whichever runtime "
        "committed it, not the head kept for a resident actor",
    )
    count = count_of(impl, a, actor, clause="RUN-020.2")
    check_equal(
        "RUN-020.2",
        b"7",
        count,
        f"a's rt-query count answers {count!r} after inc 2 (a's step) and inc 5 (b's step): "
        "a query must answer from the head b moved, not from the resident copy",
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
    a = call_ok(impl, "RUN-020.4", "rt-open", path=str(tmp_path))["runtime"]
    b = call_ok(second, "RUN-020.4", "rt-open", path=str(tmp_path))["runtime"]
    actor = str(call_ok(impl, "RUN-020.4", "rt-genesis", runtime=a, actor="counter")["actor"])
    born = _steps_of(call_ok(impl, "RUN-020.4", "rt-run", runtime=a, max_steps=20), actor)
    check(
        "RUN-020.4",
        born,
        expected="a step of the counter",
        what=f"a's run adopted no step of the counter {actor} it created",
        came=born,
    )

    inc(second, b, actor, "3", clause="RUN-020.4")
    run_b = call_ok(second, "RUN-020.4", "rt-run", runtime=b, max_steps=20)
    theirs = _steps_of(run_b, actor)
    check(
        "RUN-020.4",
        theirs,
        expected="a step of the counter",
        what=f"b's rt-run with inc 3 pending for the counter {actor} adopted no step of it: "
        f"{run_b}. A runtime runs an actor with a message pending whoever created it",
        came=theirs,
    )
    check_equal(
        "RUN-020.4",
        theirs[-1],
        call_ok(second, "RUN-020.4", "rt-head", runtime=b, actor=actor)["step"],
    )
    check_equal("RUN-020.4", b"3", count_of(second, b, actor, clause="RUN-020.4"))

    inc(second, b, actor, "4", clause="RUN-020.4")  # sent by b, run by a
    run_a = call_ok(impl, "RUN-020.4", "rt-run", runtime=a, max_steps=20)
    mine = _steps_of(run_a, actor)
    check(
        "RUN-020.4",
        mine,
        expected="a step of the counter",
        what=f"a's rt-run with b's inc 4 pending for the counter {actor} adopted no step of it: "
        f"{run_a}. A runtime runs an actor whoever sent the message",
        came=mine,
    )
    check_equal("RUN-020.4", b"7", count_of(impl, a, actor, clause="RUN-020.4"))


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
    a = call_ok(impl, "RUN-020.7", "rt-open", path=str(tmp_path))["runtime"]
    actor = str(call_ok(impl, "RUN-020.7", "rt-genesis", runtime=a, actor="counter")["actor"])
    inc(impl, a, actor, "1", clause="RUN-020.7")
    value = _steps_of(call_ok(impl, "RUN-020.7", "rt-run", runtime=a, max_steps=20), actor)
    check("RUN-020.7", value, expected="a step of the counter in a's first rt-run", came=value)
    b = call_ok(second, "RUN-020.7", "rt-open", path=str(tmp_path))["runtime"]
    inc(second, b, actor, "5", clause="RUN-020.7")  # acknowledged: a's next run starts after it
    run_a = call_ok(impl, "RUN-020.7", "rt-run", runtime=a, max_steps=20)
    value = _steps_of(run_a, actor)
    check(
        "RUN-020.7",
        value,
        expected=f"a's rt-run, started after b's inc 5 to the counter {actor} was acknowledged, "
        f"answered {run_a}: a run reads what moved since its runtime's last run and runs "
        "it before it answers quiescent",
        came=value,
    )
    check(
        "RUN-020.7",
        run_a["quiescent"] is True,
        expected="true",
        came=run_a["quiescent"],
        what=f"a's rt-run, started after b's inc 5 to the counter {actor} was acknowledged, "
        f"answered {run_a}: a run reads what moved since its runtime's last run and runs "
        "it before it answers quiescent",
    )
    check_equal("RUN-020.7", b"6", count_of(impl, a, actor, clause="RUN-020.7"))


def _reachable(side: Implementation, runtime: str, head: str) -> dict[str, g.GritObject]:
    """Every object the head step names, through ``rt-object``: its core and entries, its
    mailboxes and their messages, and the earlier steps (RUN-009.1's reach)."""
    found: dict[str, g.GritObject] = {}
    todo = [head]
    while todo:
        oid = todo.pop()
        if oid in found:
            continue
        data = call_ok(side, "ADP-015", "rt-object", runtime=runtime, id=oid)["bytes"]
        obj = g.decode_object(bytes.fromhex(data))
        check_equal(
            "ADP-015", oid, g.object_id(obj).hex(), f"rt-object {oid} answers another object"
        )
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
    a = call_ok(impl, "RUN-020.3", "rt-open", path=str(tmp_path))["runtime"]
    actor = str(call_ok(impl, "RUN-020.3", "rt-genesis", runtime=a, actor="counter")["actor"])
    inc(impl, a, actor, "2", clause="RUN-020.3")
    mine = _steps_of(call_ok(impl, "RUN-020.3", "rt-run", runtime=a, max_steps=20), actor)
    check(
        "RUN-020.3",
        mine,
        expected="a step of the counter",
        what=f"a's run adopted no step of the counter {actor}",
        came=mine,
    )

    b = call_ok(second, "RUN-020.3", "rt-open", path=str(tmp_path))["runtime"]
    head = call_ok(second, "RUN-020.3", "rt-head", runtime=b, actor=actor)["step"]
    check_equal("RUN-020.3", mine[-1], head, f"b reads the head {head}, not a's step {mine[-1]}")
    objects = _reachable(second, b, head)
    check_equal("RUN-020.3", len(mine), sum(isinstance(o, g.Step) for o in objects.values()))
    inc(second, b, actor, "5", clause="RUN-020.3")
    theirs = _steps_of(call_ok(second, "RUN-020.3", "rt-run", runtime=b, max_steps=20), actor)
    check(
        "RUN-020.3",
        theirs,
        expected="a step of the counter",
        what=f"b's run adopted no step of the counter {actor} with inc 5 pending",
        came=theirs,
    )
    step = g.decode_object(
        bytes.fromhex(call_ok(second, "RUN-020.3", "rt-object", runtime=b, id=theirs[0])["bytes"])
    )
    if not isinstance(step, g.Step):
        fail("RUN-020.3", expected="a step", came=step, what="the step")
    if step.previous is None:
        fail("RUN-020.3", expected="a value", came=step.previous, what="step's previous")
    check_equal(
        "RUN-020.3",
        head,
        step.previous.hex(),
        f"b's step continues {step.previous.hex()}, not a's head {head} it read",
    )
    check_equal("RUN-020.3", b"7", count_of(second, b, actor, clause="RUN-020.3"))

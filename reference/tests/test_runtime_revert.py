"""Revert (RUN-024) and clearing a failed mark (RUN-025), in process: the store-level
functions, the runtime's methods, and what the protocol cannot reach — a swap lost to
another writer between the read and the swap (RUN-024.1, RUN-025.2), and the open
commit group committed before a revert reads the head (RUN-024.9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aio import run
from core_numbers import head_count
from hypothesis import given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit._errors import FrozenCore, InvalidRefTarget, ObjectNotFound, RefConflict
from gritwit.runtime import (
    Runtime,
    check_runtime,
    clear_failed,
    failed_ref,
    fork,
    history,
    revert,
    verify_actor,
)
from gritwit.store import Store, head_ref
from gritwit.wit import test_actor_core


async def _inc(rt: Runtime, actor: g.ObjectId) -> None:
    blob = g.Blob(data=b"1")
    await rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,))
    report = await rt.run_until_quiescent()
    assert report.quiescent and not report.failures


async def _counter(rt: Runtime, incs: int) -> g.ObjectId:
    core, objects = test_actor_core("counter", {})
    actor = await rt.genesis(core, objects)
    await rt.run_until_quiescent()
    for _ in range(incs):
        await _inc(rt, actor)
    return actor


def _steps(store: Store, actor: g.ObjectId) -> list[g.ObjectId]:
    """The actor's steps, oldest first (genesis step first)."""
    return [oid for oid, _ in history(store, actor)]


@pytest.mark.req("RUN-024.1", "RUN-024.2", "RUN-024.3", "RUN-024.5", "RUN-010.4")
@settings(max_examples=15, deadline=None)
@given(incs=st.integers(1, 5), back=st.integers(1, 5), more=st.integers(0, 3))
def test_a_reverted_counter_counts_on_from_the_step_it_went_back_to(
    incs: int, back: int, more: int
) -> None:
    """Any revert of a counter of ``incs`` steps to the step ``back`` steps below its head:
    the count is that step's, further incs count on from it, the history verifies."""
    back = min(back, incs)
    store = Store.memory()
    rt = Runtime(store)

    async def scenario() -> g.ObjectId:
        actor = await _counter(rt, incs)
        steps = _steps(store, actor)
        head = steps[-1]
        new = rt.revert(actor, steps[-1 - back])
        step = store.get_object(new)
        last = store.get_object(head)
        assert isinstance(step, g.Step) and isinstance(last, g.Step)
        assert (step.previous, step.inbox, step.outbox) == (head, last.inbox, last.outbox)
        assert head_count(store, actor) == incs - back
        # the actor is resident: the query answers from the new head, not the kept one
        assert rt.resident(actor) and int(rt.query(actor, "count").data) == incs - back
        assert (await rt.run_until_quiescent()).steps == ()  # nothing read again
        for _ in range(more):
            await _inc(rt, actor)
        return actor

    actor = run(scenario())
    assert head_count(store, actor) == incs - back + more
    assert verify_actor(store, actor).ok and check_runtime(store).ok


@pytest.mark.req("RUN-024.6")
def test_refusals_in_the_order_of_the_clause() -> None:
    store = Store.memory()
    rt = Runtime(store)
    actor = run(_counter(rt, 2))
    core, objects = test_actor_core("counter", {"tag": g.Blob(data=b"other")})
    other = run(rt.genesis(core, objects))
    run(rt.run_until_quiescent())
    steps = _steps(store, actor)
    unknown = g.object_id(g.Blob(data=b"absent"))
    with pytest.raises(ObjectNotFound, match=r"RUN-024\.6"):
        revert(store, unknown, steps[0])  # no head, whatever the step
    with pytest.raises(ObjectNotFound):
        revert(store, actor, unknown)
    with pytest.raises(InvalidRefTarget, match=r"RUN-024\.6"):
        revert(store, actor, _steps(store, other)[0])  # a step of another actor
    with pytest.raises(InvalidRefTarget, match=r"RUN-024\.6"):
        revert(store, actor, store.get_object(steps[0]).core)  # type: ignore[union-attr]
    with pytest.raises(InvalidRefTarget, match=r"RUN-024\.6"):
        revert(store, actor, steps[-1])  # the head
    # a step of the actor never adopted: the head's swap lost it (discarded, RUN-015)
    last = store.get_object(steps[-1])
    assert isinstance(last, g.Step)
    stray = store.put_object(g.Step(actor=actor, core=last.core, previous=steps[0]))
    with pytest.raises(InvalidRefTarget, match="not in its history"):
        revert(store, actor, stray)
    child = fork(store, actor, steps[1])
    with pytest.raises(InvalidRefTarget):
        revert(store, child, steps[0])  # the parent's history, not the child's own
    assert _steps(store, actor) == steps and head_count(store, actor) == 2  # nothing changed


@pytest.mark.req("RUN-024.6")
def test_the_walk_down_to_the_target_stops_at_a_step_of_another_actor() -> None:
    """A head whose chain passes a step of another actor before it reaches the target:
    the target is not in the actor's own history (RUN-024.6: a forked child's chain ends
    at its first step), though it lies further down.  No runtime writes such a chain;
    another writer of the store may, and the revert is refused all the same."""
    store = Store.memory()
    cores = []
    for tag in (b"a", b"b"):
        core, objects = test_actor_core("counter", {"tag": g.Blob(data=tag)})
        store.put_objects(objects)
        cores.append(g.object_id(core))
    actor, other = cores
    target = store.put_object(g.Step(actor=actor, core=actor))
    between = store.put_object(g.Step(actor=other, core=other, previous=target))
    head = store.put_object(g.Step(actor=actor, core=actor, previous=between))
    store.cas_ref(head_ref(actor), None, head)
    with pytest.raises(InvalidRefTarget, match="not in its history"):
        revert(store, actor, target)
    assert store.get_ref(head_ref(actor)) == head  # nothing adopted


@pytest.mark.req("RUN-024.7")
def test_a_frozen_core_is_not_reverted_to_other_code() -> None:
    store = Store.memory()
    rt = Runtime(store)
    actor = run(_counter(rt, 0))
    before = _steps(store, actor)[-1]
    frozen = g.Blob(data=b"1")
    update = g.Tree(entries={"frozen": g.object_id(frozen)})
    run(rt.send(actor, g.object_id(update), {"mt": "update"}, objects=(frozen, update)))
    run(rt.run_until_quiescent())
    run(_inc(rt, actor))
    head = _steps(store, actor)[-1]
    with pytest.raises(FrozenCore, match=r"RUN-024\.7"):
        rt.revert(actor, before)
    assert _steps(store, actor)[-1] == head
    rt.revert(actor, _steps(store, actor)[-2])  # the frozen step before the inc
    assert head_count(store, actor) == 0


def _swap_first(monkeypatch: pytest.MonkeyPatch, move: Callable[[], None]) -> None:
    """Make ``move`` (another writer's swap) happen just before the next swap of a store."""
    real = Store.cas_ref
    done: list[bool] = []

    def cas_ref(self: Store, name: str, expected: Any, new: Any) -> None:
        if not done:
            done.append(True)
            move()
        real(self, name, expected, new)

    monkeypatch.setattr(Store, "cas_ref", cas_ref)


@pytest.mark.req("RUN-024.1")
def test_a_revert_that_loses_its_swap_is_a_conflict_and_is_not_made_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store.memory()
    rt = Runtime(store)
    actor = run(_counter(rt, 2))
    steps = _steps(store, actor)
    genesis_step = store.get_object(steps[0])
    assert isinstance(genesis_step, g.Step)
    winner = store.put_object(g.Step(actor=actor, core=genesis_step.core, previous=steps[-1]))
    move = store.cas_ref  # bound before the patch: another writer's swap
    _swap_first(monkeypatch, lambda: move(head_ref(actor), steps[-1], winner))
    with pytest.raises(RefConflict, match=r"RUN-024\.1") as caught:
        revert(store, actor, steps[0])
    assert caught.value.current == winner
    assert store.get_ref(head_ref(actor)) == winner  # the winner's step stays the head


@pytest.mark.req("RUN-025.1", "RUN-025.2")
@pytest.mark.parametrize("meanwhile", ["cleared", "marked again"])
def test_a_clear_that_loses_its_swap_reads_the_mark_again(
    monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    store = Store.memory()
    actor = g.object_id(g.Blob(data=b"an actor"))
    name = failed_ref(actor)
    first, second = (store.put_object(g.Blob(data=d)) for d in (b"one", b"two"))
    store.cas_ref(name, None, first)
    real = store.cas_ref  # bound before the patch: another writer's swap
    if meanwhile == "cleared":
        _swap_first(monkeypatch, lambda: real(name, first, None))
        assert clear_failed(store, actor) is False  # another writer cleared it
    else:
        _swap_first(monkeypatch, lambda: real(name, first, second))
        assert clear_failed(store, actor) is True  # the new mark is deleted
    assert store.get_ref(name) is None
    assert clear_failed(store, actor) is False  # nothing to clear now


@pytest.mark.req("RUN-025.1", "RUN-025.3", "RUN-024.8")
def test_the_runtime_runs_a_cleared_actor_again_with_fresh_attempts() -> None:
    """``Runtime.clear_failed`` in the runtime that marked the actor: its next run (not
    rounds) retries the pending messages the full number of attempts again."""
    store = Store.memory()

    async def instant(_: float) -> None:
        return None

    rt = Runtime(store, sleep=instant)
    core, objects = test_actor_core("failing", {})

    async def scenario() -> tuple[g.ObjectId, int, int]:
        actor = await rt.genesis(core, objects)
        first = await rt.run_until_quiescent()
        assert {f.actor for f in first.failures} == {actor}
        marked = len(rt.failures)
        assert rt.clear_failed(actor) is True and rt.failed(actor) is None
        assert rt.clear_failed(actor) is False
        again = await rt.run_until_quiescent()
        assert {f.actor for f in again.failures} == {actor}
        return actor, marked, len(rt.failures) - marked

    actor, marked, retried = run(scenario())
    assert marked == retried == rt.attempts  # five, then five afresh
    assert store.get_ref(failed_ref(actor)) is not None


@pytest.mark.req("RUN-024.9")
def test_a_revert_commits_the_open_group_first() -> None:
    """A grouped send waits in the open group (RUN-019.2); ``Runtime.revert`` commits it
    before it reads the head, so the send is durable when the revert returns."""
    store = Store.memory()
    rt = Runtime(store)  # commit="group", send_commit="group": the defaults
    actor = run(_counter(rt, 2))
    steps = _steps(store, actor)
    before = {name: target for name, target in store.list_ref_targets("names/outside-outbox/")}
    blob = g.Blob(data=b"1")
    run(rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,)))
    assert dict(store.list_ref_targets("names/outside-outbox/")) == before  # not yet
    rt.revert(actor, steps[0])
    assert dict(store.list_ref_targets("names/outside-outbox/")) != before
    run(rt.run_until_quiescent())
    assert head_count(store, actor) == 1  # the inc counted once, from the reverted count 0


@pytest.mark.req("RUN-024.10", "RUN-024.1")
def test_a_revert_given_a_head_reverts_only_from_that_head() -> None:
    store = Store.memory()
    rt = Runtime(store)
    actor = run(_counter(rt, 2))
    steps = _steps(store, actor)
    held = set(store.iter_ids())
    with pytest.raises(RefConflict) as info:
        rt.revert(actor, steps[0], head=steps[1])  # chose against the head before the last
    assert info.value.requirement == "RUN-024.10"
    assert set(store.iter_ids()) == held and store.get_ref(head_ref(actor)) == steps[-1]
    new = rt.revert(actor, steps[0], head=steps[-1])
    assert store.get_ref(head_ref(actor)) == new and head_count(store, actor) == 0


def _updater_to_fail() -> tuple[Store, Runtime, dict[str, Any], g.ObjectId, list[g.ObjectId]]:
    """An updater whose steps are G (its genesis), B (its code set to ``failing``) and two
    reverts, to G then to B: the head's core fails every transition (WIT-024), and both a
    core that runs (G's) and one that fails (B's) lie below it.  ``hook["then"]``, when set,
    is called at the first back-off of a retry (RUN-004.3) and removed."""
    store = Store.memory()
    hook: dict[str, Any] = {}

    async def sleep(_: float) -> None:
        then = hook.pop("then", None)
        if then is not None:
            then()

    rt = Runtime(store, sleep=sleep)
    core, objects = test_actor_core("updater", {})

    async def scenario() -> g.ObjectId:
        actor = await rt.genesis(core, objects)
        await rt.run_until_quiescent()
        code = g.Blob(data=b"failing")
        await rt.send(actor, g.object_id(code), {"mt": "set-code"}, objects=(code,))
        await rt.run_until_quiescent()
        return actor

    actor = run(scenario())
    steps = _steps(store, actor)
    rt.revert(actor, steps[0])
    rt.revert(actor, steps[1])
    return store, rt, hook, actor, steps


@pytest.mark.req("RUN-024.11", "RUN-024.2")
@pytest.mark.parametrize("to", [0, 1], ids=["to-a-core-that-runs", "to-a-core-that-fails"])
def test_a_revert_during_a_retry_is_no_attempt_and_keeps_the_count(to: int) -> None:
    """A poke fails from the head; at its first back-off the actor is reverted.  To G's
    core the retry (its second attempt) adopts a step after the revert step: one failed
    attempt in all and no mark.  To B's core the retries fail from the revert step and
    the actor is marked after five attempts in all, not five more after the revert."""
    store, rt, hook, actor, steps = _updater_to_fail()
    made: list[g.ObjectId] = []
    hook["then"] = lambda: made.append(rt.revert(actor, steps[to]))
    before = len(rt.failures)
    poke = g.Blob(data=b"")

    async def scenario() -> None:
        await rt.send(actor, g.object_id(poke), {"mt": "poke"}, objects=(poke,))
        await rt.run_until_quiescent()

    run(scenario())
    failed = len(rt.failures) - before
    head = store.get_ref(head_ref(actor))
    assert head is not None and len(made) == 1
    if to == 0:
        step = store.get_object(head)
        assert isinstance(step, g.Step) and step.previous == made[0]  # RUN-024.2
        assert (failed, rt.failed(actor)) == (1, None)
    else:
        assert head == made[0]  # nothing adopted after the revert
        assert failed == rt.attempts == 5  # not 1 + 5: the revert restarted nothing
        record = rt.failed(actor)
        assert record is not None and record["attempts"] == 5


@pytest.mark.req("RUN-025.4")
def test_a_cleared_or_reverted_actor_is_busy_until_a_run_looks_at_it() -> None:
    """Resident and marked failed, an actor is idle (RUN-012.1); cleared, it is busy until
    the next run; a reverted counter with nothing pending likewise."""
    store, rt, _, actor, _ = _updater_to_fail()
    poke = g.Blob(data=b"")

    async def failed_once() -> None:
        await rt.send(actor, g.object_id(poke), {"mt": "poke"}, objects=(poke,))
        await rt.run_until_quiescent()

    run(failed_once())
    assert rt.failed(actor) is not None and rt.resident(actor)
    assert rt.clear_failed(actor) is True
    assert actor not in rt.evict_idle(everything_idle=True)  # busy: a run is to look
    run(rt.run_until_quiescent())  # five attempts more, marked again
    assert rt.failed(actor) is not None
    assert rt.evict_idle(everything_idle=True) == [actor]  # failed: idle again
    counter = run(_counter(rt, 1))
    assert rt.resident(counter)
    rt.revert(counter, _steps(store, counter)[0])
    assert counter not in rt.evict_idle(everything_idle=True)
    run(rt.run_until_quiescent())
    assert rt.evict_idle(everything_idle=True) == [counter]

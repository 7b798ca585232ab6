"""Runs to quiescence (``Runtime.run_until_quiescent``, the service's and the command
line's runs), where ``rt-run``'s rounds do not go (RUN-023.1, RUN-017.6, RUN-012.3).

* each run counts its bytes from zero: under ``max_run_bytes`` 1 every run adopts one
  step and stops, the next one too (RUN-023.1, RUN-023.2);
* a run cancelled while its group is open keeps nothing of the group: the next run
  builds its actors' steps again from their heads, so an actor sent a message meanwhile
  reads its genesis and the message in one step (RUN-017.6, RUN-017.3);
* the eviction rules are evaluated before a pass starts its transitions, not only when
  the run ends: an actor idle past ``idle_after`` is archived before another one is
  restored by its transition (RUN-012.3, RUN-014.1);
* a member lost to another writer's swap runs again within the run (RUN-017.4);
* a run at its bound waits for its running transition rather than polling (RUN-018.2);
* an error of the runtime itself in a transition run as a task fails the run
  (RUN-017.6), and an inline step that halts the run leaves its actor idle (RUN-018.3).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aio import run
from races import move_head

import gritwit as g
from gritwit.runtime import LifecycleEvent, Runtime, _group, history
from gritwit.runtime._resident import ResidentActors
from gritwit.runtime._transition import Transitions
from gritwit.store import Store
from gritwit.wit import test_actor_core


async def _inc(rt: Runtime, actor: g.ObjectId) -> None:
    blob = g.Blob(data=b"1")
    await rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,))


@pytest.mark.req("RUN-023.1", "RUN-023.2", "RUN-023.3")
def test_each_run_counts_its_bytes_from_zero() -> None:
    rt = Runtime(Store.memory(), max_run_bytes=1)

    async def go() -> list[int]:
        actor = await rt.genesis(*test_actor_core("counter", {}))
        adopted = [len((await rt.run_until_quiescent()).steps)]
        for _ in range(3):
            await _inc(rt, actor)
            adopted.append(len((await rt.run_until_quiescent()).steps))
        return adopted

    assert run(go()) == [1, 1, 1, 1]


@pytest.mark.req("RUN-017.6", "RUN-017.3", "RUN-017.5")
def test_a_cancelled_run_keeps_nothing_of_its_open_group() -> None:
    """Two counters' geneses are adopted into the open group while a ``sleepy`` naps in
    its thread; the run is cancelled then. Nothing of the group is stored, and after an
    ``inc`` to each counter the next run builds each counter's first step from nothing:
    one step reading the genesis and the ``inc``."""
    store = Store.memory()
    rt = Runtime(store)  # commit="group": the default

    async def go() -> tuple[g.ObjectId, g.ObjectId]:
        sleepy = await rt.genesis(*test_actor_core("sleepy", {}))
        await rt.run_until_quiescent()
        nap = g.Blob(data=b"600")
        await rt.send(sleepy, g.object_id(nap), {"mt": "nap"}, objects=(nap,))
        a = await rt.genesis(*test_actor_core("counter", {"tag": g.Blob(data=b"a")}))
        b = await rt.genesis(*test_actor_core("counter", {"tag": g.Blob(data=b"b")}))
        task = asyncio.ensure_future(rt.run_until_quiescent())
        await asyncio.sleep(0.2)  # the geneses adopted inline, the nap under way
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert rt.head(a) is None and rt.head(b) is None  # nothing of the group stored
        await _inc(rt, a)
        await _inc(rt, b)
        await rt.run_until_quiescent()
        return a, b

    for actor in run(go()):
        assert len(list(history(store, actor))) == 1, actor
        assert rt.query(actor, "count").data == b"1"


@pytest.mark.req("RUN-012.3", "RUN-014.1", "RUN-013.1")
def test_idle_eviction_comes_before_the_pass_s_transitions() -> None:
    """A resident, idle past ``idle_after``; B archived, then sent a message: the run that
    restores B for its transition archives A first."""
    now = [1000.0]
    rt = Runtime(Store.memory(), idle_after=10.0, clock=lambda: now[0])
    events: list[LifecycleEvent] = []

    async def go() -> tuple[g.ObjectId, g.ObjectId]:
        a = await rt.genesis(*test_actor_core("counter", {"tag": g.Blob(data=b"a")}))
        b = await rt.genesis(*test_actor_core("counter", {"tag": g.Blob(data=b"b")}))
        await rt.run_until_quiescent()
        assert sorted(rt.evict_idle(everything_idle=True)) == sorted([a, b])
        await _inc(rt, a)
        await rt.run_until_quiescent()  # A restored and used at 1000
        assert rt.resident(a) and not rt.resident(b)
        now[0] = 1020.0
        rt.subscribe(events.append)
        await _inc(rt, b)
        await rt.run_until_quiescent()
        return a, b

    a, b = run(go())
    assert [(e.kind, e.actor) for e in events] == [
        ("archived", a),
        ("restore-requested", b),
        ("restored", b),
    ], events


@pytest.mark.req("RUN-017.4", "RUN-002.3", "RUN-006")
def test_a_member_lost_to_another_writer_runs_again_in_the_same_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two counters sent an ``inc``; as the run commits their steps, another writer moves
    the first one's head (a step keeping its core and inbox). That member is lost; the
    run builds its step again on the winner's and answers quiescent with it adopted."""
    store = Store.memory()
    rt = Runtime(store)
    raced: list[g.ObjectId] = []
    real = _group.CommitGroup.commit

    def race_then_commit(self: _group.CommitGroup, st: Store, wake: bool = True) -> Any:
        if not raced and self.members:
            actor = self.members[0].actor
            raced.append(actor)
            move_head(st, actor)  # the other writer wins
        return real(self, st, wake)

    async def setup() -> list[g.ObjectId]:
        actors = [
            await rt.genesis(*test_actor_core("counter", {"tag": g.Blob(data=tag)}))
            for tag in (b"a", b"b")
        ]
        await rt.run_until_quiescent()
        for actor in actors:
            await _inc(rt, actor)
        return actors

    actors = run(setup())
    monkeypatch.setattr(_group.CommitGroup, "commit", race_then_commit)
    report = run(rt.run_until_quiescent())
    assert raced and rt.group_losses >= 1
    assert report.quiescent, report
    for actor in actors:
        assert rt.query(actor, "count").data == b"1", actor
    assert len(list(history(store, raced[0]))) == 3  # genesis, the winner's, the inc


@pytest.mark.req("RUN-018.2", "RUN-018.1")
def test_a_run_at_its_bound_waits_for_its_transition_without_polling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``max_steps`` 1: a ``sleepy`` naps 300 ms in its thread and a counter's ``inc``
    waits behind the bound. The run waits for the nap; it does not go round its passes
    meanwhile (each pass asks whether eviction is due: counted here)."""
    passes = [0]
    real = ResidentActors.may_evict

    def counted(self: ResidentActors) -> bool:
        passes[0] += 1
        return real(self)

    rt = Runtime(Store.memory())

    async def go() -> None:
        sleepy = await rt.genesis(*test_actor_core("sleepy", {}))
        counters = [
            await rt.genesis(*test_actor_core("counter", {"tag": g.Blob(data=b"%d" % i)}))
            for i in range(8)
        ]
        await rt.run_until_quiescent()
        nap = g.Blob(data=b"300")
        await rt.send(sleepy, g.object_id(nap), {"mt": "nap"}, objects=(nap,))
        later = [c for c in counters if c.digest > sleepy.digest]
        assert later, "some counter's id sorts after sleepy's"
        await _inc(rt, later[0])
        monkeypatch.setattr(ResidentActors, "may_evict", counted)
        report = await rt.run_until_quiescent(max_steps=1)
        assert [a for a, _ in report.steps] == [sleepy] and not report.quiescent

    run(go())
    assert passes[0] < 20, passes


@pytest.mark.req("RUN-017.6", "RUN-018.3")
def test_an_error_of_the_runtime_in_a_threaded_transition_fails_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ``sleepy``'s nap runs in a thread, as a task of the run; the store fails as its
    step is adopted (an error of the runtime, not of the Wit): the run raises it rather
    than answer quiescent with the nap unread, and the next run adopts the step."""
    rt = Runtime(Store.memory())

    async def setup() -> g.ObjectId:
        sleepy = await rt.genesis(*test_actor_core("sleepy", {}))
        await rt.run_until_quiescent()
        nap = g.Blob(data=b"1")
        await rt.send(sleepy, g.object_id(nap), {"mt": "nap"}, objects=(nap,))
        return sleepy

    sleepy = run(setup())

    def broken(self: Transitions, *args: Any, **kwargs: Any) -> bool:
        raise OSError("disk gone")

    with monkeypatch.context() as patch:
        patch.setattr(Transitions, "_adopt", broken)
        with pytest.raises(OSError, match="disk gone"):
            run(rt.run_until_quiescent())
    report = run(rt.run_until_quiescent())
    assert [a for a, _ in report.steps] == [sleepy] and report.quiescent


@pytest.mark.req("RUN-018.3", "RUN-023.2")
def test_an_inline_step_that_halts_the_run_leaves_its_actor_idle() -> None:
    """``max_run_bytes`` 1: a counter's genesis step, built inline, reaches the bound; the
    counter read everything pending, so the run leaves nobody busy."""
    rt = Runtime(Store.memory(), max_run_bytes=1)

    async def go() -> g.ObjectId:
        actor = await rt.genesis(*test_actor_core("counter", {}))
        report = await rt.run_until_quiescent()
        assert [a for a, _ in report.steps] == [actor]
        return actor

    run(go())
    assert rt.run_bytes >= 1  # the bound reached: the run halted (RUN-023.2)
    assert rt.busy() == []

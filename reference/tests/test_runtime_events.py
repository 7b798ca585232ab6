"""Eviction, restore on demand and lifecycle events of the reference runtime (RUN-012 … RUN-014)."""

from __future__ import annotations

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import LifecycleEvent, Runtime, heads
from gritwit.wit import test_actor_core


def _blob(text: str) -> g.Blob:
    return g.Blob(data=text.encode())


class FakeClock:
    """A clock the test moves by hand: no sleeping (RUN-012's idle timeout)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _spawn(rt: Runtime, name: str, tag: str) -> g.ObjectId:
    core, objects = test_actor_core(name, {"tag": _blob(tag)})
    return await rt.genesis(core, objects)


async def _say(rt: Runtime, to: g.ObjectId, mt: str, text: str = "") -> None:
    blob = _blob(text)
    await rt.send(to, g.object_id(blob), {"mt": mt}, objects=(blob,))


async def _ask(rt: Runtime, requester: g.ObjectId, to: g.ObjectId, question: str) -> None:
    q = _blob(question)
    to_blob = _blob(to.hex())
    tree = g.Tree(entries={"to": g.object_id(to_blob), "question": g.object_id(q)})
    await rt.send(requester, g.object_id(tree), {"mt": "ask"}, objects=(q, to_blob, tree))


async def _workload(rt: Runtime) -> list[g.ObjectId]:
    """Five actors; messages go back and forth, each operation run to quiescence (RUN-006)."""
    counters = [await _spawn(rt, "counter", str(i)) for i in range(3)]
    echo = await _spawn(rt, "echo", "e")
    requester = await _spawn(rt, "requester", "r")
    await rt.run_until_quiescent()
    for round_ in range(3):
        for i, counter in enumerate(counters):
            await _say(rt, counter, "inc", str(i + round_ + 1))
            await rt.run_until_quiescent()
        await _ask(rt, requester, echo, f"question {round_}")
        await rt.run_until_quiescent()
    return [*counters, echo, requester]


def _recorder(rt: Runtime) -> list[LifecycleEvent]:
    events: list[LifecycleEvent] = []
    rt.subscribe(events.append)
    return events


@pytest.mark.req("RUN-012.2", "RUN-012.5", "RUN-014.1")
def test_capacity_pressure_archives_without_changing_any_step() -> None:
    limited_store, free_store = g.Store.memory(), g.Store.memory()
    limited = Runtime(limited_store, max_resident=2)
    free = Runtime(free_store, max_resident=None, idle_after=None)
    events = _recorder(limited)
    free_events = _recorder(free)
    actors = run(_workload(limited))
    assert run(_workload(free)) == actors
    assert heads(limited_store) == heads(free_store)
    assert len(set(heads(free_store))) == 5
    archived = [e for e in events if e.kind == "archived"]
    assert archived and {e.reason for e in archived} == {"capacity"}
    assert sum(limited.resident(a) for a in actors) <= 2
    assert free_events == [] and all(free.resident(a) for a in actors)
    # RUN-014: per actor, archived -> restore-requested (by a message) -> restored.
    restores = 0
    for actor in actors:
        mine = [(e.kind, e.reason) for e in events if e.actor == actor]
        for before, event in zip([None, *mine], mine, strict=False):
            if event[0] == "restore-requested":
                restores += 1
                assert event[1] == "message" and before == ("archived", "capacity")
            if event[0] == "restored":
                assert before == ("restore-requested", "message")
    assert restores > 0


@pytest.mark.req("RUN-012.5", "RUN-013.1")
def test_max_resident_one_gives_the_same_heads_and_answers() -> None:
    one_store, free_store = g.Store.memory(), g.Store.memory()
    one = Runtime(one_store, max_resident=1)
    free = Runtime(free_store, max_resident=None)
    actors = run(_workload(one))
    run(_workload(free))
    assert heads(one_store) == heads(free_store)
    for counter, expected in zip(actors[:3], (6, 9, 12), strict=True):  # sum of i+r+1 over r < 3
        assert one.query(counter, "count").data == str(expected).encode()
    assert one.query(actors[4], "answer").data == b"question 2"


@pytest.mark.req("RUN-012.3", "RUN-014.1")
def test_idle_timeout_with_a_fake_clock() -> None:
    clock = FakeClock()
    rt = Runtime(g.Store.memory(), idle_after=300, clock=clock)
    events = _recorder(rt)

    async def scenario() -> tuple[g.ObjectId, g.ObjectId]:
        a = await _spawn(rt, "counter", "a")
        b = await _spawn(rt, "counter", "b")
        await rt.run_until_quiescent()
        clock.now += 200
        await _say(rt, b, "inc", "1")  # b is used again; a is not
        await rt.run_until_quiescent()
        assert events == []
        clock.now += 150  # a idle 350 s, b idle 150 s
        await rt.run_until_quiescent()
        return a, b

    a, b = run(scenario())
    assert events == [LifecycleEvent("archived", a, "idle")]
    assert not rt.resident(a) and rt.resident(b)


@pytest.mark.req("RUN-013.1", "RUN-013.2", "RUN-014.2")
def test_restore_on_message_in_event_order() -> None:
    clock = FakeClock()
    store = g.Store.memory()
    rt = Runtime(store, idle_after=10, clock=clock)
    events = _recorder(rt)

    async def scenario() -> g.ObjectId:
        a = await _spawn(rt, "counter", "a")
        await rt.run_until_quiescent()
        clock.now += 11
        await rt.run_until_quiescent()
        assert not rt.resident(a)
        await _say(rt, a, "inc", "5")
        await rt.run_until_quiescent()
        return a

    a = run(scenario())
    kinds = [(e.kind, e.reason) for e in events if e.actor == a]
    assert kinds == [("archived", "idle"), ("restore-requested", "message"), ("restored", None)]
    assert rt.resident(a)
    assert rt.query(a, "count").data == b"5"


@pytest.mark.req("RUN-013.1", "RUN-013.3", "RUN-014.2")
def test_restore_on_query_in_event_order() -> None:
    clock = FakeClock()
    rt = Runtime(g.Store.memory(), idle_after=10, clock=clock)
    events = _recorder(rt)

    async def scenario() -> g.ObjectId:
        a = await _spawn(rt, "counter", "a")
        await _say(rt, a, "inc", "3")
        await rt.run_until_quiescent()
        clock.now += 10
        await rt.run_until_quiescent()
        return a

    a = run(scenario())
    head = rt.head(a)
    seen: list[tuple[str, bool]] = []
    rt.subscribe(lambda e: seen.append((e.kind, rt.resident(e.actor))))
    assert rt.query(a, "count").data == b"3"
    assert [(e.kind, e.reason) for e in events] == [
        ("archived", "idle"),
        ("restore-requested", "query"),
        ("restored", None),
    ]
    # RUN-014: restore-requested before the head is loaded, restored after.
    assert seen == [("restore-requested", False), ("restored", True)]
    assert rt.head(a) == head


@pytest.mark.req("RUN-014.3")
def test_archived_is_emitted_after_the_state_was_dropped() -> None:
    rt = Runtime(g.Store.memory(), max_resident=0)
    seen: list[tuple[str, bool]] = []
    rt.subscribe(lambda e: seen.append((e.kind, rt.resident(e.actor))))

    async def scenario() -> None:
        await _spawn(rt, "counter", "a")
        await rt.run_until_quiescent()

    run(scenario())
    assert seen == [("archived", False)]


@pytest.mark.req("RUN-014.5", "RUN-014.4")
def test_a_raising_observer_does_not_affect_transitions() -> None:
    bad_store, good_store = g.Store.memory(), g.Store.memory()
    bad = Runtime(bad_store, max_resident=1)
    good = Runtime(good_store, max_resident=1)

    def explode(event: LifecycleEvent) -> None:
        raise RuntimeError(f"observer fails on {event.kind}")

    bad.subscribe(explode)
    events = _recorder(bad)  # a later observer still sees every event
    run(_workload(bad))
    run(_workload(good))
    assert heads(bad_store) == heads(good_store)
    assert bad.observer_errors == len(events) > 0
    assert bad.failures == []


@pytest.mark.req("RUN-014.1")
def test_unsubscribe_stops_delivery() -> None:
    rt = Runtime(g.Store.memory(), max_resident=0)
    events: list[LifecycleEvent] = []
    unsubscribe = rt.subscribe(events.append)
    unsubscribe()

    async def scenario() -> None:
        await _spawn(rt, "counter", "a")
        await rt.run_until_quiescent()

    run(scenario())
    assert events == []

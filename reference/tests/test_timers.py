"""The reference's timer service through its Python API and ``gritwit actor timers``
(TIM-001 … TIM-007; the suite's ``services`` profile judges it through the adapter).

Expected values come from the clauses: a timer set for *t* fires once the clock reads
*t*; a runtime with a share reads only its own actors' requests and fires only their
timers (TIM-006.3); the listing is the party's head core, soonest first (TIM-005.2).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from gritwit import Blob, ObjectId, Store, Tree, object_id
from gritwit._commands import main
from gritwit.runtime import (
    SERVICE_TEST_ACTORS,
    TIMER,
    Runtime,
    Share,
    TimerBounds,
    TimerService,
    _timers,
    pending_timers,
)
from gritwit.wit import TEST_ACTORS, mailbox_map, test_actor_core

ACTORS = {**TEST_ACTORS, **SERVICE_TEST_ACTORS}


def _request(after: int, mt: str = "ring") -> tuple[ObjectId, list[Blob | Tree]]:
    """A ``timer`` message's content for ``alarm`` (TIM-008.1)."""
    headers = {"mt": "timer-set", "timer-mt": mt, "timer-after": str(after)}
    request, content = Blob(data=b"", headers=headers), Blob(data=b"x")
    tree = Tree(entries={"request": object_id(request), "content": object_id(content)})
    return object_id(tree), [request, content, tree]


async def _alarm(runtime: Runtime, seed: int) -> ObjectId:
    core, objects = test_actor_core("alarm", {"seed": Blob(data=b"%d" % seed)})
    actor = await runtime.genesis(core, objects)
    await runtime.run_until_quiescent()
    return actor


def _alarm_with(
    runtime: Runtime, service: TimerService, requests: list[tuple[ObjectId, list[Blob | Tree]]]
) -> ObjectId:
    """A new ``alarm`` sent ``requests`` as ``timer`` messages and run; then one pass of
    the timer party, which takes them as its timers, and the group committed."""

    async def scenario() -> ObjectId:
        actor = await _alarm(runtime, 1)
        for content, objects in requests:
            await runtime.send(actor, content, {"mt": "timer"}, objects, False)
        await runtime.run_until_quiescent()
        return actor

    alarm = asyncio.run(scenario())
    assert service.run_pass() is not None
    runtime.flush()
    return alarm


def _fired_to(store: Store, actor: ObjectId) -> int:
    """How many messages the timer party sent ``actor`` (its queue, WIT-004)."""
    head = store.get_ref(f"heads/{TIMER.hex()}")
    if head is None:
        return 0
    step = store.get_object(head)
    last = mailbox_map(store, step.outbox).get(actor)  # type: ignore[union-attr]
    count = 0
    while last is not None:
        count += 1
        last = store.get_object(last).previous  # type: ignore[union-attr]
    return count


@pytest.mark.req("TIM-006.3", "TIM-001.4")
def test_each_share_reads_and_fires_only_its_own_actors_timers() -> None:
    store = Store.memory()
    now = [1_000]
    shares = [Share(k=0, n=2), Share(k=1, n=2)]
    runtimes = [Runtime(store, actors=ACTORS, share=s) for s in shares]
    services = [TimerService(r.service_door, clock=lambda: now[0]) for r in runtimes]

    async def scenario() -> dict[int, list[ObjectId]]:
        by_share: dict[int, list[ObjectId]] = {0: [], 1: []}
        seed = 0
        while min(len(v) for v in by_share.values()) < 2:
            seed += 1
            core, _ = test_actor_core("alarm", {"seed": Blob(data=b"%d" % seed)})
            k = int.from_bytes(object_id(core).digest[:8], "big") % 2  # RUN-021.1
            if len(by_share[k]) < 2:
                by_share[k].append(await _alarm(runtimes[k], seed))
        for k, actors in by_share.items():
            for actor in actors:
                content, objects = _request(100)
                await runtimes[k].send(actor, content, {"mt": "timer"}, objects, False)
            await runtimes[k].run_until_quiescent()
        return by_share

    by_share = asyncio.run(scenario())
    services[0].run_pass()  # share 0 reads its own requests only
    assert {t.setter for t in pending_timers(store)} == set(by_share[0])
    services[1].run_pass()
    assert len(pending_timers(store)) == 4
    now[0] += 100
    services[0].run_pass()  # fires share 0's alone
    assert {t.setter for t in pending_timers(store)} == set(by_share[1])
    assert [_fired_to(store, a) for a in by_share[0]] == [1, 1]
    assert [_fired_to(store, a) for a in by_share[1]] == [0, 0]
    services[1].run_pass()
    assert pending_timers(store) == []
    assert services[0].fires == 2 and services[1].fires == 2


@pytest.mark.req("TIM-005.2")
def test_gritwit_actor_timers_lists_what_the_party_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = tmp_path / "store"
    with Store.open(where) as store:
        runtime = Runtime(store, actors=ACTORS)
        service = TimerService(runtime.service_door, clock=lambda: 50_000)

        alarm = _alarm_with(runtime, service, [_request(300), _request(100)])
    assert main(["actor", "timers", "--store", str(where), alarm.hex(), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["to"], r["mt"], r["set_for"]) for r in rows] == [
        (alarm.hex(), "ring", 50_100),
        (alarm.hex(), "ring", 50_300),
    ]
    assert main(["actor", "timers", "--store", str(where), alarm.hex()]) == 0
    assert capsys.readouterr().out.count("set for ") == 2


@pytest.mark.req("TIM-001.1")
def test_the_timer_partys_id_is_the_id_of_its_core() -> None:
    wit = Blob(data=b"timer", headers={"runtime": "service"})
    assert object_id(Tree(entries={"wit": object_id(wit)})) == TIMER
    assert TIMER.hex() == "11823c2f8ea7156efb8fcc261c72d5c254584cd3fcdecd1f6bb93d2d755bcada"


@pytest.mark.slow
@pytest.mark.req("HTTP-007.10", "TIM-003.5", "TIM-005.2")
def test_a_service_fires_at_its_start_what_fell_due_while_it_was_down(tmp_path: Path) -> None:
    """Timers set on a clock of 1970 are long due when ``gritwit serve`` starts on the
    store: it fires them at once, with the time of day as ``timer-fired-at``; a timer a
    day ahead stays pending and ``GET /v1/actors/{actor}/timers`` lists it alone."""
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    import time

    from service_proc import start, stopping

    where = tmp_path / "store"
    ahead = int(time.time() * 1000) + 86_400_000
    with Store.open(where) as store:
        runtime = Runtime(store, actors=ACTORS)
        # a clock of 1970, and a max_delay that reaches today (TIM-004.4)
        service = TimerService(
            runtime.service_door, clock=lambda: 0, bounds=TimerBounds(max_delay=10**15)
        )

        alarm = _alarm_with(runtime, service, [_request(1_000), _at(ahead)])
    with Store.open(where) as store:
        assert [t.set_for for t in pending_timers(store, alarm)] == [1_000, ahead]
    before = int(time.time() * 1000)
    served = start(where)
    with stopping([served]):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            listed = httpx.get(f"{served.url}/v1/actors/{alarm.hex()}/timers").json()
            if len(listed["timers"]) == 1:
                break
            time.sleep(0.1)
        assert [t["set_for"] for t in listed["timers"]] == [ahead], listed
        assert served.stop() == 0
    with Store.open(where) as store:
        assert _fired_to(store, alarm) == 1
        head = store.get_ref(f"heads/{TIMER.hex()}")
        step = store.get_object(head)  # type: ignore[arg-type]
        last = store.get_object(mailbox_map(store, step.outbox)[alarm])  # type: ignore[union-attr]
        assert last.headers["timer-set-for"] == "1000"  # type: ignore[union-attr]
        assert int(last.headers["timer-fired-at"]) >= before  # type: ignore[union-attr]


def _at(at: int) -> tuple[ObjectId, list[Blob | Tree]]:
    """A ``timer`` message asking for a timer at ``at`` (TIM-002.1)."""
    headers = {"mt": "timer-set", "timer-mt": "later", "timer-at": str(at)}
    request, content = Blob(data=b"", headers=headers), Blob(data=b"y")
    tree = Tree(entries={"request": object_id(request), "content": object_id(content)})
    return object_id(tree), [request, content, tree]


class _Counting:
    """A store's reads, counted: what a listing of the timers pending read."""

    def __init__(self, store: Store) -> None:
        self.store, self.reads = store, 0

    def get_ref(self, name: str) -> ObjectId | None:
        return self.store.get_ref(name)

    def get_object(self, oid: ObjectId) -> object:
        self.reads += 1
        return self.store.get_object(oid)


@pytest.mark.req("TIM-005.2", "TIM-006.2")
def test_a_listing_reads_no_timer_again_while_a_service_holds_its_table() -> None:
    store = Store.memory()
    now = [10_000]
    runtime = Runtime(store, actors=ACTORS)
    service = TimerService(runtime.service_door, clock=lambda: now[0])
    alarm = _alarm_with(runtime, service, [_request(100 * (i + 1)) for i in range(20)])
    runtime.flush()
    counting = _Counting(store)
    held = pending_timers(counting, alarm)  # type: ignore[arg-type]
    assert counting.reads == 1, "the party's head step alone: its core's table is held"
    _timers._HELD.clear()  # as a process that runs no service (gritwit actor timers)
    counting.reads = 0
    read = pending_timers(counting, alarm)  # type: ignore[arg-type]
    assert counting.reads > 20, "read from the store: each timer's entry at least"
    assert held == read and len(read) == 20
    now[0] += 100
    assert service.run_pass() is not None  # the first fires: the service holds the new core
    runtime.flush()
    counting.reads = 0
    after = pending_timers(counting, alarm)  # type: ignore[arg-type]
    assert counting.reads == 1 and after == read[1:]

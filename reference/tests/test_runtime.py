"""The reference runtime: scale, CAS retry, failures, time limits, recovery (RUN-001 … RUN-007)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aio import run
from core_numbers import head_count

import gritwit as g
from gritwit.runtime import Runtime, check_runtime, failed_ref, history
from gritwit.wit import (
    OUTSIDE,
    TEST_ACTORS,
    Executor,
    TransitionInput,
    TransitionOutput,
    mailbox_entries,
    outside_entries,
    outside_ref,
    pending,
    read_outside,
    test_actor_core,
)


def _blob(text: str) -> g.Blob:
    return g.Blob(data=text.encode())


async def _spawn(rt: Runtime, name: str, tag: str = "") -> g.ObjectId:
    core, objects = test_actor_core(name, {"tag": _blob(tag)} if tag else None)
    return await rt.genesis(core, objects)


async def _say(rt: Runtime, to: g.ObjectId, mt: str, text: str = "") -> g.ObjectId:
    blob = _blob(text)
    return await rt.send(to, g.object_id(blob), {"mt": mt}, objects=(blob,))


def _outside_messages(store: g.Store, actor: g.ObjectId) -> list[g.Message]:
    """Everything the outside ever queued to ``actor``, oldest first."""
    entry = outside_entries(store, read_outside(store)).get(actor)
    return [item.message for item in pending(store, entry, None)]


@pytest.mark.req("RUN-006.1", "WIT-020")
def test_two_thousand_counters_in_one_process() -> None:
    store = g.Store.memory()
    rt = Runtime(store)

    async def scenario() -> list[g.ObjectId]:
        cores = [test_actor_core("counter", {"tag": _blob(str(i))}) for i in range(2000)]
        actors = [g.object_id(core) for core, _ in cores]
        amounts = [_blob(str(i % 7)) for i in range(7)]
        objects = [*amounts, *(obj for _, objs in cores for obj in objs)]
        genesis = [(a, a, {"mt": "genesis"}, False) for a in actors]
        incs = [
            (a, g.object_id(amounts[i % 7]), {"mt": "inc"}, False) for i, a in enumerate(actors)
        ]
        await rt.send_all([*genesis, *incs], objects)
        report = await rt.run_until_quiescent()
        assert report.quiescent and not report.failures
        assert len(report.steps) == 2000  # genesis and inc are read in one first step
        return actors

    actors = run(scenario())
    assert [head_count(store, a) for a in actors] == [i % 7 for i in range(2000)]


@pytest.mark.req("RUN-002.2", "RUN-002.3", "REF-004", "WIT-005")
def test_cas_conflict_reloads_the_head_and_retries_from_it() -> None:
    store = g.Store.memory()
    other = Executor(store)  # a second writer of the same store
    calls = []
    counter = TEST_ACTORS["counter"]

    def racing_counter(inp: TransitionInput) -> TransitionOutput:
        calls.append(inp.last_step)
        if len(calls) == 2:  # while the runtime computes, another writer wins the head
            other.run_until_quiescent()
            blob = _blob("4")
            other.inject(inp.actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,))
        return counter(inp)

    rt = Runtime(store, actors={**TEST_ACTORS, "counter": racing_counter}, send_commit="own")

    async def scenario() -> g.ObjectId:
        actor = await _spawn(rt, "counter")
        await _say(rt, actor, "inc", "1")
        await rt.run_until_quiescent()
        await _say(rt, actor, "inc", "2")
        report = await rt.run_until_quiescent()
        assert report.quiescent and not report.failures
        return actor

    actor = run(scenario())
    assert rt.conflicts == 1
    chain = history(store, actor)
    assert len(chain) == 3  # runtime, the other writer, the runtime again from its head
    assert chain[2][1].previous == chain[1][0]
    assert head_count(store, actor) == 1 + 2 + 4  # inc 2 read once, by the winner only
    assert check_runtime(store).ok


@pytest.mark.req(
    "RUN-004.1",
    "RUN-004.2",
    "RUN-004.3",
    "RUN-004.4",
    "RUN-004.5",
    "RUN-004.6",
    "RUN-004.8",
    "WIT-024",
    "WIT-006",
)
def test_failing_actor_is_retried_then_marked_failed_with_receipts() -> None:
    store = g.Store.memory()
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)
        await asyncio.sleep(delay)  # real back-off: the requester commits meanwhile

    rt = Runtime(store, sleep=record)

    async def scenario() -> tuple[g.ObjectId, g.ObjectId, g.ObjectId]:
        failing = await _spawn(rt, "failing")
        requester = await _spawn(rt, "requester")
        echo = await _spawn(rt, "echo")
        to = _blob(failing.hex())
        question = _blob("why")
        ask = g.Tree(entries={"to": g.object_id(to), "question": g.object_id(question)})
        await rt.send(requester, g.object_id(ask), {"mt": "ask"}, objects=(to, question, ask))
        report = await rt.run_until_quiescent()
        assert report.quiescent
        return failing, requester, echo

    failing, requester, echo = run(scenario())
    assert [f.actor for f in rt.failures] == [failing] * 5
    assert delays == [0.01, 0.02, 0.04, 0.08]
    assert rt.head(failing) is None
    record_blob = store.get_object(store.get_ref(failed_ref(failing)))  # type: ignore[arg-type]
    assert isinstance(record_blob, g.Blob)
    expected = {"actor": failing.hex(), "error": "failed", "attempts": 5}
    assert json.loads(record_blob.data) == expected == rt.failed(failing)
    receipts = [m for m in _outside_messages(store, requester) if m.headers.get("mt") == "error"]
    assert [m.content for m in receipts] == [g.object_id(record_blob)]
    assert rt.failed(echo) is None and rt.failed(requester) is None
    # the requester read its receipt (a queued message from the outside), and nothing else
    assert check_runtime(store).ok


@pytest.mark.req("RUN-004.3", "RUN-005.1")
@pytest.mark.parametrize("attempts", [1, 3])
def test_a_failed_inline_attempt_is_counted_not_built_again(
    attempts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inline attempt that fails is the first of RUN-004.3's attempts: one build each."""
    built: list[g.ObjectId] = []
    build = Executor.build

    def counting(self: Executor, actor: g.ObjectId, *args: object, **kwargs: object) -> object:
        built.append(actor)
        return build(self, actor, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Executor, "build", counting)

    async def no_wait(delay: float) -> None:
        return None

    rt = Runtime(g.Store.memory(), attempts=attempts, sleep=no_wait)

    async def scenario() -> g.ObjectId:
        failing = await _spawn(rt, "failing")
        await rt.run_until_quiescent()
        return failing

    failing = run(scenario())
    assert [f.actor for f in rt.failures] == [failing] * attempts
    assert built == [failing] * attempts
    assert rt.failed(failing) == {"actor": failing.hex(), "error": "failed", "attempts": attempts}


@pytest.mark.req("RUN-004.6", "RUN-004.7")
def test_outside_sender_gets_no_receipt_and_deleting_the_ref_runs_the_actor_again() -> None:
    store = g.Store.memory()

    async def no_wait(delay: float) -> None:
        return None

    rt = Runtime(store, sleep=no_wait)

    async def scenario() -> g.ObjectId:
        actor = await _spawn(rt, "failing")
        await rt.run_until_quiescent()
        return actor

    actor = run(scenario())
    assert rt.failed(actor) is not None and len(rt.failures) == 5
    outbox = outside_entries(store, read_outside(store))
    assert set(outbox) == {actor}  # no receipt to anyone: the only sender is the outside
    run(rt.run_until_quiescent())
    assert len(rt.failures) == 5  # a failed actor does not run
    store.cas_ref(failed_ref(actor), store.get_ref(failed_ref(actor)), None)
    run(rt.run_until_quiescent())
    assert len(rt.failures) == 10  # it ran (and failed) again
    assert rt.failed(actor) is not None


@pytest.mark.req("RUN-005.1", "RUN-005.2", "RUN-005.3", "RUN-005.4", "WIT-027")
def test_time_limit_fails_slow_actors_while_counters_progress() -> None:
    store = g.Store.memory()

    def sleeper(inp: TransitionInput) -> TransitionOutput:
        time.sleep(1.5)  # a real overrun of the 0.25 s bound
        return TEST_ACTORS["echo"](inp)

    async def no_wait(delay: float) -> None:
        return None

    actors = {**TEST_ACTORS, "sleeper": sleeper}
    # The bound leaves a counter's transition (about a millisecond) a wide margin: on a
    # loaded CI machine 0.05 s was overrun by counters too (their retry then succeeded).
    rt = Runtime(store, time_limit=0.25, actors=actors, attempts=2, sleep=no_wait)

    async def scenario() -> tuple[g.ObjectId, g.ObjectId, list[g.ObjectId]]:
        slow = await _spawn(rt, "slow")
        sleepy = await _spawn(rt, "sleeper")
        counters = [await _spawn(rt, "counter", str(i)) for i in range(20)]
        for c in counters:
            await _say(rt, c, "inc", "5")
        report = await rt.run_until_quiescent()
        assert report.quiescent
        return slow, sleepy, counters

    slow, sleepy, counters = run(scenario())
    assert all(head_count(store, c) == 5 for c in counters)
    assert rt.head(slow) is None and rt.head(sleepy) is None
    by_actor = {f.actor: f.error_class for f in rt.failures}
    assert by_actor == {slow: "TransitionTimeout", sleepy: "TransitionTimeout"}
    assert rt.failed(slow) == {"actor": slow.hex(), "error": "failed", "attempts": 2}


@pytest.mark.req("RUN-003.1", "RUN-007.1", "RUN-007.2", "DUR-001", "RUN-001.1")
def test_recovery_after_stopping_mid_workload(tmp_path: Path) -> None:
    directory = tmp_path / "store"

    async def first_half() -> list[g.ObjectId]:
        with g.Store.open(directory) as store:
            rt = Runtime(store)
            counters = [await _spawn(rt, "counter", str(i)) for i in range(6)]
            echo = await _spawn(rt, "echo")
            for round_ in range(3):
                for c in counters:
                    await _say(rt, c, "inc", str(round_ + 1))
                await _say(rt, echo, "ping", str(round_))
            report = await rt.run_until_quiescent(max_steps=3)
            assert not report.quiescent and len(report.steps) == 3
            return [*counters, echo]

    async def second_half() -> None:
        with g.Store.open(directory) as store:
            rt = Runtime(store)
            report = await rt.run_until_quiescent()
            assert report.quiescent and not report.failures
            assert len(report.steps) == 4

    actors = run(first_half())
    run(second_half())
    with g.Store.open(directory) as store:
        assert [head_count(store, c) for c in actors[:6]] == [6] * 6
        echo_step = store.get_object(store.get_ref("heads/" + actors[6].hex()))  # type: ignore[arg-type]
        assert isinstance(echo_step, g.Step)
        replies = pending(store, mailbox_entries(store, echo_step.outbox)[OUTSIDE], None)
        assert [r.message.headers["mt"] for r in replies] == ["echo"] * 3  # once each
        assert store.verify().ok and check_runtime(store).ok


Op = Callable[[Callable[..., g.ObjectId]], g.ObjectId]


@pytest.mark.req("RUN-006.2", "RUN-006.3", "WIT-011", "WIT-010")
def test_same_steps_as_the_executor_under_the_same_schedule() -> None:
    ex_store, rt_store = g.Store.memory(), g.Store.memory()
    ex, rt = Executor(ex_store), Runtime(rt_store)
    blobs = {"1": _blob("1"), "2": _blob("2"), "q": _blob("question")}

    echo_core, echo_objs = test_actor_core("echo")
    req_core, req_objs = test_actor_core("requester")
    fan_core, fan_objs = test_actor_core("fanout")
    counters = [test_actor_core("counter", {"tag": _blob(str(i))}) for i in range(4)]
    echo, requester, fan = (g.object_id(c) for c in (echo_core, req_core, fan_core))
    ids = [g.object_id(core) for core, _ in counters]
    names = {f"c{i}": _blob(a.hex()) for i, a in enumerate(ids)}
    fan_tree = g.Tree(entries={k: g.object_id(v) for k, v in names.items()})
    to = _blob(echo.hex())
    ask = g.Tree(entries={"to": g.object_id(to), "question": g.object_id(blobs["q"])})
    ops: list[tuple[g.ObjectId, g.ObjectId, dict[str, str], tuple[g.GritObject, ...]]] = [
        (echo, echo, {"mt": "genesis"}, (*echo_objs,)),
        (requester, requester, {"mt": "genesis"}, (*req_objs,)),
        (fan, fan, {"mt": "genesis"}, (*fan_objs,)),
        *((a, a, {"mt": "genesis"}, objs) for a, (_, objs) in zip(ids, counters, strict=True)),
        *((a, g.object_id(blobs["2"]), {"mt": "inc"}, (blobs["2"],)) for a in ids),
        (fan, g.object_id(fan_tree), {"mt": "fanout"}, (*names.values(), fan_tree)),
        (requester, g.object_id(ask), {"mt": "ask"}, (to, blobs["q"], ask)),
        (echo, g.object_id(blobs["1"]), {"mt": "ping"}, (blobs["1"],)),
        (ids[0], g.object_id(blobs["1"]), {"mt": "get"}, (blobs["1"],)),
    ]

    async def drive() -> None:
        for recipient, content, headers, objects in ops:
            ex.inject(recipient, content, headers, objects=objects)
            await rt.send(recipient, content, headers, objects)
            ex.run_until_quiescent()
            await rt.run_until_quiescent()
            for actor in (echo, requester, fan, *ids):
                assert ex.head(actor) == rt.head(actor)

    run(drive())
    assert read_outside(ex_store) == read_outside(rt_store)
    assert [head_count(rt_store, a) for a in ids] == [2] * 4
    assert ex.core(requester).entries["answer"] == g.object_id(blobs["q"])


@pytest.mark.req("RUN-002.1", "RUN-006.1")
def test_at_most_one_transition_of_an_actor_runs_at_a_time() -> None:
    """Messages arriving while an actor's transition runs (in a worker thread) wait for it."""
    store = g.Store.memory()
    running: dict[g.ObjectId, int] = {}
    most = 0
    counter = TEST_ACTORS["counter"]

    def slow_counter(inp: TransitionInput) -> TransitionOutput:
        nonlocal most
        running[inp.actor] = running.get(inp.actor, 0) + 1
        most = max(most, running[inp.actor])
        time.sleep(0.01)
        running[inp.actor] -= 1
        return counter(inp)

    rt = Runtime(store, actors={**TEST_ACTORS, "counter": slow_counter})  # threads: not inline

    async def scenario() -> g.ObjectId:
        actor = await _spawn(rt, "counter")
        runner = asyncio.create_task(rt.run_until_quiescent())
        for amount in range(1, 6):
            await asyncio.sleep(0.004)  # while a transition of the actor is under way
            await _say(rt, actor, "inc", str(amount))
        await runner
        await rt.run_until_quiescent()
        return actor

    actor = run(scenario())
    assert most == 1, f"{most} transitions of one actor ran at once (RUN-002.1)"
    assert head_count(store, actor) == 15 and rt.conflicts == 0


@pytest.mark.req("RUN-002.4", "RUN-003.2", "WIT-004")
def test_a_lost_swap_of_the_outside_outbox_is_sent_again_from_the_winner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another writer moves the recipient's ``names/outside-outbox/<h>`` between our read and
    our swap."""
    store = g.Store.memory()
    rt = Runtime(store, send_commit="own")
    other = Executor(store)
    real = g.Store.put_encoded_then_cas
    raced: list[g.ObjectId] = []
    armed = False

    def racing(self, encodings, name, expected, new, *, target, **fresh):  # type: ignore[no-untyped-def]
        nonlocal armed
        if armed and name == outside_ref(actor):
            armed = False  # the other writer's own send goes through unchanged
            blob = _blob("9")
            raced.append(other.inject(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,)))
        real(self, encodings, name, expected, new, target=target, **fresh)

    async def scenario() -> g.ObjectId:
        actor = await _spawn(rt, "counter")
        await rt.run_until_quiescent()
        return actor

    actor = run(scenario())
    monkeypatch.setattr(g.Store, "put_encoded_then_cas", racing)
    armed = True
    mine = run(_say(rt, actor, "inc", "1"))
    assert rt.conflicts == 1 and raced, "the swap of the outside's outbox must have lost once"
    box = outside_entries(store, read_outside(store))
    assert box[actor] == mine, "the winner's mailbox was replaced, not overwritten: ours is last"
    message = store.get_object(mine)
    assert isinstance(message, g.Message) and message.previous == raced[0], (
        "the send made again chains after the winner's message (WIT-004), which stays sent"
    )
    run(rt.run_until_quiescent())
    assert head_count(store, actor) == 10

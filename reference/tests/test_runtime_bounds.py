"""The runtime stays bounded whatever its actors do (RUN-005.7, RUN-017.10, RUN-018).

* a group commits once its provisional bytes reach ``group_bytes`` (RUN-017.10), so an
  actor leaving large new objects every step never piles them up uncommitted;
* a run adopts at most ``max_steps`` steps, 10,000 by default, and names the actors
  it left busy (RUN-018.1, RUN-018.3); ``gritwit runtime run`` returns so;
* an actor that always has work does not starve a counter (RUN-018.2);
* Wasm and sandboxed Python transitions run in the engine lane, off the event loop,
  under the time bound counted from their start (RUN-005.7).

Memory is asserted in a child process with ``getrusage`` and generous margins; the
bytes a group holds are checked exactly by instrumenting :meth:`CommitGroup.add`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from aio import run
from hypothesis import given, settings
from hypothesis import strategies as st

from gritwit import ObjectId
from gritwit._codec import object_id
from gritwit._objects import Blob, Tree
from gritwit.runtime import MAX_RUN_BYTES, MAX_STEPS, Runtime
from gritwit.runtime._group import GROUP_BYTES, CommitGroup, encoded_size
from gritwit.runtime._lane import busy, run_in_lane
from gritwit.sandbox._interpreter import INSTALL_HINT, interpreter_path
from gritwit.store import Store
from gritwit.wit import TEST_ACTORS, Send, TransitionInput, TransitionOutput, Wit, test_actor_core
from gritwit.wit._model import get_blob

needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)
ECHO_WIT = Blob(data=b"echo", headers={"runtime": "test-actor"})
EMPTY = Blob(data=b"")


# --- actors ----------------------------------------------------------------------------


def hoarder(size: Callable[[int], int], *, repeat: bool = False) -> Wit:
    """A Wit that, for each ``ping`` n, leaves a new blob of ``size(n)`` bytes in its core
    and pings itself with n - 1 until 0: n + 1 steps in all, each with new objects — or,
    with ``repeat``, a blob of the same bytes for the same size, so that a size met again
    stores nothing new (RUN-022.1)."""

    def wit(inp: TransitionInput) -> TransitionOutput:
        entries, sends, new = dict(inp.core.entries), [], []
        for items in inp.pending.values():
            for item in items:
                blob = get_blob(inp.objects, item.message.content)
                if item.mt != "ping" or blob is None:
                    continue
                n = int(blob.data)
                head = b"" if repeat else n.to_bytes(4, "big")
                junk = Blob(data=head + b"j" * size(n))
                entries["junk"] = object_id(junk)
                new.append(junk)
                if n > 0:
                    nxt = Blob(data=str(n - 1).encode())
                    new.append(nxt)
                    sends.append(
                        Send(recipient=inp.actor, content=object_id(nxt), headers={"mt": "ping"})
                    )
        return TransitionOutput(
            core=Tree(entries=entries),
            read={sender: len(items) for sender, items in inp.pending.items()},
            sends=tuple(sends),
            new_objects=tuple(new),
        )

    return wit


async def start_hoarder(rt: Runtime, pings: int, note: bytes | None = None) -> ObjectId:
    """A hoarder (``note``: a state entry that makes another actor) pinged ``pings``."""
    state = {} if note is None else {"n": Blob(data=note)}
    actor = await rt.genesis(*test_actor_core("hoarder", state))
    start = Blob(data=str(pings).encode())
    await rt.send(actor, object_id(start), {"mt": "ping"}, objects=[start])
    return actor


async def ping_pair(rt: Runtime) -> tuple[ObjectId, ObjectId]:
    """A fanout and an echo that message each other for ever (the suite's
    ``test_hostile_actors`` builds the same pair): F fans out to E, then an update makes
    F an echo; the reference reads F's update before E's reply."""
    fan = await rt.genesis(*test_actor_core("fanout"))
    echo = await rt.genesis(*test_actor_core("echo"))
    await rt.run_until_quiescent()
    name = Blob(data=echo.hex().encode())
    names = Tree(entries={"a": object_id(name)})
    await rt.send(fan, object_id(names), {"mt": "fanout"}, objects=[name, names])
    update = Tree(entries={"wit": object_id(ECHO_WIT)})
    await rt.send(fan, object_id(update), {"mt": "update"}, objects=[ECHO_WIT, update])
    return fan, echo


def history_length(store: Store, actor: ObjectId) -> int:
    from gritwit.runtime import history

    return len(list(history(store, actor)))


# --- RUN-017.10: a group is bounded by bytes ---------------------------------------------


@pytest.mark.req("RUN-017.10")
def test_a_group_is_full_at_group_bytes_and_not_a_byte_before() -> None:
    store = Store.memory()
    rt = Runtime(store, actors={**TEST_ACTORS, "hoarder": hoarder(lambda n: 1000)})
    built: list[object] = []
    original = CommitGroup.add

    def keep(self: CommitGroup, actor, expected, b, basis):  # type: ignore[no-untyped-def]
        built.append((actor, expected, b, basis))
        return original(self, actor, expected, b, basis)

    with mock.patch.object(CommitGroup, "add", keep):
        run(start_hoarder(rt, 0))
        run(rt.run_until_quiescent())
    (actor, expected, member, basis) = built[0]  # type: ignore[misc]
    size = encoded_size(member)
    assert size > 1000
    for max_bytes, full in ((size, True), (size + 1, False)):
        group = CommitGroup(rt._cache, size=256, max_bytes=max_bytes)
        group.add(actor, expected, member, basis)
        assert (group.bytes, group.full) == (size, full), (max_bytes, group.bytes)
        group.abandon()
        assert group.bytes == 0


@pytest.mark.req("RUN-017.10", "RUN-017.8")
def test_the_default_group_bytes_is_32_mib_and_checked() -> None:
    assert GROUP_BYTES == 32 * 1024 * 1024
    with pytest.raises(ValueError, match=r"RUN-017\.10"):
        Runtime(Store.memory(), group_bytes=0)


@pytest.mark.req("RUN-017.10", "RUN-017.6", "RUN-007.1")
@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 40_000), min_size=1, max_size=8),
    limit=st.integers(1, 120_000),
    pings=st.integers(0, 12),
)
def test_provisional_bytes_stay_under_the_bound(sizes: list[int], limit: int, pings: int) -> None:
    """After each adoption a run holds less than ``group_bytes`` uncommitted, and never more
    than that plus one transition's objects; every step is durable when the run answers."""
    seen: list[tuple[int, int, int]] = []
    original = CommitGroup.add

    def add(self: CommitGroup, actor, expected, built, basis):  # type: ignore[no-untyped-def]
        seen.append((self.bytes, encoded_size(built), self.max_bytes))
        return original(self, actor, expected, built, basis)

    store = Store.memory()
    wit = hoarder(lambda n: sizes[n % len(sizes)])
    rt = Runtime(store, actors={**TEST_ACTORS, "hoarder": wit}, group_bytes=limit)
    with mock.patch.object(CommitGroup, "add", add):
        actor = run(start_hoarder(rt, pings))
        report = run(rt.run_until_quiescent())
    assert report.quiescent and len(report.steps) == pings + 1
    for index, (held, member, max_bytes) in enumerate(seen):
        assert max_bytes == limit
        assert held < limit, f"{held} bytes were left uncommitted after an adoption (RUN-017.10)"
        if index + 1 < len(seen) and held + member >= limit:
            assert seen[index + 1][0] == 0, "a group past group_bytes took another member"
    assert history_length(store, actor) == pings + 1  # nothing adopted is lost
    assert rt.head(actor) == report.steps[-1][1]


# --- RUN-018.1, RUN-018.3: a run is bounded in steps -------------------------------------


@pytest.mark.req("RUN-018.1", "RUN-018.3")
@pytest.mark.parametrize("bound, quiescent", [(6, True), (5, False)], ids=["at", "past"])
def test_a_run_adopts_at_most_max_steps(bound: int, quiescent: bool) -> None:
    """Six steps of work: a bound of 6 ends quiescent, a bound of 5 leaves the actor busy."""
    store = Store.memory()
    rt = Runtime(store, actors={**TEST_ACTORS, "hoarder": hoarder(lambda n: 0)})
    actor = run(start_hoarder(rt, 5))
    report = run(rt.run_until_quiescent(max_steps=bound))
    assert len(report.steps) == min(bound, 6) and report.quiescent is quiescent
    assert rt.busy() == ([] if quiescent else [actor])
    assert history_length(store, actor) == len(report.steps)  # all durable (RUN-017.6)
    rest = run(rt.run_until_quiescent())
    assert len(rest.steps) == 6 - len(report.steps) and rest.quiescent and rt.busy() == []


@pytest.mark.req("RUN-018.1")
def test_the_bound_is_checked() -> None:
    with pytest.raises(ValueError, match=r"RUN-018\.1"):
        Runtime(Store.memory(), max_steps=0)
    rt = Runtime(Store.memory())
    with pytest.raises(ValueError, match=r"RUN-018\.1"):
        run(rt.run_until_quiescent(max_steps=0))
    assert Runtime(Store.memory(), max_steps=1).max_steps == 1


@pytest.mark.req("RUN-018.1", "RUN-018.3")
def test_a_pair_that_never_stops_ends_a_run_at_the_default_bound() -> None:
    assert MAX_STEPS == 10_000 and Runtime(Store.memory()).max_steps == MAX_STEPS
    rt = Runtime(Store.memory(), max_steps=300)
    fan, echo = run(ping_pair(rt))
    report = run(rt.run_until_quiescent())
    assert len(report.steps) == 300 and not report.quiescent
    assert {a for a, _ in report.steps} == {fan, echo}
    assert len(rt.busy()) == 1 and rt.busy()[0] in (fan, echo)  # the one holding the ball


@pytest.mark.req("RUN-018.1")
def test_the_default_bound_is_ten_thousand_steps() -> None:
    rt = Runtime(Store.memory())
    run(ping_pair(rt))
    report = run(rt.run_until_quiescent())
    assert len(report.steps) == MAX_STEPS and not report.quiescent


# --- RUN-018.2: fairness ----------------------------------------------------------------


@pytest.mark.req("RUN-018.2")
def test_a_counter_sent_to_during_a_busy_run_steps_within_two_of_each() -> None:
    """An inc sent while the pair pings is read before F or E steps a third time."""
    store = Store.memory()
    rt = Runtime(store)
    counter = run(rt.genesis(*test_actor_core("counter")))

    async def scenario() -> tuple[int, list[tuple[ObjectId, ObjectId]]]:
        await ping_pair(rt)
        running = asyncio.ensure_future(rt.run_until_quiescent(max_steps=2000))
        while len(rt._commits.sink) + len(rt._group) < 100:  # the pair is under way
            await asyncio.sleep(0)
        await rt.send(counter, object_id(EMPTY), {"mt": "inc"}, objects=[EMPTY])
        mark = len(rt._commits.sink) + len(rt._group)
        report = await running
        return mark, list(report.steps)

    mark, steps = run(scenario())
    actors = [a for a, _ in steps]
    assert counter in actors[mark:], "the counter never stepped: the pair starved it"
    before = actors[mark : actors.index(counter, mark)]
    assert len(set(before)) <= 2 and all(before.count(a) <= 2 for a in before), before
    assert rt.query(counter, "count").data == b"1"


# --- RUN-005.7: the engine lane ---------------------------------------------------------


def test_the_lane_answers_and_frees() -> None:
    assert run(run_in_lane(lambda: 7, 5.0)) == 7
    # the thread leaves the lane just after it hands the answer over (the loop may take it
    # first, on a busy machine): freed within a bounded wait, not at the same instant
    for _ in range(500):
        if not busy():
            break
        time.sleep(0.01)
    assert not busy()
    with pytest.raises(ValueError, match="boom"):
        run(run_in_lane(lambda: (_ for _ in ()).throw(ValueError("boom")), 5.0))


@pytest.mark.req("RUN-005.7", "RUN-005.4", "RUN-005.3")
def test_an_overrun_in_the_lane_fails_and_the_loop_goes_on() -> None:
    release = threading.Event()
    ticks = 0

    async def scenario() -> None:
        nonlocal ticks

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.ensure_future(tick())
        with pytest.raises(TimeoutError):
            await run_in_lane(lambda: release.wait(10), 0.2)
        ticker.cancel()

    run(scenario())
    assert ticks >= 3  # the event loop ran while the transition did
    assert busy()  # abandoned, not killed: it still holds the lane …
    release.set()
    for _ in range(500):
        if not busy():
            break
        time.sleep(0.01)
    assert not busy()  # … until it returns


@pytest.mark.req("RUN-005.7", "RUN-005.5")
def test_waiting_for_the_lane_does_not_count_toward_the_bound() -> None:
    """B waits 0.9 s behind A, longer than its own bound of 0.3 s, and still succeeds."""

    async def scenario() -> tuple[str, str]:
        first = asyncio.ensure_future(run_in_lane(lambda: time.sleep(0.9) or "a", 5.0))
        await asyncio.sleep(0.05)
        second = await run_in_lane(lambda: "b", 0.3)
        return await first, second

    assert run(scenario()) == ("a", "b")


def test_work_cancelled_while_it_waits_never_runs() -> None:
    ran: list[str] = []
    gate, entered = threading.Event(), threading.Event()

    def hold() -> bool:
        entered.set()
        return gate.wait(5)

    async def scenario() -> None:
        first = asyncio.ensure_future(run_in_lane(hold, 5.0))
        while not entered.is_set():  # the first holds the lane (no race under load)
            await asyncio.sleep(0.01)
        second = asyncio.ensure_future(run_in_lane(lambda: ran.append("ran"), 5.0))
        await asyncio.sleep(0.05)
        second.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await second  # the cancellation has taken effect (not merely been asked for)
        gate.set()
        await first

    run(scenario())
    time.sleep(0.1)
    assert ran == [] and not busy()


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("RUN-005.7")
def test_sandboxed_python_runs_in_the_lane_and_a_test_actor_inline() -> None:
    from gritwit.adapter._sandbox import program_core

    lanes: list[str] = []
    original = run_in_lane

    async def recorded(work, time_limit):  # type: ignore[no-untyped-def]
        lanes.append("lane")
        return await original(work, time_limit)

    # A bound no loaded machine reaches: at the default 5 s, a slow sandboxed start-up
    # overran, failed and ran in the lane again (['lane', 'lane'] in a CI run at load 4).
    rt = Runtime(Store.memory(), time_limit=600.0)
    with mock.patch("gritwit.runtime._bound.run_in_lane", recorded):
        counter = run(rt.genesis(*test_actor_core("counter")))
        run(rt.run_until_quiescent())
        assert lanes == []
        program = 'open("/core/n", "w").write("1")\n'
        actor = run(rt.genesis(*program_core(program, {})))
        report = run(rt.run_until_quiescent())
    assert lanes == ["lane"] and [a for a, _ in report.steps] == [actor]
    assert counter != actor


@pytest.mark.req("RUN-005.7", "RUN-005")
def test_python_wits_of_a_runtime_that_runs_nothing_inline_stay_out_of_the_lane() -> None:
    """A runtime given Wits of its own runs nothing inline, yet only Wasm and sandboxed code
    takes the engine lane: its plain Python transitions run in threads, so a Wasm Wit holding
    the lane never holds them up (RUN-005.7)."""
    lanes: list[str] = []
    original = run_in_lane

    async def recorded(work, time_limit):  # type: ignore[no-untyped-def]
        lanes.append("lane")
        return await original(work, time_limit)

    counter = TEST_ACTORS["counter"]
    own: dict[str, Wit] = {**TEST_ACTORS, "counter": lambda given: counter(given)}
    rt = Runtime(Store.memory(), actors=own)
    with mock.patch("gritwit.runtime._bound.run_in_lane", recorded):
        actor = run(rt.genesis(*test_actor_core("counter")))
        report = run(rt.run_until_quiescent())
    assert [a for a, _ in report.steps] == [actor]
    assert lanes == []


# --- hostile actors in a child process: the run returns, memory stays bounded -------------

CHILD = textwrap.dedent(
    """
    import asyncio, json, resource, sys
    sys.path.insert(0, {tests!r})
    from test_runtime_bounds import child_main
    print(json.dumps(asyncio.run(child_main(*sys.argv[1:]))), flush=True)
    """
)


def run_child(tmp_path: Path, *args: str, timeout: float = 600) -> dict[str, object]:
    code = CHILD.format(tests=str(Path(__file__).parent))
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "store"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


SLOW_PROGRAM = "while True:\n    pass\n"
#: A python-wasi actor that pings itself through its first message and leaves MIB MiB of
#: new files in its core each step (each file under 16 MiB, ENC-013).
BIG_PROGRAM = textwrap.dedent(
    """
    import base64, json
    sends = []
    for m in json.load(open("/input/transition.json"))["messages"]:
        if m["headers"].get("mt") == "ping":
            me = base64.b64decode(m["data"]).decode()
            sends.append({{"to": me, "headers": {{"mt": "ping"}}, "data": m["data"]}})
            for i in range({files}):
                with open(f"/core/f{{i}}", "wb") as f:
                    f.write((m["id"] + str(i)).encode() * ({per_file} // 65))
    json.dump(sends, open("/out/sends.json", "w"))
    """
)


def last_step_of(steps: tuple[tuple[ObjectId, ObjectId], ...], actor: ObjectId) -> ObjectId | None:
    mine = [step for a, step in steps if a == actor]
    return mine[-1] if mine else None


async def child_main(folder: str, kind: str, *options: str) -> dict[str, object]:
    """One hostile actor beside a counter fed an inc every 0.2 s, on a durable store."""
    import resource

    from gritwit.adapter._sandbox import program_core

    settings = dict(option.split("=", 1) for option in options)
    Path(folder).mkdir(exist_ok=True)
    store = Store.open(Path(folder))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    actors: dict[str, Wit] = dict(TEST_ACTORS)
    if kind == "hoarder":
        actors["hoarder"] = hoarder(lambda n: int(settings["bytes"]))
    rt = Runtime(
        store,
        actors=actors,
        time_limit=float(settings.get("time_limit", "5")),
        attempts=int(settings.get("attempts", "5")),
        group_bytes=int(settings.get("group_bytes", str(GROUP_BYTES))),
        max_steps=int(settings.get("max_steps", "10000")),
        max_run_bytes=int(settings.get("max_run_bytes", str(MAX_RUN_BYTES))),
    )
    counter = await rt.genesis(*test_actor_core("counter"))
    await rt.run_until_quiescent()
    if kind == "hoarder":
        actor = await start_hoarder(rt, int(settings["pings"]))
    else:
        program = SLOW_PROGRAM
        if kind == "big":
            mib = int(settings["mib"])
            program = BIG_PROGRAM.format(files=(mib + 14) // 15, per_file=min(mib, 15) << 20)
        actor = await rt.genesis(*program_core(program, {}))
        me = Blob(data=actor.hex().encode())
        await rt.send(actor, object_id(me), {"mt": "ping"}, objects=[me])
    sent = 0

    async def feed() -> None:
        nonlocal sent
        while True:
            await rt.send(counter, object_id(EMPTY), {"mt": "inc"}, objects=[EMPTY])
            sent += 1
            await asyncio.sleep(0.2)

    feeding = settings.get("feed", "1") == "1"  # feed=0: the hostile actor alone
    feeder = asyncio.ensure_future(feed() if feeding else asyncio.sleep(0))
    report = await rt.run_until_quiescent()
    feeder.cancel()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "steps": len(report.steps),
        "counter_steps": sum(1 for a, _ in report.steps if a == counter),
        "quiescent": report.quiescent,
        "busy": [a.hex() for a in rt.busy()],
        "failures": [[f.actor == actor, f.error_class] for f in report.failures],
        "growth_mib": (peak - base) / 1024,
        "history": history_length(store, actor),
        "actor": actor.hex(),
        "head_is_last": rt.head(actor) == last_step_of(report.steps, actor),
        "run_bytes": rt.run_bytes,
    }
    store.close()
    return result


@pytest.mark.slow
@pytest.mark.req("RUN-017.10", "RUN-018.2", "RUN-007.1")
def test_an_actor_leaving_megabytes_each_step_stays_under_the_bound(tmp_path: Path) -> None:
    """40 steps of 4 MiB new objects each with an 8 MiB group bound: the run's memory
    grows by well under the 160 MiB it would hold uncommitted with a count bound alone."""
    got = run_child(tmp_path, "hoarder", "bytes=4194304", "pings=40", "group_bytes=8388608")
    assert got["history"] == 41, got
    assert got["head_is_last"] and not got["failures"], got
    assert got["growth_mib"] < 220, got  # measured: 122 MiB; with a count bound alone 358 MiB


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("RUN-005.7", "RUN-005.4", "RUN-018.2", "RUN-004.4")
def test_a_slow_python_actor_beside_a_counter(tmp_path: Path) -> None:
    """A program that loops until its fuel is gone (seconds here) overruns a 0.5 s bound:
    it fails by time, the counter keeps stepping meanwhile, and the run returns."""
    got = run_child(tmp_path, "slow", "time_limit=0.5", "attempts=1")
    assert got["failures"] == [[True, "time-limit"]], got  # SBX-006.10, SBX-013.1
    assert got["quiescent"] and got["busy"] == [], got


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("RUN-018.1", "RUN-018.2", "RUN-018.3")
def test_a_self_pinging_python_actor_ends_its_run_at_the_bound(tmp_path: Path) -> None:
    got = run_child(tmp_path, "big", "mib=1", "max_steps=60")
    assert got["steps"] == 60 and not got["quiescent"], got
    assert got["actor"] in got["busy"], got  # type: ignore[operator]
    assert got["head_is_last"] and not got["failures"], got


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("RUN-023.1", "RUN-023.2", "RUN-022.2", "RUN-018.3")
def test_a_python_actor_keeping_megabytes_each_step_stops_at_max_run_bytes(
    tmp_path: Path,
) -> None:
    """The issue's example, scaled down: a sandboxed program that pings itself and leaves
    4 MiB of new files each step, beside a counter fed meanwhile.  With ``max_run_bytes``
    16 MiB the run stops after its fourth step (three add less, four more), the actor
    busy, every step adopted kept; the next run would go on from there."""
    got = run_child(tmp_path, "big", "mib=4", f"max_run_bytes={16 << 20}")
    assert got["history"] == 4 and got["head_is_last"] and not got["failures"], got
    assert not got["quiescent"] and got["actor"] in got["busy"], got  # type: ignore[operator]
    assert 16 << 20 <= int(got["run_bytes"]) < (16 << 20) + (5 << 20), got  # type: ignore[call-overload]


@needs_interpreter
@pytest.mark.heavy
@pytest.mark.skipif(
    os.environ.get("GRITWIT_PROFILE") != "deep",
    reason="GRITWIT_PROFILE=deep runs it: 3.2 GB of files through 72 steps, 125 s of CI's "
    "heavy step (a local CI run of df7b27c); the 4 MiB run-bytes tests above stay",
)
@pytest.mark.req("RUN-017.10", "RUN-018.1")
def test_a_45_mib_per_step_python_actor_stays_under_its_memory_bound(tmp_path: Path) -> None:
    """The issue's program: 45 MiB of new files a step (3 files of 15 MiB) pinging itself.
    Before group bytes it grew by about 90 MB/s to gigabytes; now its growth is under the
    stated bound (docs/guide/sandbox.md) and does not grow with the steps."""
    (tmp_path / "short").mkdir()
    (tmp_path / "long").mkdir()
    # 48 steps of 45 MiB are past the default max_run_bytes of 1 GiB (RUN-023.2): raised
    unbounded = f"max_run_bytes={2**53 - 1}"
    short = run_child(tmp_path / "short", "big", "mib=45", "max_steps=24", "feed=0", unbounded)
    got = run_child(tmp_path / "long", "big", "mib=45", "max_steps=48", "feed=0", unbounded)
    assert got["steps"] == got["history"] == 48, got
    assert got["head_is_last"] and not got["failures"], got
    # Measured on 2026-11-26: 465 MiB after 24 steps and 465 after 48, three runs each.
    # Before the sandbox cleared the frames of what ends a run (wasmtime-py re-raises it
    # from a frame that keeps it: a cycle holding the run's store, memory and files), the
    # peak followed the cyclic collector: 1,076-1,977 MiB, and 24 more steps added from
    # -300 to +885 MiB depending on when it ran (the same code, two layouts of it, failed
    # and passed this test).  Held uncommitted, 24 more steps would add 1,080 MiB of
    # objects alone; the run now adds less than three steps' files.
    assert got["growth_mib"] < 24 * 45, got
    added = float(got["growth_mib"]) - float(short["growth_mib"])
    assert added < 3 * 45, (short, got)


# --- gritwit runtime run -----------------------------------------------------------------


@pytest.mark.req("RUN-018.1", "RUN-018.3")
def test_runtime_run_returns_and_names_the_busy_actors(tmp_path: Path) -> None:
    with Store.open(tmp_path / "st") as store:
        rt = Runtime(store, send_commit="own")
        fan, echo = run(ping_pair(rt))
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "gritwit",
            "runtime",
            "run",
            str(tmp_path / "st"),
            "--max-steps",
            "50",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 3, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    busy_lines = [line for line in lines if line.startswith("busy ")]
    assert len(busy_lines) == 1 and busy_lines[0] in (f"busy {fan}", f"busy {echo}"), lines
    assert re.fullmatch(
        r"50 step\(s\) adopted, \d+ byte\(s\) added to the store; quiescent: False", lines[-1]
    )
    assert "RUN-018.1" in ran.stderr and "1 actor(s) busy" in ran.stderr
    with Store.open(tmp_path / "st") as store:
        assert history_length(store, fan) + history_length(store, echo) >= 50


def test_runtime_run_defaults_to_max_steps() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "gritwit", "runtime", "run", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"default: {MAX_STEPS}" in " ".join(shown.stdout.split())

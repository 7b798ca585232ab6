"""Only an actor's own work can fail it; host work around a guest is bounded and stopped
(RUN-005.8, RUN-005.9, RUN-005.10, RUN-004.10).

* an attempt's time is its thread's work, not the machine's load (RUN-005.8): beside busy
  loops this test starts — 3 on the test's own CPU in the default run, at least 4 per
  core in the heavy one (as CI's *time slice*, taking turns with it) — a
  transition that spends a third of the bound in CPU time — stretched well past the
  bound in wall time by the load — is adopted every time, and an endless one still
  fails every attempt, is marked failed, and its abandoned threads stop (RUN-005.10),
  while a counter beside it is adopted;
* retries after an overrun wait 100 times as long as after another failure (RUN-004.10);
* the host walks of a core — presence check, count, mount — stop at a cancelled
  deadline (RUN-005.10), and run whole without one;
* a fresh process (``os.wait4``) running a hostile sandboxed actor (endless, or a
  2**24-path DAG genesis core) beside a counter and beside busy loops: its peak resident
  size is bounded, its CPU time bounded from outside (``RLIMIT_CPU``), the counter
  adopted and the hostile actor marked failed (heavy: each takes tens of seconds).

Outcomes are asserted, never durations.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aio import run
from peakrss import own_peak, own_peak_command

from gritwit import ObjectId
from gritwit._codec import object_id
from gritwit._deadline import Deadline, checkpoint, deadline_scope
from gritwit._errors import TimeLimit
from gritwit._objects import Blob, Tree
from gritwit.runtime import Runtime
from gritwit.runtime._transition import TIME_BACKOFF_FACTOR
from gritwit.sandbox._interpreter import INSTALL_HINT, interpreter_path
from gritwit.sandbox._mount import count_entries, mount_tree
from gritwit.store import Store
from gritwit.wit import TEST_ACTORS, TransitionInput, TransitionOutput, test_actor_core
from gritwit.wit._assemble import check_core_present

MIB = 1 << 20


#: The lock of the loaded conformance runs (conformance/tests/test_conform_under_load.py):
#: the heavy tests here take turns with them, so each has only its own busy loops beside it.
#: It is this checkout's (asv_bench._lock), never one another checkout holds.
LOCK = "conform-under-load"


def busy_count() -> int:
    """Busy loops for a load of at least 4 per core (8 on 2 cores), as the time slice."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(8, 4 * (cores or 1))


@contextlib.contextmanager
def busy_loops(count: int | None = None, cpu: int | None = None) -> Iterator[None]:
    """``count`` spinning children (default :func:`busy_count`), each on ``cpu`` alone
    when given, killed and reaped however the block ends."""
    loops: list[subprocess.Popen[bytes]] = []
    pin = None if cpu is None else (lambda: os.sched_setaffinity(0, {cpu}))
    try:
        for _ in range(busy_count() if count is None else count):
            command = [sys.executable, "-c", "while True: pass"]
            loops.append(subprocess.Popen(command, preexec_fn=pin))
        yield
    finally:
        for loop in loops:
            loop.kill()
        for loop in loops:
            loop.wait(timeout=60)


@contextlib.contextmanager
def loaded(load: str) -> Iterator[None]:
    """The load a test runs under: ``pinned`` — this thread (and the threads it starts)
    and 3 busy loops on one CPU, so the transition's thread gets about a quarter of it
    while the rest of the machine is left alone; ``busy`` — :func:`busy_count` busy
    loops over every CPU, taking turns with the other loaded runs (:data:`LOCK`)."""
    if load == "busy":
        from asv_bench._lock import checkout_lock

        with checkout_lock(LOCK, "another loaded run of this checkout"), busy_loops():
            yield
        return
    before = os.sched_getaffinity(0)
    cpu = min(before)
    os.sched_setaffinity(0, {cpu})  # this thread; threads it starts from now on inherit it
    try:
        with busy_loops(3, cpu):
            yield
    finally:
        os.sched_setaffinity(0, before)


#: The loads of the loaded tests: pinned in the default run, busy in the heavy one.
LOADS = [
    pytest.param("pinned", marks=pytest.mark.slow),
    pytest.param("busy", marks=pytest.mark.heavy),
]


def spinning(cpu: float) -> object:
    """A counter that first spends ``cpu`` seconds of its thread's CPU time."""

    def wit(inp: TransitionInput) -> TransitionOutput:
        end = time.thread_time() + cpu
        while time.thread_time() < end:
            pass
        return TEST_ACTORS["counter"](inp)

    return wit


class Endless:
    """A transition that never ends by itself: it spins, looking at its deadline as host
    work does (RUN-005.10), and counts the attempts that stopped there."""

    def __init__(self) -> None:
        self.stopped = 0
        self._lock = threading.Lock()

    def __call__(self, inp: TransitionInput) -> TransitionOutput:
        try:
            while True:
                checkpoint()
                for _ in range(10_000):
                    pass
        except TimeLimit:
            with self._lock:
                self.stopped += 1
            raise


async def _inc(rt: Runtime, actor: ObjectId) -> None:
    await rt.send(actor, object_id(Blob(data=b"")), {"mt": "inc"}, [Blob(data=b"")])


def _count(rt: Runtime, store: Store, actor: ObjectId) -> int:
    """The counter's count at its head (WIT-020)."""
    head = rt.head(actor)
    assert head is not None
    step = store.get_object(head)
    core = store.get_object(step.core)  # type: ignore[attr-defined]
    assert isinstance(core, Tree)
    blob = store.get_object(core.entries["count"])
    assert isinstance(blob, Blob)
    return int(blob.data)


async def _no_sleep(_: float) -> None:
    return None


# --- RUN-005.8: the machine's load is not the attempt's time -----------------------------


@pytest.mark.parametrize("load", LOADS)
@pytest.mark.req("RUN-005.8", "RUN-005.5", "RUN-004.4")
def test_a_transition_within_its_work_is_adopted_beside_busy_loops(load: str) -> None:
    """Each transition spends a third of a 0.45 s bound in CPU time; beside busy loops
    (:func:`loaded`) its thread gets about a quarter of a CPU or less, so its wall time
    passes the bound, and judged on wall time it failed.  Judged on its work, every one
    of six is adopted at its first attempt and the actor is never marked failed."""
    store = Store.memory()
    rt = Runtime(store, time_limit=0.45, actors={**TEST_ACTORS, "spin": spinning(0.15)})
    core, objects = test_actor_core("spin")
    actor = run(rt.genesis(core, objects))
    with loaded(load):
        run(rt.run_until_quiescent())
        for _ in range(5):
            run(_inc(rt, actor))
            run(rt.run_until_quiescent())
    assert rt.failures == []
    assert rt.failed(actor) is None
    assert _count(rt, store, actor) == 5


@pytest.mark.parametrize("load", LOADS)
@pytest.mark.req("RUN-005.6", "RUN-005.8", "RUN-005.10", "RUN-005.4", "RUN-004.4")
def test_an_endless_transition_still_fails_beside_busy_loops_and_a_counter_is_adopted(
    load: str,
) -> None:
    """An endless transition, beside the same busy loops, fails each of its 5 attempts on
    its work, is marked failed, and each abandoned attempt's thread stops at its deadline
    (RUN-005.10); a counter beside it has both its steps adopted."""
    store = Store.memory()
    endless = Endless()
    rt = Runtime(
        store, time_limit=0.3, first_backoff=0.0, actors={**TEST_ACTORS, "endless": endless}
    )
    hung = run(rt.genesis(*test_actor_core("endless")))
    counter = run(rt.genesis(*test_actor_core("counter")))
    with loaded(load):
        run(rt.run_until_quiescent())
        run(_inc(rt, counter))
        run(rt.run_until_quiescent())
        deadline = time.monotonic() + 120  # a bound against a hang, not a timing
        while endless.stopped < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [f.actor for f in rt.failures] == [hung] * 5
    assert rt.failed(hung) == {"actor": hung.hex(), "attempts": 5, "error": "failed"}
    assert endless.stopped == 5
    assert _count(rt, store, counter) == 1


# --- RUN-004.10: seconds, not milliseconds, after an overrun -----------------------------


@pytest.mark.req("RUN-004.10", "RUN-004.3", "RUN-004.8")
def test_retries_after_an_overrun_wait_100_times_as_long() -> None:
    """The delays before the retries of an overrunning transition are 100 times those of
    one that raises: 1, 2, 4, 8 s against 10, 20, 40, 80 ms (the sleep is recorded)."""

    def delays(name: str, wit: object) -> list[float]:
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        store = Store.memory()
        rt = Runtime(store, time_limit=0.2, sleep=sleep, actors={**TEST_ACTORS, name: wit})  # type: ignore[dict-item]
        run(rt.genesis(*test_actor_core(name)))
        run(rt.run_until_quiescent())
        return slept

    def raising(inp: TransitionInput) -> TransitionOutput:
        raise ValueError("raised")

    assert TIME_BACKOFF_FACTOR == 100
    assert delays("raising", raising) == pytest.approx([0.01, 0.02, 0.04, 0.08])
    assert delays("endless", Endless()) == pytest.approx([1.0, 2.0, 4.0, 8.0])


# --- RUN-005.10: host walks stop at a given-up attempt's deadline ------------------------


def _wide(store: Store, width: int) -> Tree:
    """A tree of ``width`` blobs, stored."""
    blobs = [Blob(data=str(i).encode()) for i in range(width)]
    top = Tree(entries={f"f{i}": store.put_object(b) for i, b in enumerate(blobs)})
    store.put_object(top)
    return top


@pytest.mark.req("RUN-005.10", "WIT-007.3", "SBX-006.15")
def test_host_walks_of_a_core_stop_at_a_cancelled_deadline() -> None:
    """The presence check, the entry count and the mount of a 5 000-entry core each raise
    ``time-limit`` under a cancelled deadline (an abandoned attempt), and complete
    without one and under one that has not passed."""
    store = Store.memory()
    top = _wide(store, 5000)
    top_id = object_id(top)
    from gritwit.sandbox._mount import Mounted

    walks = {
        "presence": lambda: check_core_present(store, top),
        "count": lambda: count_entries(store, top_id, top, Mounted(), 1 << 18),
        "mount": lambda: mount_tree(store, top_id),
    }
    cancelled = Deadline()
    cancelled.cancel()
    for name, walk in walks.items():
        with deadline_scope(cancelled), pytest.raises(TimeLimit) as stopped:
            walk()
        assert stopped.value.error_class == "time-limit", name
        walk()  # no deadline: the whole walk
        with deadline_scope(Deadline(seconds=3600)):
            walk()


# --- a fresh process, bounded from outside ------------------------------

_HOSTILE = """\
import asyncio, json, sys
import gritwit as g
from gritwit.adapter._sandbox import program_core
from gritwit.runtime import Runtime
from gritwit.wit import test_actor_core

def dag(levels):
    # levels trees each naming the one below twice: 2**levels paths (SBX-006.15)
    leaf = g.Blob(data=b"x")
    bottom = g.Tree(entries={"f": g.object_id(leaf)})
    objects, top = [leaf, bottom], g.object_id(bottom)
    for _ in range(levels):
        tree = g.Tree(entries={"a": top, "b": top})
        objects.append(tree)
        top = g.object_id(tree)
    return objects[-1], objects

async def main(kind):
    store = g.Store.memory()
    rt = Runtime(store, time_limit=0.1, first_backoff=0.001)
    if kind == "endless":
        core, objects = program_core("while True:\\n    pass\\n", {})
    else:  # a genesis core of 2**24 paths
        tree, below = dag(24)
        core, objects = program_core("print(1)\\n", {"d": tree})
        objects = [*below, *objects]
    hung = await rt.genesis(core, list(objects))
    counter = await rt.genesis(*test_actor_core("counter"))
    await rt.run_until_quiescent()
    await rt.send(counter, g.object_id(g.Blob(data=b"")), {"mt": "inc"}, [g.Blob(data=b"")])
    await rt.run_until_quiescent()
    step = store.get_object(rt.head(counter))
    count = store.get_object(store.get_object(step.core).entries["count"]).data.decode()
    print(json.dumps({"failed": rt.failed(hung), "count": count}))

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.heavy
@pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)
@pytest.mark.req("RUN-005.10", "RUN-005.8", "SBX-006.11", "SBX-006.15", "SBX-006.17", "RUN-005.4")
@pytest.mark.parametrize(("kind", "error"), [("endless", "time-limit"), ("dag", "too-large")])
def test_a_hostile_sandboxed_actor_beside_a_counter_in_a_bounded_process(
    tmp_path: Path, kind: str, error: str
) -> None:
    """A fresh process runs a hostile sandboxed actor beside a counter, beside busy
    loops: ``endless`` (``while True: pass``, each of its 5 attempts given up at a 0.1 s
    bound of its work — its fuel lasts about 0.35 s of CPU time — and its guest stopped)
    or ``dag`` (a genesis core of 2**24 paths, refused where it enters, before it
    expands: ``too-large``, SBX-006.15, SBX-006.17).
    The process stays within 120 s of CPU (``RLIMIT_CPU``, set from outside: past it
    the kernel kills it) and 512 MiB resident (its own peak, ``peakrss``); the hostile actor is
    marked failed with ``error`` and the counter counted 1."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (120, 120))

    out, report = tmp_path / "out", tmp_path / "peak"
    with loaded("busy"), out.open("wb") as sink:
        child = subprocess.Popen(
            own_peak_command([sys.executable, "-c", _HOSTILE, kind], report),
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=limit,
        )
        _, status, usage = os.wait4(child.pid, 0)
    text = out.read_text()
    assert os.waitstatus_to_exitcode(status) == 0, text[-2000:]
    answer = json.loads(text.strip().splitlines()[-1])
    assert answer["count"] == "1"
    assert answer["failed"]["error"] == error and answer["failed"]["attempts"] == 5
    peak = own_peak(report)  # its own: ru_maxrss carries the spawner's (peakrss)
    assert peak < 512 * MIB, peak >> 20
    print(f"{kind}: cpu {usage.ru_utime + usage.ru_stime:.1f} s, peak {peak >> 20} MiB")


# --- RUN-005.9: the wall-clock backstop --------------------------------------------------


@pytest.mark.req("RUN-005.9")
def test_the_backstop_is_12_bounds_and_at_least_60_s() -> None:
    from gritwit.runtime._work import backstop

    assert [backstop(b) for b in (0.1, 5.0, 10.0)] == [60.0, 60.0, 120.0]


@pytest.mark.req("RUN-005.9", "RUN-005.3")
def test_an_attempt_whose_work_the_clock_cannot_see_fails_at_the_backstop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A transition blocked where its work does not grow — here the clock is made to see
    its thread as runnable with no CPU time, as under a load that never schedules it —
    fails at the backstop (lowered to 0.5 s for the test) rather than when it returns,
    3 s later, with nothing counted, to be adopted."""
    from gritwit.runtime import _work

    monkeypatch.setattr(_work, "BACKSTOP_FLOOR", 0.5)
    monkeypatch.setattr(_work, "BACKSTOP_FACTOR", 1.0)
    monkeypatch.setattr(_work, "_runnable", lambda path: True)

    def blocked(inp: TransitionInput) -> TransitionOutput:
        time.sleep(3)  # no CPU time: only the backstop sees it
        return TEST_ACTORS["counter"](inp)

    store = Store.memory()
    rt = Runtime(store, time_limit=0.2, attempts=1, actors={**TEST_ACTORS, "blocked": blocked})
    actor = run(rt.genesis(*test_actor_core("blocked")))
    run(rt.run_until_quiescent())
    assert [f.actor for f in rt.failures] == [actor]
    assert rt.failed(actor) is not None

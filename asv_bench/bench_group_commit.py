"""Group commit (RUN-017) against per-step commits, durably, side by side in one run.

Two workloads on the durable SQLite store, each in both commit modes of
:class:`~gritwit.runtime.Runtime` (``commit="group"`` and ``commit="step"``):

* :class:`DurableCounters` — one ``inc`` to each of :data:`ACTORS` counters (one
  outside send batch), then one run to quiescence: :data:`ACTORS` transitions;
* :class:`DurablePingPong` — two ``echo`` actors answering each other, one run of
  :data:`BATCH` transitions (``max_steps``), nothing sent from the outside.

``time_`` results are per timed call (transitions per second = transitions /
time).  The ``track_`` benchmarks are load-independent: ``track_step_over_group``
times the two modes interleaved in one process and reports the ratio of their
medians (the throughput gain of group commit; the target is ≥ 2); ``track_commits``
counts backend write transactions per transition (``_counting``).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from typing import ClassVar, Final

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.store import Store

from ._counting import Counting
from ._ratio import interleaved_ratio
from ._scenes import make_counters, start_ping_pong

#: Counters of :class:`DurableCounters`.
ACTORS: Final = 1000
#: Transitions per timed call of :class:`DurablePingPong`.
BATCH: Final = 200
#: Rounds of an interleaved ratio (each round: one call per mode).
ROUNDS: Final = 5
MODES: Final = ["group", "step"]


class _Scene:
    """A durable store with actors made, and one runtime per commit mode over it."""

    folder: str
    store: Store
    loop: asyncio.AbstractEventLoop
    runtimes: dict[str, Runtime]

    def open(self, prefix: str, store: Store | None = None) -> Runtime:
        self.folder = tempfile.mkdtemp(prefix=prefix)
        self.store = Store.open(self.folder) if store is None else store
        self.loop = asyncio.new_event_loop()
        self.runtimes = {mode: Runtime(self.store, commit=mode) for mode in MODES}
        return self.runtimes["group"]  # the faster one sets the actors up

    def settle(self) -> None:
        """A first run of every runtime: each loads its routing index from the heads."""
        for runtime in self.runtimes.values():
            self.loop.run_until_complete(runtime.run_until_quiescent())

    def close(self) -> None:
        self.loop.close()
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class DurableCounters(_Scene):
    """:data:`ACTORS` counters, one ``inc`` each, one run, on the durable store."""

    params: ClassVar = (MODES,)
    param_names: ClassVar = ["commit"]
    number = 1
    repeat = 3
    timeout = 600

    def setup(self, commit: str = "group") -> None:
        self.make(None)

    def make(self, store: Store | None) -> None:
        runtime = self.open("gritwit-bench-group-", store)
        self.actors = self.loop.run_until_complete(make_counters(runtime, ACTORS))
        self.content = self.store.put_object(g.Blob(data=b"1"))
        self.settle()

    def teardown(self, commit: str = "group") -> None:
        self.close()

    def transitions(self, commit: str) -> int:
        runtime = self.runtimes[commit]
        incs = [(a, self.content, {"mt": "inc"}, False) for a in self.actors]
        self.loop.run_until_complete(runtime.send_all(incs))
        report = self.loop.run_until_complete(runtime.run_until_quiescent())
        if len(report.steps) != ACTORS or report.failures:
            raise AssertionError(f"{len(report.steps)} steps, failures {report.failures}")
        return ACTORS

    def time_thousand_transitions(self, commit: str) -> None:
        self.transitions(commit)


class DurablePingPong(_Scene):
    """:data:`BATCH` transitions of two ``echo`` actors answering each other, durably."""

    params: ClassVar = (MODES,)
    param_names: ClassVar = ["commit"]
    timeout = 300

    def setup(self, commit: str = "group") -> None:
        self.make(None)

    def make(self, store: Store | None) -> None:
        runtime = self.open("gritwit-bench-group-pingpong-", store)
        run = self.loop.run_until_complete
        run(start_ping_pong(runtime))
        report = run(runtime.run_until_quiescent(max_steps=10))
        if len(report.steps) != 10 or report.failures:
            raise AssertionError("the ball is not in play")

    def teardown(self, commit: str = "group") -> None:
        self.close()

    def transitions(self, commit: str) -> int:
        runtime = self.runtimes[commit]
        report = self.loop.run_until_complete(runtime.run_until_quiescent(max_steps=BATCH))
        if len(report.steps) != BATCH or report.failures:
            raise AssertionError(f"ping-pong stalled: {len(report.steps)} steps")
        return BATCH

    def time_batch_of_transitions(self, commit: str) -> None:
        self.transitions(commit)


class GroupOverStep:
    """Throughput of group commit over per-step commits, interleaved in one process."""

    unit = "step time / group time"
    timeout = 900

    def track_counters_step_over_group(self) -> float:
        return _step_over_group(DurableCounters())

    def track_pingpong_step_over_group(self) -> float:
        return _step_over_group(DurablePingPong())


def _step_over_group(scene: DurableCounters | DurablePingPong) -> float:
    """Per-step time over group time for ``scene``, interleaved in wall time (both wait
    for the disk)."""
    scene.setup()
    try:
        return interleaved_ratio(
            lambda: scene.transitions("step"),
            lambda: scene.transitions("group"),
            rounds=ROUNDS,
            clock=time.perf_counter,
        )
    finally:
        scene.teardown()


class CommitsPerTransition:
    """Backend write transactions per transition, by workload and commit mode (RUN-017)."""

    params: ClassVar = (["counters", "pingpong"], MODES)
    param_names: ClassVar = ["workload", "commit"]
    unit = "commits per transition"
    timeout = 300

    def track_commits(self, workload: str, commit: str) -> float:
        counting = Counting()
        scene: DurableCounters | DurablePingPong
        scene = DurableCounters() if workload == "counters" else DurablePingPong()
        folder = tempfile.mkdtemp(prefix="gritwit-bench-commits-")
        scene.make(Store(counting.backend(Store.open(folder).backend)))
        try:
            counting.reset()
            with counting.active() as counts:
                transitions = scene.transitions(commit)
            return counts.commits / transitions
        finally:
            scene.teardown()
            shutil.rmtree(folder, ignore_errors=True)

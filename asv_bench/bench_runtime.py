"""Runtime benchmarks (chapter *runtime*): transitions per second.

* :class:`CounterTransition` — one ``inc`` sent from the outside, then the
  reference runtime run until quiescent: exactly one transition (thread hop,
  step, objects stored, head compare-and-swap, routing), in memory and on the
  durable SQLite store.  Transitions per second = 1 / time.
* :class:`GroupedCounterTransition` — the same with the send joining the run's
  commit group (``send_commit="group"``, RUN-019.2): one commit, not two.
* :class:`ManyActors` — one ``inc`` to each of 1,000 counters (one outside
  send batch), then one run: 1,000 transitions.  Throughput = 1,000 / time.
* :class:`PingPongBatch` — two ``echo`` actors bounce one message back and forth;
  each timed call is one run of :data:`BATCH` transitions (``max_steps``), with
  no send from the outside at all, so it measures the runtime's own cost per
  transition (pending lookup, build, store, head swap, routing), in memory and
  on the durable SQLite store.  Transitions per second = :data:`BATCH` / time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import shutil
import tempfile
from typing import ClassVar

import gritwit as g
import gritwit.runtime
from gritwit.runtime import Runtime
from gritwit.store import Store
from gritwit.wit import test_actor_core

from ._scenes import make_counters, start_ping_pong

ACTORS = 1000
#: Transitions per timed call of :class:`PingPongBatch`.
BATCH = 200


class Backends:
    """The store each parametrised runtime benchmark runs on (``bench_counts`` wraps it)."""

    folder: str

    def make_store(self, backend: str) -> Store:
        """``memory``, ``sqlite`` (a sync per commit, DUR-004) or ``sqlite-process``
        (DUR-009's process-crash durability: ``synchronous=NORMAL``, no sync per commit)."""
        if backend == "memory":
            return Store.memory()
        if backend == "sqlite-process":
            return Store.open(f"{self.folder}?gritwit_durability=process")
        return Store.open(self.folder)


def runtime_takes(setting: str) -> bool:
    """Whether this gritwit's runtime takes ``setting``: a keyword parameter of its own, or,
    now a field of its ``RuntimeConfig``, which its keyword arguments build."""
    if setting in inspect.signature(Runtime).parameters:
        return True
    config = getattr(gritwit.runtime, "RuntimeConfig", None)
    return config is not None and setting in {f.name for f in dataclasses.fields(config)}


def grouped_runtime(store: Store) -> Runtime:
    """A runtime whose sends from the outside join the next run's commit group (RUN-019.2);
    ``NotImplementedError`` (asv: skipped) for a gritwit without grouped sends."""
    if not runtime_takes("send_commit"):
        raise NotImplementedError("this gritwit's runtime has no grouped sends (RUN-019.2)")
    return Runtime(store, send_commit="group")


class CounterTransition(Backends):
    """One ``inc`` → one step of the ``counter`` test actor, through the runtime."""

    params: ClassVar = (["memory", "sqlite", "sqlite-process"],)
    param_names: ClassVar = ["backend"]

    def make_runtime(self, store: Store) -> Runtime:
        """The default runtime: the send joins the run's commit group
        (RUN-019.1, RUN-019.2); before, each send was committed on its own."""
        return Runtime(store)

    def setup(self, backend: str) -> None:
        self.folder = tempfile.mkdtemp(prefix="gritwit-bench-runtime-")
        self.store = self.make_store(backend)
        self.loop = asyncio.new_event_loop()
        self.runtime = self.make_runtime(self.store)
        core, objects = test_actor_core("counter")
        self.actor = self.loop.run_until_complete(self.runtime.genesis(core, objects))
        self.loop.run_until_complete(self.runtime.run_until_quiescent())
        self.one = g.Blob(data=b"1")
        self.content = self.store.put_object(self.one)

    def teardown(self, backend: str) -> None:
        self.loop.close()
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def time_one_transition(self, backend: str) -> None:
        self.loop.run_until_complete(self._one())

    async def _one(self) -> None:
        await self.runtime.send(self.actor, self.content, {"mt": "inc"})
        await self.runtime.run_until_quiescent()


class GroupedCounterTransition(CounterTransition):
    """:class:`CounterTransition` with the send joining the run's commit group (RUN-019.2):
    one commit per ``inc`` and its step, one ``fdatasync`` on SQLite."""

    def make_runtime(self, store: Store) -> Runtime:
        return grouped_runtime(store)


class ManyActors:
    """1,000 counters, one ``inc`` each, one run (in memory)."""

    def setup(self) -> None:
        self.store = Store.memory()
        self.loop = asyncio.new_event_loop()
        self.runtime = Runtime(self.store)
        self.actors = self.loop.run_until_complete(make_counters(self.runtime, ACTORS))
        self.content = self.store.put_object(g.Blob(data=b"1"))

    def teardown(self) -> None:
        self.loop.close()
        self.store.close()

    def time_thousand_transitions(self) -> None:
        self.loop.run_until_complete(self._round())

    async def _round(self) -> None:
        incs = [(a, self.content, {"mt": "inc"}, False) for a in self.actors]
        await self.runtime.send_all(incs)
        await self.runtime.run_until_quiescent()


class PingPongBatch(Backends):
    """:data:`BATCH` transitions of two ``echo`` actors answering each other, one run."""

    params: ClassVar = (["memory", "sqlite"],)
    param_names: ClassVar = ["backend"]

    def setup(self, backend: str) -> None:
        self.folder = tempfile.mkdtemp(prefix="gritwit-bench-pingpong-")
        self.store = self.make_store(backend)
        self.loop = asyncio.new_event_loop()
        self.runtime = Runtime(self.store)
        self.loop.run_until_complete(start_ping_pong(self.runtime))
        report = self.loop.run_until_complete(self.runtime.run_until_quiescent(max_steps=10))
        assert len(report.steps) == 10 and not report.failures  # the ball is in play

    def teardown(self, backend: str) -> None:
        self.loop.close()
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def time_batch_of_transitions(self, backend: str) -> None:
        self.loop.run_until_complete(self.runtime.run_until_quiescent(max_steps=BATCH))

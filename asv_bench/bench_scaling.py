"""Flat scaling: a transition costs the same however much the runtime holds.

Each scene puts the echo pair of :class:`bench_runtime.PingPongBatch` in play on a
memory runtime, makes a burst while the pair plays, and then times :data:`BATCH`
transitions of the pair (one run with ``max_steps``), as on an empty runtime:

* ``empty`` — no burst: the yardstick;
* ``geneses-10000``, ``geneses-20000`` — that many ``counter`` actors made (one
  batch of genesis sends, one run).  With the pair that is more than
  :data:`~gritwit.runtime.MAX_RESIDENT` (10,000) resident actors, so capacity
  eviction archives the least recently used (the set-up checks that it did, RUN-012.2);
* ``sends-10000`` — 10,000 counters made, then one ``inc`` sent to each (one batch)
  and run;
* ``history-20000`` — the pair plays 20,000 transitions first (10,000 steps each;
  the object cache is full and drops its oldest entries);
* ``pending-10000`` — 10,000 messages sent from the outside to one actor that has no
  genesis: they stay pending in one mailbox (the actor is looked at once, and waits).

``track_over_empty`` times the batch interleaved with the same batch on an ``empty``
scene in the same process and reports the ratio of their median CPU times
(:func:`~asv_bench._ratio.interleaved_ratio`); it is the only benchmark here, since
each set-up is a burst of seconds.  The target is ≤ 1.2 at 10,000 and 20,000
actors, and flat history and pending messages; the gate counts instructions instead
(``asv_bench/tools/instructions.py``, the ``scale-*`` workloads), since a time ratio
on a shared machine moves by more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, Final

import gritwit as g
from gritwit import GritObject, ObjectId
from gritwit.runtime import ARCHIVED, MAX_RESIDENT, LifecycleEvent, Runtime
from gritwit.store import Store
from gritwit.wit import test_actor_core

from ._ratio import interleaved_ratio
from ._scenes import start_ping_pong

#: A send from the outside: recipient, content, headers, signal.
Send = tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]
#: Ping-pong transitions per timed call.
BATCH: Final = 200
#: The scenes of :class:`Scaling` (the slowest set-up, ``geneses-20000``, takes a few seconds).
SCENES: Final = (
    "empty",
    "geneses-10000",
    "geneses-20000",
    "sends-10000",
    "history-20000",
    "pending-10000",
)


def _standing_clock() -> float:
    """The scene's runtime clock: always 0.0 (no idle eviction by time)."""
    return 0.0


class Scene:
    """The echo pair in play on a memory runtime, after the burst named ``scene``.

    ``scene`` is ``empty`` or ``<kind>-<count>`` (:data:`SCENES`); :meth:`burst` makes
    one more burst on the same runtime (the instruction gate counts the transitions
    after each of several, in one process).
    """

    def __init__(self, scene: str = "empty") -> None:
        self.store = Store.memory()
        self.loop = asyncio.new_event_loop()
        # a clock that stands still: no actor is ever idle for idle_after (RUN-012.3), so
        # what the scene does, and what the instruction gate counts, does not depend on how
        # long the machine took (a burst of 10,000 under valgrind takes minutes);
        # capacity eviction (max_resident, RUN-012.2) still runs, by count
        self.runtime = Runtime(self.store, clock=_standing_clock)
        self.archived = 0
        self.runtime.subscribe(self._seen)
        #: The counters made so far, in order.
        self.counters: list[ObjectId] = []
        self.content = self.store.put_object(g.Blob(data=b"1"))
        run = self.loop.run_until_complete
        run(start_ping_pong(self.runtime))
        report = run(self.runtime.run_until_quiescent(max_steps=10))
        assert len(report.steps) == 10 and not report.failures  # the ball is in play
        #: The two actors always at work (the echo, and the fanout turned echo).
        self.pair = {g.object_id(test_actor_core(wit)[0]) for wit in ("echo", "fanout")}
        kind, _, size = scene.partition("-")
        if kind == "sends":  # the counters the sends go to
            self.burst("geneses", int(size))
        if kind == "empty":
            self.transitions()  # warm up
        else:
            self.burst(kind, int(size))

    def burst(self, kind: str, count: int) -> None:
        """``count`` geneses of new counters, sends (one ``inc`` to each of the last
        ``count`` counters), transitions of the pair (history) or messages pending for
        one actor with no genesis; each burst in one batch, run to its end, then the
        pair is warmed up again."""
        if kind == "geneses":
            first = len(self.counters)
            tags = range(first, first + count)
            cores = [test_actor_core("counter", {"tag": g.Blob(data=b"%d" % i)}) for i in tags]
            actors = [g.object_id(core) for core, _ in cores]
            self.counters += actors
            objects = [obj for _, objs in cores for obj in objs]
            self._burst([(a, a, {"mt": "genesis"}, False) for a in actors], objects)
            if len(self.counters) + len(self.pair) > MAX_RESIDENT:
                assert self.archived > 0, "no capacity eviction"  # RUN-012.2
        elif kind == "sends":
            incs = [(a, self.content, {"mt": "inc"}, False) for a in self.counters[-count:]]
            self._burst(incs)
        elif kind == "history":
            report = self.loop.run_until_complete(self.runtime.run_until_quiescent(max_steps=count))
            assert len(report.steps) == count and not report.failures
        elif kind == "pending":
            unborn = g.object_id(g.Blob(data=b"never born"))
            self._burst([(unborn, self.content, {"mt": "inc"}, False)] * count)
        else:
            raise ValueError(f"no burst {kind!r}")
        self.transitions()  # warm up

    def _burst(self, sends: Sequence[Send], objects: Iterable[GritObject] = ()) -> None:
        """Send ``sends`` from the outside in one batch, then run until only the pair has
        work (a run adopts at most ``max_steps`` steps, RUN-018.1; the pair never stops)."""
        run = self.loop.run_until_complete
        run(self.runtime.send_all(sends, objects))
        bound = len({recipient for recipient, *_ in sends}) + 10  # a step each, and the pair's
        while True:
            report = run(self.runtime.run_until_quiescent(max_steps=bound))
            assert not report.failures
            if not set(self.runtime.busy()) - self.pair:
                return

    def _seen(self, event: LifecycleEvent) -> None:
        if event.kind == ARCHIVED:
            self.archived += 1

    def transitions(self) -> None:
        """:data:`BATCH` transitions of the echo pair (one run)."""
        report = self.loop.run_until_complete(self.runtime.run_until_quiescent(max_steps=BATCH))
        if len(report.steps) != BATCH or report.failures:
            raise AssertionError(f"ping-pong stalled: {len(report.steps)} steps")

    def close(self) -> None:
        self.loop.close()
        self.store.close()


class Scaling:
    """:data:`BATCH` ping-pong transitions after each burst of :data:`SCENES`."""

    params: ClassVar = (list(SCENES),)
    param_names: ClassVar = ["scene"]
    timeout = 300

    def setup(self, scene: str) -> None:
        self.scene = Scene(scene)

    def teardown(self, scene: str) -> None:
        self.scene.close()

    def track_over_empty(self, scene: str) -> float:
        empty = Scene("empty")
        try:
            return interleaved_ratio(self.scene.transitions, empty.transitions, rounds=7)
        finally:
            empty.close()

    track_over_empty.unit = "ratio"  # type: ignore[attr-defined]


def main() -> None:
    """Print each scene's ratio over ``empty``, without asv."""
    bench = Scaling()
    for scene in SCENES[1:]:
        bench.setup(scene)
        print(f"{scene:<16} {bench.track_over_empty(scene):.2f}", flush=True)
        bench.teardown(scene)


if __name__ == "__main__":
    main()

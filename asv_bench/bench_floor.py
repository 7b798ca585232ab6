"""The library floor of a transition: the runtime beside the raw cbor2 + blake3 work.

A transition's *minimum work* is one canonical encode and one BLAKE3 hash of every
object it adds: for one ``inc`` sent from the outside to a ``counter`` (as
:class:`bench_runtime.GroupedCounterTransition`), the message, the outside's outbox, the
count blob, the core, the inbox and the step (6 + 6); for one transition of the
echo pair (as :class:`bench_runtime.PingPongBatch`), the reply, the inbox, the
outbox and the step (4 + 4).

The objects are not made up: :func:`added_values` runs the real transition on a
memory store and takes the objects it stored, as the plain CBOR maps cbor2 sees
(byte strings for ids), so the floor encodes and hashes the same objects, of the
same sizes, that the runtime does.  Only ``cbor2.dumps(value, canonical=True)``
and ``blake3(bytes).digest()`` are timed.

Each class has the runtime's timed call beside the floor's (``time_runtime``,
``time_floor``; the same work unit: one counter transition, or :data:`BATCH`
ping-pong transitions) and ``track_runtime_over_floor``, the two timed in
alternating rounds in one process, the ratio of their medians: that ratio holds
whatever the machine's load.  The rounds are timed in CPU time of the benchmark's
thread (``time.thread_time``): both sides only compute (memory store, inline
transitions, no I/O), so on an idle machine it equals wall time, and on the shared
2-core machine it does not count the time other jobs hold the core.  The
acceptance is ≤ 3 for both.
``python -m asv_bench.tools.floor_ratios`` prints the ratios (directly, or from
an asv results file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import blake3
import cbor2

from gritwit.store import Store

from . import bench_runtime
from ._ratio import interleaved_ratio

#: Ping-pong transitions per timed call (the runtime's batch).
BATCH: Final = bench_runtime.BATCH
#: Objects a counter transition adds (the send and the step) and a ping-pong one adds.
COUNTER_OBJECTS: Final = 6
PINGPONG_OBJECTS: Final = 4
#: Alternating rounds of a ratio, and timed calls per round (per side).
ROUNDS: Final = 15


def added_values(store: Store, run: Callable[[], object]) -> list[Any]:
    """The objects ``run()`` adds to ``store``, as the plain maps cbor2 encodes them to.

    Each is checked to encode back to the stored bytes, so the floor does the very
    encodes the runtime did.
    """
    before = set(store.iter_ids())
    run()
    values = []
    for oid in sorted(set(store.iter_ids()) - before):
        data = store.get(oid)
        value = cbor2.loads(data)
        if cbor2.dumps(value, canonical=True) != data:
            raise AssertionError(f"object {oid} does not re-encode to its bytes")
        values.append(value)
    return values


def floor(values: list[Any]) -> None:
    """The minimum work: encode each value canonically and hash its bytes (ID-001)."""
    dumps, hasher = cbor2.dumps, blake3.blake3
    for value in values:
        hasher(dumps(value, canonical=True)).digest()


class CounterFloor:
    """One ``inc`` → one ``counter`` step, in memory: the runtime and its floor (6 + 6).

    The send joins the run's commit group (:class:`bench_runtime.GroupedCounterTransition`,
    RUN-019.2), as the target sets it: one commit per ``inc`` and its step.
    """

    def setup(self) -> None:
        self.scene = bench_runtime.GroupedCounterTransition()
        self.scene.setup("memory")
        self.time_runtime()  # count 1: its blob is the content of the inc, stored already
        self.values = added_values(self.scene.store, self.time_runtime)
        if len(self.values) != COUNTER_OBJECTS:
            raise AssertionError(f"a counter transition added {len(self.values)} objects")

    def teardown(self) -> None:
        self.scene.teardown("memory")

    def time_runtime(self) -> None:
        self.scene.time_one_transition("memory")

    def time_floor(self) -> None:
        floor(self.values)

    def track_runtime_over_floor(self) -> float:
        return interleaved_ratio(self.time_runtime, self.time_floor, rounds=ROUNDS, calls=20)

    track_runtime_over_floor.unit = "ratio"  # type: ignore[attr-defined]


class PingPongFloor:
    """:data:`BATCH` transitions of the echo pair, in memory: the runtime and its floor (4 + 4)."""

    def setup(self) -> None:
        self.scene = bench_runtime.PingPongBatch()
        self.scene.setup("memory")
        loop, runtime = self.scene.loop, self.scene.runtime
        one = added_values(
            self.scene.store,
            lambda: loop.run_until_complete(runtime.run_until_quiescent(max_steps=1)),
        )
        if len(one) != PINGPONG_OBJECTS:
            raise AssertionError(f"a ping-pong transition added {len(one)} objects")
        self.values = one * BATCH

    def teardown(self) -> None:
        self.scene.teardown("memory")

    def time_runtime(self) -> None:
        self.scene.time_batch_of_transitions("memory")

    def time_floor(self) -> None:
        floor(self.values)

    def track_runtime_over_floor(self) -> float:
        return interleaved_ratio(self.time_runtime, self.time_floor, rounds=ROUNDS, calls=1)

    track_runtime_over_floor.unit = "ratio"  # type: ignore[attr-defined]

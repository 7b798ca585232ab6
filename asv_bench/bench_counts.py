"""Work per transition, counted: regressions that show whatever the machine's load.

The same two workloads as :mod:`bench_runtime`, on both backends:

* :class:`CounterCounts` — one ``inc`` sent from the outside and run: one transition;
* :class:`PingPongCounts` — :data:`PINGPONG` transitions of two ``echo`` actors,
  reported per transition (the two actors alternate, so the batch is even).

Each ``track_`` benchmark returns how many encodes, BLAKE3 hashes, decodes, objects
written, commits (backend write transactions) and backend reads the transition
did, and how many function calls it made (``track_calls``: the interpreter's
work around the library calls), counted by :class:`~_counting.Counting`
(wrappers around cbor2, blake3, gritwit's decoders and the store backend, and a
profile hook, installed in ``setup``; the reference package is not edited).  The
counts are deterministic, so ``asv continuous --factor 1.0`` flags any increase
(``asv_bench/tools/compare.py``).
"""

from __future__ import annotations

from typing import ClassVar

from gritwit.store import Store

from . import bench_runtime
from ._counting import Counting

#: Transitions per ping-pong measurement (even: both echo actors step equally often).
PINGPONG = 20


def _counted(scene: bench_runtime.Backends, counting: Counting) -> None:
    """Make ``scene`` open its store behind a counting backend proxy."""
    plain = scene.make_store

    def make_store(backend: str) -> Store:
        return Store(counting.backend(plain(backend).backend))

    scene.make_store = make_store  # type: ignore[method-assign]


def _per(total: int, transitions: int) -> float:
    """``total / transitions``, as an ``int`` when it divides (every count does today)."""
    return total // transitions if total % transitions == 0 else total / transitions


class _Tracks:
    """The ``track_`` methods over :meth:`measure` (one run of the workload)."""

    params: ClassVar = (["memory", "sqlite"],)
    param_names: ClassVar = ["backend"]
    unit = "calls per transition"
    counting: Counting

    def measure(self) -> dict[str, float]:
        raise NotImplementedError

    def track_encodes(self, backend: str) -> float:
        return self.measure()["encodes"]

    def track_hashes(self, backend: str) -> float:
        return self.measure()["hashes"]

    def track_decodes(self, backend: str) -> float:
        return self.measure()["decodes"]

    def track_objects_written(self, backend: str) -> float:
        return self.measure()["objects_written"]

    def track_commits(self, backend: str) -> float:
        return self.measure()["commits"]

    def track_store_reads(self, backend: str) -> float:
        return self.measure()["reads"]

    def track_calls(self, backend: str) -> float:
        return self.measure()["calls"]


class CounterCounts(_Tracks):
    """Counts for one ``inc`` → one ``counter`` step (the send and the run)."""

    def setup(self, backend: str) -> None:
        self.counting = Counting()
        self.scene = bench_runtime.CounterTransition()
        _counted(self.scene, self.counting)
        self.scene.setup(backend)
        self.measure()  # warm up: the first inc also reads what later ones find cached

    def teardown(self, backend: str) -> None:
        self.scene.teardown(backend)

    def measure(self) -> dict[str, float]:
        self.counting.reset()
        with self.counting.active() as counts:
            self.scene.loop.run_until_complete(self.scene._one())
        return dict(counts.as_dict())


class PingPongCounts(_Tracks):
    """Counts per transition over :data:`PINGPONG` transitions of the echo pair."""

    def setup(self, backend: str) -> None:
        self.counting = Counting()
        self.scene = bench_runtime.PingPongBatch()
        _counted(self.scene, self.counting)
        self.scene.setup(backend)

    def teardown(self, backend: str) -> None:
        self.scene.teardown(backend)

    def measure(self) -> dict[str, float]:
        self.counting.reset()
        scene = self.scene
        with self.counting.active() as counts:
            report = scene.loop.run_until_complete(
                scene.runtime.run_until_quiescent(max_steps=PINGPONG)
            )
        if len(report.steps) != PINGPONG or report.failures:
            raise AssertionError(f"ping-pong stalled: {len(report.steps)} steps, {report.failures}")
        # Today every count is a multiple of PINGPONG; a future group commit may not be.
        return {n: _per(v, PINGPONG) for n, v in counts.as_dict().items()}

"""Lifecycle benchmarks (chapter *runtime*, RUN-008, RUN-009).

* :class:`Fork` — fork an actor at its head after 10 and after 1,000 steps.
  RUN-008 asks that the time not grow with the history (nothing is copied).
* :class:`ForkHistory` — the same two forks in alternating rounds in one process,
  ``track_fork_1000_over_10`` their ratio (CPU time of the thread, as
  :func:`asv_bench._ratio.interleaved_ratio`); the target is a ratio near 1.
* :class:`Bundle` — export and import an actor of 10 and 1,000 steps, which
  does grow with the history (every object is written and checked).
"""

from __future__ import annotations

from typing import ClassVar, Final

import gritwit as g
from gritwit.runtime import export_bundle, fork, import_bundle
from gritwit.store import Store
from gritwit.wit import test_actor_core

from ._ratio import interleaved_ratio

#: Alternating rounds of :class:`ForkHistory`'s ratio, and forks per round and side.
ROUNDS: Final = 15
CALLS: Final = 10


def _history(store: Store, steps: int) -> tuple[g.ObjectId, g.ObjectId]:
    """A counter actor with ``steps`` steps, written directly: (actor, head)."""
    core, objects = test_actor_core("counter")
    for obj in objects:
        store.put_object(obj)
    actor = g.object_id(core)
    previous = None
    for i in range(steps):
        count = store.put_object(g.Blob(data=str(i).encode()))
        step_core = store.put_object(g.Tree(entries={**core.entries, "count": count}))
        previous = store.put_object(g.Step(actor=actor, core=step_core, previous=previous))
    assert previous is not None
    store.cas_ref("heads/" + actor.hex(), None, previous)
    return actor, previous


class Fork:
    """One fork at the head; each call makes a new child (a different ``tag`` entry)."""

    params: ClassVar = ([10, 1000],)
    param_names: ClassVar = ["steps"]

    def setup(self, steps: int) -> None:
        self.store = Store.memory()
        self.actor, self.head = _history(self.store, steps)
        self.calls = 0

    def time_fork(self, steps: int) -> None:
        self.calls += 1
        tag = g.Blob(data=str(self.calls).encode())
        fork(self.store, self.actor, self.head, {"tag": tag})


class _Forker:
    """Forks one actor's head, each call a new child (its own ``tag``), in its own store.

    Every call writes the same four objects (tag, fork blob, core, first step) and
    one head, so two forkers called equally often grow their stores alike.
    """

    def __init__(self, steps: int) -> None:
        self.store = Store.memory()
        self.actor, self.head = _history(self.store, steps)
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        tag = g.Blob(data=str(self.calls).encode())
        fork(self.store, self.actor, self.head, {"tag": tag})


class ForkHistory:
    """A fork after 1,000 steps over a fork after 10, interleaved in one process."""

    def setup(self) -> None:
        self.long = _Forker(1000)
        self.short = _Forker(10)

    def track_fork_1000_over_10(self) -> float:
        return interleaved_ratio(self.long, self.short, rounds=ROUNDS, calls=CALLS)

    track_fork_1000_over_10.unit = "ratio"  # type: ignore[attr-defined]


class Bundle:
    """Export an actor's history, and import it into an empty store."""

    params: ClassVar = ([10, 1000],)
    param_names: ClassVar = ["steps"]

    def setup(self, steps: int) -> None:
        self.store = Store.memory()
        self.actor, _ = _history(self.store, steps)
        self.data = export_bundle(self.store, self.actor)

    def time_export(self, steps: int) -> None:
        export_bundle(self.store, self.actor)

    def time_import(self, steps: int) -> None:
        import_bundle(Store.memory(), self.data)


def main() -> None:
    """Print five interleaved ratios of :class:`ForkHistory`, without asv."""
    bench = ForkHistory()
    bench.setup()
    print("track_fork_1000_over_10", [round(bench.track_fork_1000_over_10(), 2) for _ in range(5)])


if __name__ == "__main__":
    main()

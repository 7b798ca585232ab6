"""A multi-runtime configuration's plan: its workload, its size, and which actors each of
its processes sends to and runs (RUN-021), for ``_multi`` and its runtime processes
(``_multi_process``).

:class:`Plan` is what every process of a configuration is told (as JSON).  The functions
here name a plan's actors from their cores alone — a counter by its index
(:func:`counter_core`), an echo or a fanout in the share the plan wants it in
(:func:`tagged`, :func:`pair_shares`) — so that the parent, which makes them, and each
child, which sends to its part of them (:func:`share`) and runs its share, agree without
a word between them.  ``_multi`` describes the workloads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypedDict

if TYPE_CHECKING:
    from gritwit import GritObject, Tree

#: Counters of ``disjoint`` and ping-pong pairs of ``cross`` (shared by every configuration).
COUNTERS: Final = 240
PAIRS: Final = 12
#: Transitions of a ``cross`` round, in all processes together.
CROSS_STEPS: Final = 240
WORKLOADS: Final = ("disjoint", "cross")
#: ``cross`` with only every other block of pairs crossing between shares (the rest have
#: both ends in one share): half the pairs cross, but far fewer of the steps, since a
#: local ball never waits for another process (the tool prints the share that crossed).
#: The tool's, not asv's.
HALF: Final = "half"


class Sizes(TypedDict, total=False):
    """A plan's sizes other than the defaults, as keywords of :class:`Plan`."""

    counters: int
    pairs: int
    steps: int
    gather: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """One configuration's workload: its size and how it is shared between processes."""

    workload: str
    processes: int
    counters: int = COUNTERS
    pairs: int = PAIRS
    steps: int = CROSS_STEPS
    #: Process ``i`` runs only share ``i/processes`` of the actors (RUN-021).
    shares: bool = False
    #: With ``shares``, each pair's second end is placed with its first by its genesis's
    #: ``placement`` header (RUN-021.7): the pair lives in one share, whatever its ids say.
    placed: bool = False
    #: Each runtime's gathering window of wake-ups in seconds (RUN-020.8); ``None``:
    #: the runtime's default.
    gather: float | None = None

    def transitions(self) -> int:
        """Transitions per round, in all processes together."""
        return self.counters if self.workload == "disjoint" else self.steps

    def part(self, n: int) -> Plan:
        """An ``n``-th of this plan, for one process alone on a store of its own."""
        return Plan(
            workload=self.workload,
            processes=1,
            counters=self.counters // n,
            pairs=self.pairs // n,
            steps=self.steps // n,
            gather=self.gather,
        )

    def as_json(self) -> str:
        return json.dumps({k: getattr(self, k) for k in self.__slots__})


def counter_core(index: int) -> tuple[Tree, tuple[GritObject, ...]]:
    """Counter ``index``'s core and objects (a ``tag`` entry makes each actor its own)."""
    import gritwit as g
    from gritwit.wit import test_actor_core

    return test_actor_core("counter", {"tag": g.Blob(data=b"counter %d" % index)})


def share(plan: Plan, process: int) -> Sequence[int]:
    """The counters process ``process`` sends to (``disjoint``): an ``N``-th of them by
    index, or with shares those of its share (RUN-021), which it runs itself."""
    if plan.shares:
        import gritwit as g
        from gritwit.runtime import Share

        mine = Share(k=process, n=plan.processes)
        return [i for i in range(plan.counters) if mine.owns(g.object_id(counter_core(i)[0]))]
    size = plan.counters // plan.processes
    return range(
        process * size, plan.counters if process == plan.processes - 1 else (process + 1) * size
    )


def tagged(name: str, text: str, k: int, n: int) -> tuple[Tree, tuple[GritObject, ...]]:
    """A ``name`` core with a ``tag`` entry of ``text`` (then a number, until the actor is
    in share ``k/n``, RUN-021): distinct actors, each where the plan wants it."""
    import gritwit as g
    from gritwit.runtime import Share
    from gritwit.wit import test_actor_core

    share_k = Share(k=k, n=n)
    for extra in range(10_000):
        tag = text if extra == 0 else f"{text} {extra}"
        core, objects = test_actor_core(name, {"tag": g.Blob(data=tag.encode())})
        if share_k.owns(g.object_id(core)):
            return core, objects
    raise AssertionError(f"no {name} in share {k}/{n}")


def pair_shares(plan: Plan, j: int) -> tuple[int, int]:
    """The shares of pair ``j``'s two echoes (``cross`` with shares): two processes'; in
    ``half``, one process's for the pairs of every other block of ``N``, so that each
    process has as many pairs within its share as crossing it."""
    n = plan.processes
    p = j % n
    if plan.workload == HALF and (j // n) % 2 == 0:
        return p, p
    return p, (p ^ 1 if p ^ 1 < n else p)

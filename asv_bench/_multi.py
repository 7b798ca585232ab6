"""Runtime processes sharing one store: the configurations and workloads of
``bench_multi_runtime`` and ``tools/multi_runtime`` (RUN-002, DUR-005).

A *configuration* is ``N`` OS processes (``_multi_process``), each with its own
:class:`~gritwit.runtime.Runtime` (group commit, RUN-017) over one store — a SQLite
folder or a PostgreSQL schema — all together doing the same transitions per round:

* ``disjoint`` — :data:`COUNTERS` ``counter`` actors in ``N`` shares; in a round each
  process sends one ``inc`` to each counter of its own share (one outside send) and
  runs until quiescent: :data:`COUNTERS` transitions in all, and no actor sends to
  another;
* ``cross`` — :data:`PAIRS` ping-pong pairs of ``echo`` actors with a ball each; in a
  round each process adopts its ``N``-th of :data:`CROSS_STEPS` transitions
  (``max_steps``), and each answer it reads was committed by whichever process ran
  the other echo's last step, often another one: a runtime picks up messages other
  processes committed, from the refs they moved.

Without shares a runtime runs *every* actor with messages pending, whoever sent them
(RUN-020.4: one writer per step is enforced by the heads' compare-and-swap, not by a
partition).  So the processes' parts say who *sends*; which process runs a transition
is whichever gets there first, and a step built by two processes is adopted by one
and lost by the other: the loser counts a conflict, and a lost group commit reloads
its routing index from the heads (RUN-017.4).  Each round reports them.

With ``shares`` (:attr:`Plan.shares`) process ``i`` of ``N`` runs only share ``i/N``
(RUN-021): ``disjoint`` sends each process's ``inc`` to the counters of its share, and
in ``cross`` each pair's two echoes are in two processes' shares (``p`` and ``p xor
1``, for pair ``j`` of process ``p = j mod N``), so every ball crosses between two
processes at each step; a process runs again until it has adopted its part of the
round's transitions, since its next one may wait for another process's step.  No step
is built twice: conflicts are only the outside's outbox, which the senders share.

:func:`measure` makes the actors of each configuration in a store of its own
(``_multi_actors``), starts its processes (:class:`Fleet`, ``_multi_fleet``), waits until
each has opened the store, and times rounds: ``go`` to every process, then every answer;
the time of a round is the parent's wall time from the first ``go`` to the last answer.
The SQLite baseline and the PostgreSQL configurations take turns, round after round, in
the one run.

The plan and the actors' names are ``_multi_plan``'s.  This module measures the
configurations and re-exports the names its callers (``bench_multi_runtime``,
``tools/multi_runtime``, the tests) import from it.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ._multi_actors import crossing_actors, make_actors, prepare
from ._multi_fleet import Fleet, Round, Setup, busy_between, cpu_times
from ._multi_plan import (
    COUNTERS,
    CROSS_STEPS,
    HALF,
    PAIRS,
    WORKLOADS,
    Plan,
    Sizes,
    counter_core,
    pair_shares,
    share,
    tagged,
)
from ._ring import RING, ring_heads, ring_sends

__all__ = [
    "COUNTERS",
    "CROSS_STEPS",
    "HALF",
    "PAIRS",
    "PLACED",
    "POSTGRES",
    "RING",
    "SEPARATE",
    "SHARES",
    "SQLITE",
    "WORKLOADS",
    "Fleet",
    "Measured",
    "Plan",
    "Round",
    "Setup",
    "Sizes",
    "busy_between",
    "configuration",
    "counter_core",
    "cpu_times",
    "crossing_actors",
    "make_actors",
    "measure",
    "pair_shares",
    "prepare",
    "remove",
    "server_commits",
    "share",
    "sqlite_folder",
    "tagged",
]


def sqlite_folder() -> str:
    return tempfile.mkdtemp(prefix="gritwit-bench-multi-")


def remove(location: str) -> None:
    """Remove a SQLite folder (a PostgreSQL schema is left to the throwaway cluster)."""
    if "://" not in location:
        shutil.rmtree(location, ignore_errors=True)


def server_commits(location: str) -> int | None:
    """The write commits a PostgreSQL store counted itself (``None``: a SQLite folder)."""
    if "://" not in location:
        return None
    from gritwit.store import Store

    with Store.open(location) as store:
        return int(store.backend.settings()["commits"])  # type: ignore[attr-defined]


@dataclass
class Measured:
    """A configuration's rounds, beside the SQLite baseline's of the same run."""

    store: str  # "sqlite", "postgres" or "postgres, a schema each"
    workload: str
    processes: int
    transitions: int  # per round
    rounds: list[Round]
    baseline: list[Round]  # the one SQLite process's rounds, interleaved with these
    #: The server's top waits during its rounds and the mean lock requests waiting
    #: (``_waits.Waits.shares``; ``None``: not sampled).
    waits: tuple[list[tuple[str, float]], float] | None = None
    #: ``ring`` with shares: the timed rounds' sends that crossed shares (read from the
    #: store, ``_ring.hops_since``) and all of them (``None``: not read).
    sends: tuple[int, int] | None = None

    def median_seconds(self) -> float:
        return statistics.median(r.seconds for r in self.rounds)

    def per_second(self) -> float:
        """Transitions per second (the median round)."""
        return self.transitions / self.median_seconds()

    def over_sqlite(self) -> float:
        """Transitions per second over the SQLite baseline's: its median time over this one's."""
        return statistics.median(r.seconds for r in self.baseline) / self.median_seconds()

    def writing(self) -> float:
        """Seconds the processes spent in write transactions (waiting for the writer row,
        holding it) per second of wall time, over all rounds.  On one store the writes
        take turns: below 1, the row was free part of the time (at least ``1 - x`` of it);
        on a schema each they overlap freely."""
        return sum(r.writing for r in self.rounds) / sum(r.seconds for r in self.rounds)

    def busy(self) -> float | None:
        """The machine's CPU busy during the rounds (median round; ``None``: not known): near
        1, the rounds were bound by the cores, and more processes cannot add throughput."""
        known = [r.busy for r in self.rounds if r.busy is not None]
        return statistics.median(known) if known else None

    def per_transition(self, what: str) -> float:
        """``commits``, ``conflicts``, ``group_losses``, ``runtime_cpu`` or ``rows`` per
        adopted transition."""
        per: float = sum(getattr(r, what) for r in self.rounds) / sum(r.steps for r in self.rounds)
        return per

    def known_per_transition(self, what: str) -> float | None:
        """``server_cpu`` or ``turns`` per adopted transition, over the rounds where it
        was measured (``None``: in none)."""
        known = [r for r in self.rounds if getattr(r, what) is not None]
        if not known:
            return None
        per: float = sum(getattr(r, what) for r in known) / sum(r.steps for r in known)
        return per

    def cap_bound(self) -> float | None:
        """The share of the capped groups' periods in which the cap bound (``None``: not
        capped, or no period counted): a cap that never binds proves nothing."""
        periods = sum(r.periods for r in self.rounds)
        return sum(r.throttled for r in self.rounds) / periods if periods else None


SQLITE: Final = "sqlite"
POSTGRES: Final = "postgres"
SHARES: Final = "postgres, shares"
PLACED: Final = "postgres, shares, placed"
SEPARATE: Final = "postgres, a schema each"


def configuration(measured: Measured) -> str:
    """The configuration's name in ``bench_multi_runtime``: ``sqlite-1``, ``postgres-N``,
    ``postgres-shares-N`` or ``postgres-separate-N``."""
    store = {
        SHARES: "postgres-shares",
        PLACED: "postgres-placed",
        SEPARATE: "postgres-separate",
    }.get(measured.store, measured.store)
    return f"{store}-{measured.processes}"


def measure(
    workload: str,
    processes: Sequence[int],
    database: str,
    *,
    rounds: int,
    sizes: Sizes | None = None,
    shares: Sequence[int] = (),
    separate: Sequence[int] = (),
    setup: Setup | None = None,
    placed: Sequence[int] = (),
) -> list[Measured]:
    """The SQLite baseline (one process), then ``N`` processes on one PostgreSQL schema for
    each ``N`` of ``processes``, without shares (each runs every actor, RUN-020.4), and
    for each ``N`` of ``shares``, with shares (process ``i`` runs share ``i/N``, RUN-021);
    and, for each ``N`` of ``separate``, ``N`` processes each on a schema of its own with
    an ``N``-th of the actors and transitions (the ceiling if nothing were shared); for
    each ``N`` of ``placed``, with shares and each pair placed in its first end's share
    (RUN-021.6; ``cross`` and ``half``); each configuration its own stores, in one run.  After a
    warm-up round each, ``rounds`` rounds, each a round of every configuration in turn
    (the order rotating), so that the load weighs on all alike.  ``database``: a
    ``postgresql://`` URL where schemas may be made.  A PostgreSQL store's own count of
    commits must equal what the children's backend proxies counted."""
    from gritwit.store import create_schema

    sizes = sizes or {}
    whole = Plan(workload=workload, processes=1, **sizes)
    folder = sqlite_folder()
    setup = setup or Setup()
    configs: list[tuple[str, int, Fleet]] = [(SQLITE, 1, Fleet.sharing(folder, whole, setup))]
    for n in processes:
        plan = Plan(workload=workload, processes=n, **sizes)
        configs.append((POSTGRES, n, Fleet.sharing(create_schema(database), plan, setup)))
    for n in shares:
        plan = Plan(workload=workload, processes=n, shares=True, **sizes)
        if workload != "disjoint" and plan.steps % n:  # equal parts: see _multi_process._rest
            raise ValueError(f"cross with shares: {plan.steps} steps in {n} equal parts")
        configs.append((SHARES, n, Fleet.sharing(create_schema(database), plan, setup)))
    for n in placed if workload not in ("disjoint", RING) else ():  # a ring has no placement
        plan = Plan(workload=workload, processes=n, shares=True, placed=True, **sizes)
        if plan.steps % n:
            raise ValueError(f"placed: {plan.steps} steps in {n} equal parts")
        configs.append((PLACED, n, Fleet.sharing(create_schema(database), plan, setup)))
    for n in separate:
        part = whole.part(n)
        members = [(create_schema(database), part, 0) for _ in range(n)]
        configs.append((SEPARATE, n, Fleet(members, setup=setup)))
    try:
        for _, _, fleet in configs:
            for location, plan in fleet.stores().items():
                prepare(location, plan)
            fleet.start()
        before = [{loc: server_commits(loc) for loc in fleet.stores()} for _, _, fleet in configs]
        timed: list[list[Round]] = [[fleet.round()] for _, _, fleet in configs]  # warm-up
        since = [ring_heads(fleet) for _, _, fleet in configs]  # ring: what its rounds send
        for r in range(rounds):
            for i in [(r + k) % len(configs) for k in range(len(configs))]:
                if setup.waits is not None:
                    setup.waits.label = (workload, i)
                timed[i].append(configs[i][2].round())
                if setup.waits is not None:
                    setup.waits.label = None
        for (_, _, fleet), counted, done in zip(configs, before, timed, strict=True):
            _check_commits(fleet, counted, sum(r.commits for r in done))
        sends = [ring_sends(f, h, rounds) for (_, _, f), h in zip(configs, since, strict=True)]
    finally:
        for _, _, fleet in configs:
            fleet.stop()
        remove(folder)
    return [
        Measured(
            store,
            workload,
            n,
            fleet.transitions(),
            timed[i][1:],
            timed[0][1:],
            None if setup.waits is None else setup.waits.shares((workload, i)),
            sends[i],
        )
        for i, (store, n, fleet) in enumerate(configs)
    ]


def _check_commits(fleet: Fleet, before: dict[str, int | None], proxies: int) -> None:
    """The server's own count of write commits since ``before`` equals the proxies' count."""
    server = 0
    for location, count in before.items():
        now = server_commits(location)
        if count is None or now is None:
            return  # SQLite: the proxies' count is all there is
        server += now - count
    if server != proxies:
        raise AssertionError(f"the server counted {server} commits, the proxies {proxies}")

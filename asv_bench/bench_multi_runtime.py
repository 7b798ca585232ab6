"""1, 2 and 4 runtime processes on one PostgreSQL store against one process on SQLite,
side by side in one run, without shares and with (RUN-002, RUN-021, DUR-005).

Each configuration is real OS processes (``asv_bench/_multi.py``), each with a
:class:`~gritwit.runtime.Runtime` of its own over one store, all doing the same total
of transitions per round, in group commit (RUN-017):

* ``disjoint`` — :data:`~asv_bench._multi.COUNTERS` counters, a share for each process,
  which sends one ``inc`` to each counter of its share and runs until quiescent;
* ``cross`` — ping-pong pairs of ``echo`` actors; each process adopts its ``N``-th of
  :data:`~asv_bench._multi.CROSS_STEPS` transitions a round, reading the answers the
  other processes committed.

Without shares every runtime runs every actor with messages pending, so the
processes also race for one another's actors (the compare-and-swap of the heads keeps
one step of each, RUN-002); the conflicts are counted.  With shares process ``i`` of
``N`` runs only share ``i/N`` of the actors (RUN-021): the counters of its share, and
one end of each ping-pong pair whose other end another process runs.  The
configurations are ``sqlite-1`` (the baseline: one process, a SQLite folder),
``postgres-N`` (``N`` processes, one PostgreSQL schema, no shares) and
``postgres-shares-N`` (the same with shares), measured in one ``setup_cache``: a
warm-up round each, then :data:`ROUNDS` rounds of every configuration in turn, so that
a shared machine's load weighs on all alike.  Each ``track_`` reads what it reports
from that one run:

* ``track_throughput_over_sqlite`` — transitions per second over the baseline's
  (its median round time over this configuration's): above 1, faster than SQLite;
* ``track_transitions_per_second`` — of the median round (load-dependent: compare
  the ratios);
* ``track_commits_per_transition`` — write transactions per transition, all processes
  together (a backend proxy in each, ``_counting``); on PostgreSQL the store's own
  count (``settings()["commits"]``) must agree, or the run fails;
* ``track_conflicts_per_transition`` — heads' compare-and-swaps lost to another process;
* ``track_writing`` — seconds the processes spent in write transactions (waiting for
  the writer row, or holding it) per second of wall time.

The server: ``GRITWIT_BENCH_POSTGRES`` (a ``postgresql://`` URL of a database the
benchmark may make schemas in), else a throwaway cluster (``reference/tests/pg_server.py``),
stopped when the measurement ends.  Without psycopg or a server every benchmark here
is skipped with the reason.  Larger workloads: ``python -m asv_bench.tools.multi_runtime``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any, ClassVar, Final

from ._multi import POSTGRES, SQLITE, WORKLOADS, Measured, configuration, measure
from .bench_postgres import URL_ENV, start_cluster

#: The PostgreSQL configurations' process counts, without shares and with (RUN-021).
PROCESSES: Final = (1, 2, 4)
SHARES: Final = (2, 4)
#: Timed rounds of each configuration (after a warm-up round).
ROUNDS: Final = 3
CONFIGURATIONS: Final = [
    f"{SQLITE}-1",
    *(f"{POSTGRES}-{n}" for n in PROCESSES),
    *(f"{POSTGRES}-shares-{n}" for n in SHARES),
]


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A ``postgresql://`` URL of a database where schemas may be made: ``GRITWIT_BENCH_POSTGRES``,
    else a new database of a throwaway cluster, stopped when the block ends.
    ``NotImplementedError`` saying why when there is neither."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise NotImplementedError("psycopg is missing: pip install 'gritwit[postgres]'") from None
    given = os.environ.get(URL_ENV)
    if given:
        yield given
        return
    cluster = start_cluster()
    try:
        yield str(cluster.create_database())
    finally:
        cluster.stop()


def summary(measured: Measured) -> dict[str, float]:
    """What the ``track_`` benchmarks report of one configuration."""
    return {
        "over_sqlite": measured.over_sqlite(),
        "per_second": measured.per_second(),
        "commits": measured.per_transition("commits"),
        "conflicts": measured.per_transition("conflicts"),
        "writing": measured.writing(),
    }


class MultiRuntime:
    """Several runtime processes on one PostgreSQL schema, without shares and with, beside
    one on SQLite, one run."""

    params: ClassVar = (list(WORKLOADS), CONFIGURATIONS)
    param_names: ClassVar = ["workload", "configuration"]
    timeout = 600

    def setup_cache(self) -> dict[str, Any]:
        try:
            with postgres_database() as database:
                return {
                    f"{workload} {configuration(m)}": summary(m)
                    for workload in WORKLOADS
                    for m in measure(workload, PROCESSES, database, rounds=ROUNDS, shares=SHARES)
                }
        except NotImplementedError as exc:
            return {"skipped": str(exc)}

    def setup(self, cache: dict[str, Any], workload: str, configuration: str) -> None:
        if "skipped" in cache:
            raise NotImplementedError(cache["skipped"])

    def track_throughput_over_sqlite(
        self, cache: dict[str, Any], workload: str, configuration: str
    ) -> float:
        return float(cache[f"{workload} {configuration}"]["over_sqlite"])

    track_throughput_over_sqlite.unit = "transitions/s over SQLite's"  # type: ignore[attr-defined]

    def track_transitions_per_second(
        self, cache: dict[str, Any], workload: str, configuration: str
    ) -> float:
        return float(cache[f"{workload} {configuration}"]["per_second"])

    track_transitions_per_second.unit = "transitions/s"  # type: ignore[attr-defined]

    def track_commits_per_transition(
        self, cache: dict[str, Any], workload: str, configuration: str
    ) -> float:
        return float(cache[f"{workload} {configuration}"]["commits"])

    track_commits_per_transition.unit = "commits per transition"  # type: ignore[attr-defined]

    def track_conflicts_per_transition(
        self, cache: dict[str, Any], workload: str, configuration: str
    ) -> float:
        return float(cache[f"{workload} {configuration}"]["conflicts"])

    track_conflicts_per_transition.unit = "lost swaps per transition"  # type: ignore[attr-defined]

    def track_writing(self, cache: dict[str, Any], workload: str, configuration: str) -> float:
        return float(cache[f"{workload} {configuration}"]["writing"])

    track_writing.unit = "s in write transactions per s"  # type: ignore[attr-defined]

"""Several runtime processes on one PostgreSQL store, beside one on SQLite: a table.

Usage (from the repository root, with the ``postgres`` extra and the PostgreSQL server
binaries installed)::

    python -m asv_bench.tools.multi_runtime                  # both workloads, 1, 2 and 4
    python -m asv_bench.tools.multi_runtime -w cross --rounds 9 --processes 1 2 --shares 2
    GRITWIT_BENCH_POSTGRES=postgresql://app@db/bench python -m asv_bench.tools.multi_runtime
    python -m asv_bench.tools.multi_runtime --delay-ms 1 --processes 1 --shares 2 4 --separate

The configurations and workloads of ``bench_multi_runtime`` (``asv_bench/_multi.py``),
larger: for each workload, one process on SQLite (the baseline), ``N`` processes on
one PostgreSQL schema for each ``N`` of ``--processes`` (each runs every actor,
RUN-020.4), the same with shares for each ``N`` of ``--shares`` (process ``i`` runs
share ``i/N``, RUN-021), and, for each ``N`` of ``--separate``, ``N`` processes each
on a schema of its own with an ``N``-th of the work (the ceiling if the processes
shared nothing: no actors, no writer row).  Every
configuration runs a warm-up round, then ``--rounds`` rounds in turn (the order
rotating), all in this one run, so that the machine's load weighs on all alike.  Per
configuration it prints the transitions of a round, transitions per second of the
median round, that over the SQLite baseline's (its median round time over this
one's), and, per transition, write commits and lost compare-and-swaps; then the
seconds spent in write transactions (waiting for the writer row or holding it) per
second of wall time; the machine's CPU busy during the median round, of all its cores
(``/proc/stat``, every process's: near 100 %, the rounds were bound by the cores, and
more runtime processes cannot add throughput on this machine); and the load average
before and after.

``× one`` is a configuration's transitions per second over one PostgreSQL process's
of the same workload (the ``--processes`` configuration of 1, when measured): above 1,
more runtimes add throughput.

``--delay-ms D`` simulates a remote database: every PostgreSQL connection (the
processes', and the set-up's) goes through a relay on loopback (``asv_bench/_relay.py``,
in a thread of this process) that holds each chunk ``D`` ms each way (``1``: a round
trip of 2 ms); the relay's round trips (turns) per transition, all configurations
together, and its thread's CPU are printed after each table.

The server is ``GRITWIT_BENCH_POSTGRES`` (a database where schemas may be made), else
a throwaway cluster started as the tests start one (``reference/tests/pg_server.py``:
a Unix socket only, ``fsync=on``) and stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import sys
import time

from asv_bench._multi import (
    COUNTERS,
    CROSS_STEPS,
    PAIRS,
    POSTGRES,
    WORKLOADS,
    Measured,
    measure,
)
from asv_bench._relay import Relay, upstream_of
from asv_bench.bench_multi_runtime import postgres_database

#: The default sizes: five times the benchmark's.
SCALE = 5


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _server_version(database: str) -> str:
    import psycopg

    with psycopg.connect(database) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return "?" if row is None else str(row[0])


def over_one(measured: list[Measured]) -> dict[int, float]:
    """Each configuration's transitions per second over one PostgreSQL process's (by
    position in ``measured``); none without that configuration."""
    one = [m for m in measured if m.store == POSTGRES and m.processes == 1]
    if not one:
        return {}
    return {i: m.per_second() / one[0].per_second() for i, m in enumerate(measured)}


def _share(value: float | None) -> str:
    return "?" if value is None else f"{100 * value:.0f} %"


def table(measured: list[Measured]) -> list[str]:
    """One line per configuration."""
    lines = [
        f"{'workload':9} {'store':24} {'processes':>9} {'transitions':>11} {'per s':>7} "
        f"{'× SQLite':>8} {'× one':>6} {'commits/tr':>10} {'lost/tr':>7} {'writing':>7}"
        f" {'cpu busy':>8}"
    ]
    ratios = over_one(measured)
    for i, m in enumerate(measured):
        ratio = f"{ratios[i]:6.2f}" if i in ratios and m.store != "sqlite" else f"{'':6}"
        lines.append(
            f"{m.workload:9} {m.store:24} {m.processes:9d} {m.transitions:11d} "
            f"{m.per_second():7.0f} {m.over_sqlite():8.3f} {ratio} "
            f"{m.per_transition('commits'):10.4f} "
            f"{m.per_transition('conflicts'):7.3f} {m.writing():7.2f}"
            f" {_share(m.busy()):>8}"
        )
    return lines


def _relayed(relay: Relay, measured: list[Measured], rounds: int) -> None:
    """The relay's round trips per PostgreSQL transition (set-up and warm-up included) and
    its thread's CPU: a saturated relay would cap the figures."""
    counted = relay.stats()
    transitions = sum(m.transitions for m in measured if m.store != "sqlite") * (rounds + 1)
    print(
        f"  (relay: {counted.turns / transitions:.2f} round trips per PostgreSQL transition "
        f"including set-up, {counted.connections} connections, its thread's CPU "
        f"{counted.relay_cpu:.1f} s so far, holds {1000 * counted.min_hold:.2f}–"
        f"{1000 * counted.max_hold:.2f} ms)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "-w",
        "--workload",
        action="append",
        choices=WORKLOADS,
        help="a workload (repeatable; default: both)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        nargs="+",
        default=[1, 2, 4],
        help="process counts on one schema (default: 1 2 4)",
    )
    parser.add_argument(
        "--shares",
        type=int,
        nargs="*",
        default=[2, 4],
        help="process counts on one schema, process i running share i/N (RUN-021; "
        "default: 2 4; none: --shares)",
    )
    parser.add_argument(
        "--separate",
        type=int,
        nargs="*",
        default=[2, 4],
        help="process counts each on a schema of its own (default: 2 4; none: --separate)",
    )
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default: 7)")
    parser.add_argument(
        "--counters",
        type=int,
        default=SCALE * COUNTERS,
        help="counters of 'disjoint' (default: %(default)d)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=SCALE * PAIRS,
        help="ping-pong pairs of 'cross' (default: %(default)d)",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=SCALE * CROSS_STEPS,
        help="transitions of a 'cross' round (default: %(default)d)",
    )
    parser.add_argument(
        "--delay-ms",
        type=float,
        default=0.0,
        help="every PostgreSQL connection through a relay holding each chunk this many ms "
        "each way (a simulated network; default: 0, no relay)",
    )
    args = parser.parse_args(argv)
    sizes = {"counters": args.counters, "pairs": args.pairs, "steps": args.steps}
    started = time.monotonic()
    print(
        f"{datetime.date.today()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {_load()} (1/5/15 min)",
        flush=True,
    )
    try:
        with postgres_database() as direct, contextlib.ExitStack() as stack:
            database, relay = direct, None
            if args.delay_ms > 0:
                relay = stack.enter_context(Relay(upstream_of(direct), delay_ms=args.delay_ms))
                database = relay.url(direct)
                print(f"through a relay holding each chunk {args.delay_ms:g} ms each way")
            print(f"PostgreSQL {_server_version(database)}", flush=True)
            for workload in args.workload or WORKLOADS:
                before = _load()
                if relay is not None:
                    relay.reset()
                measured = measure(
                    workload,
                    args.processes,
                    database,
                    rounds=args.rounds,
                    sizes=sizes,
                    shares=args.shares,
                    separate=args.separate,
                )
                print("\n".join(table(measured)))
                print(
                    f"  ({args.rounds} rounds; load average {before} before, {_load()} after)",
                    flush=True,
                )
                if relay is not None:
                    _relayed(relay, measured, args.rounds)
    except NotImplementedError as exc:
        print(f"multi_runtime: {exc}", file=sys.stderr)
        return 2
    print(f"{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

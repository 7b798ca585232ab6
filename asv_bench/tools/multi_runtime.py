"""Several runtime processes on one PostgreSQL store, beside one on SQLite: a table.

Usage (from the repository root, with the ``postgres`` extra and the PostgreSQL server
binaries installed)::

    python -m asv_bench.tools.multi_runtime                  # both workloads, 1, 2 and 4
    python -m asv_bench.tools.multi_runtime -w cross --rounds 9 --processes 1 2 --shares 2
    GRITWIT_BENCH_POSTGRES=postgresql://app@db/bench python -m asv_bench.tools.multi_runtime

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
second of wall time, and the load average before and after.

The server is ``GRITWIT_BENCH_POSTGRES`` (a database where schemas may be made), else
a throwaway cluster started as the tests start one (``reference/tests/pg_server.py``:
a Unix socket only, ``fsync=on``) and stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time

from asv_bench._multi import COUNTERS, CROSS_STEPS, PAIRS, WORKLOADS, Measured, measure
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


def table(measured: list[Measured]) -> list[str]:
    """One line per configuration."""
    lines = [
        f"{'workload':9} {'store':24} {'processes':>9} {'transitions':>11} {'per s':>7} "
        f"{'× SQLite':>8} {'commits/tr':>10} {'lost/tr':>7} {'writing':>7}"
    ]
    for m in measured:
        lines.append(
            f"{m.workload:9} {m.store:24} {m.processes:9d} {m.transitions:11d} "
            f"{m.per_second():7.0f} {m.over_sqlite():8.3f} {m.per_transition('commits'):10.4f} "
            f"{m.per_transition('conflicts'):7.3f} {m.writing():7.2f}"
        )
    return lines


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
    args = parser.parse_args(argv)
    sizes = {"counters": args.counters, "pairs": args.pairs, "steps": args.steps}
    started = time.monotonic()
    print(
        f"{datetime.date.today()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {_load()} (1/5/15 min)",
        flush=True,
    )
    try:
        with postgres_database() as database:
            print(f"PostgreSQL {_server_version(database)}", flush=True)
            for workload in args.workload or WORKLOADS:
                before = _load()
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
    except NotImplementedError as exc:
        print(f"multi_runtime: {exc}", file=sys.stderr)
        return 2
    print(f"{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Several runtime processes on one PostgreSQL store, beside one on SQLite: a table.

Usage (from the repository root, with the ``postgres`` extra and the PostgreSQL server
binaries installed)::

    python -m asv_bench.tools.multi_runtime                  # both workloads, 1, 2 and 4
    python -m asv_bench.tools.multi_runtime -w cross --rounds 9 --processes 1 2 --shares 2
    GRITWIT_BENCH_POSTGRES=postgresql://app@db/bench python -m asv_bench.tools.multi_runtime
    python -m asv_bench.tools.multi_runtime --delay-ms 1 --processes 1 --shares 2 4 --separate
    python -m asv_bench.tools.multi_runtime -w half --cpu-cap 5 --processes 1 --shares 2 4
    python -m asv_bench.tools.multi_runtime -w cross --cpu-cap 5 --processes 1 --shares 2 \
        --placed 2 --separate
    python -m asv_bench.tools.multi_runtime -w disjoint -w ring --cpu-cap 5 --processes 1 \
        --shares 2 4 --separate --waits

The configurations and workloads of ``bench_multi_runtime`` (``asv_bench/_multi.py``),
and ``-w half``, ``cross`` with half of each process's pairs within its share (after
each table, the share of steps whose messages crossed: local balls never wait for
another process, so a run picks them far more often, and ``half`` crosses far less
than half its sends — 2 % in a capped run of 2026-11-27), and ``-w ring``, rings of four
actors, two in each of two shares, a ball going round each from the outside in each
round, ``--steps`` / (4 ``--pairs``) laps (``asv_bench/_ring.py``): exactly half of
its sends cross, which the tool reads back from the store's outboxes and prints after
the table (``N`` of ``--shares`` even),
larger: for each workload, one process on SQLite (the baseline), ``N`` processes on
one PostgreSQL schema for each ``N`` of ``--processes`` (each runs every actor,
RUN-020.4), the same with shares for each ``N`` of ``--shares`` (process ``i`` runs
share ``i/N``, RUN-021), for each ``N`` of ``--placed`` the same with each pair's
second end placed in its first's share by its genesis's ``placement`` header
(RUN-021.7: the pair talks within one process; ``cross`` and ``half``), and, for each
``N`` of ``--separate``, ``N`` processes each
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

Each PostgreSQL runtime process reaches the server through a relay of its own, in a
process of its own (``asv_bench/_relay_process.py``; not capped, it stands for the
network): it counts the round trips (``trips/tr``) and, with ``--delay-ms D``, holds
each chunk ``D`` ms each way, a simulated remote database (``1``: a round trip of
2 ms).  One relay per runtime cannot become the bottleneck of all; each measures its
own added delay (the mean hold beyond ``D``), printed after each table with the relays'
CPU.  ``--no-relay``: connections go straight to the server (no round trips counted).

``--cpu-cap P`` caps every runtime process at ``P`` % of one core (``asv_bench/_cpucap.py``:
cgroup v2 ``cpu.max`` where the ``cpu`` controller is enabled, else cgroup v1
``cpu.cfs_quota_us``; it says which), the server not capped: runtimes as if each on a
small machine of its own, which 2 shared cores could not show otherwise.  ``bound``
is the share of the capped groups' scheduler periods in which the cap bound (their
``cpu.stat``): a cap that never binds proves nothing.  Without a usable cgroup CPU
controller the tool refuses (exit status 2).

Per transition every row gives the runtime processes' CPU (``rt ms``: user + system,
libpq's included) and the server's (``srv ms``: its postmaster and backends, when it
runs on this machine), write commits, round trips, and the journal rows the runtimes'
reads were answered (``rows/tr``: swaps and notes, counted as the server sent them).
``--waits`` samples what the server's backends wait on during each configuration's
rounds (``asv_bench/_waits.py``: ``pg_stat_activity``'s wait events, ``pg_locks``' requests
not granted).

The server is ``GRITWIT_BENCH_POSTGRES`` (a database where schemas may be made), else
a throwaway cluster started as the tests start one (``reference/tests/pg_server.py``:
a Unix socket only, ``fsync=on``) and stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import os
import platform
import sys
import time

from asv_bench import _cpucap
from asv_bench._multi import (
    COUNTERS,
    CROSS_STEPS,
    HALF,
    PAIRS,
    PLACED,
    POSTGRES,
    RING,
    SHARES,
    WORKLOADS,
    Measured,
    Plan,
    Setup,
    Sizes,
    measure,
)
from asv_bench._ring import laps, ring_shares
from asv_bench._roundtrips import postmaster_of
from asv_bench._waits import Waits
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


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{1000 * value:.3f}"


def _trips(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def table(measured: list[Measured]) -> list[str]:
    """One line per configuration."""
    lines = [
        f"{'workload':9} {'store':24} {'processes':>9} {'transitions':>11} {'per s':>7} "
        f"{'× SQLite':>8} {'× one':>6} {'commits/tr':>10} {'lost/tr':>7} {'writing':>7}"
        f" {'cpu busy':>8} {'rt ms/tr':>8} {'srv ms/tr':>9} {'trips/tr':>8} {'bound':>5}"
        f" {'rows/tr':>7}"
    ]
    ratios = over_one(measured)
    for i, m in enumerate(measured):
        ratio = f"{ratios[i]:6.2f}" if i in ratios and m.store != "sqlite" else f"{'':6}"
        server = None if m.store == "sqlite" else m.known_per_transition("server_cpu")
        bound = m.cap_bound()
        rows = "-" if m.store == "sqlite" else f"{m.per_transition('rows'):.2f}"
        lines.append(
            f"{m.workload:9} {m.store:24} {m.processes:9d} {m.transitions:11d} "
            f"{m.per_second():7.0f} {m.over_sqlite():8.3f} {ratio} "
            f"{m.per_transition('commits'):10.4f} "
            f"{m.per_transition('conflicts'):7.3f} {m.writing():7.2f}"
            f" {_share(m.busy()):>8} {_ms(m.per_transition('runtime_cpu')):>8}"
            f" {_ms(server):>9} {_trips(m.known_per_transition('turns')):>8}"
            f" {'-' if bound is None else _share(bound):>5}"
            f" {rows:>7}"
        )
    return lines


def relays(measured: list[Measured]) -> str:
    """The relays' own cost: their CPU per PostgreSQL transition and the most any added
    to its delay on average (a relay that adds much would be what was measured)."""
    rounds = [r for m in measured if m.store != "sqlite" for r in m.rounds]
    steps = sum(r.steps for r in rounds) or 1
    excess = max((r.relay_excess for r in rounds), default=0.0)
    return (
        f"  (relays, a process per runtime: {1000 * sum(r.relay_cpu for r in rounds) / steps:.3f} "
        f"ms CPU per PostgreSQL transition; mean hold beyond the delay asked, the worst "
        f"relay: {1000 * excess:.3f} ms)"
    )


def crossing(measured: list[Measured]) -> str:
    """The share of the steps whose messages crossed to another share, per configuration
    with shares: ``cross`` all, ``half`` as the runtimes' runs happened to pick them;
    ``ring``'s sends as read back from the store (``_ring.hops_since``)."""
    parts = []
    for m in measured:
        if m.store not in (SHARES, PLACED):
            continue
        name = f"{'placed ' if m.store == PLACED else ''}{m.processes}"
        if m.sends is not None:
            across, sends = m.sends
            parts.append(f"{name}: {100 * across / (sends or 1):.1f} % of {sends} sends")
        else:
            parts.append(f"{name}: {100 * m.per_transition('crossing'):.0f} %")
    return f"  (steps sending across shares, with shares {', '.join(parts)})"


def waits(measured: list[Measured]) -> list[str]:
    """Per PostgreSQL configuration, what its backends waited on (``--waits``)."""
    lines = ["  server backends' samples while active (wait event: share), lock requests waiting:"]
    for m in measured:
        if m.store == "sqlite" or m.waits is None:
            continue
        ranked, waiting = m.waits
        text = ", ".join(f"{name} {100 * share:.0f} %" for name, share in ranked) or "none"
        lines.append(f"    {m.store} {m.processes}: {text}; {waiting:.2f} waiting")
    return lines


def _setup(args: argparse.Namespace) -> Setup:
    """The cap and relays asked for; a cap without a usable cgroup CPU controller is
    refused (``NotImplementedError``: exit status 2)."""
    controller = None
    if args.cpu_cap is not None:
        controller = _cpucap.find()
        if controller is None:
            raise NotImplementedError(
                "--cpu-cap: no cgroup v2 cpu controller enabled and no writable cgroup v1 "
                "cpu hierarchy on this machine"
            )
        print(f"each runtime process capped at {args.cpu_cap:g} % of a core: "
              f"{controller.describe()}; the server not capped", flush=True)  # fmt: skip
    if not args.no_relay:
        print(f"each PostgreSQL runtime process through a relay process of its own, holding "
              f"each chunk {args.delay_ms:g} ms each way", flush=True)  # fmt: skip
    return Setup(
        cap=controller,
        cap_percent=args.cpu_cap or 100.0,
        relayed=not args.no_relay,
        delay_ms=args.delay_ms,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "-w",
        "--workload",
        action="append",
        choices=(*WORKLOADS, HALF, RING),
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
    parser.add_argument(
        "--placed",
        type=int,
        nargs="*",
        default=[],
        help="process counts on one schema with shares, each ping-pong pair placed in its "
        "first end's share (RUN-021.7; cross and half; default: none)",
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
        help="ping-pong pairs of 'cross', rings of 'ring' (default: %(default)d)",
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
        help="the relays hold each chunk this many ms each way (a simulated network; default: 0)",
    )
    parser.add_argument(
        "--cpu-cap",
        type=float,
        default=None,
        metavar="PERCENT",
        help="cap every runtime process at PERCENT %% of one core (cgroup CPU quota; "
        "default: no cap)",
    )
    parser.add_argument(
        "--waits",
        action="store_true",
        help="sample the server's wait events (pg_stat_activity) and waiting lock "
        "requests (pg_locks) during each configuration's rounds",
    )
    parser.add_argument(
        "--gather-ms",
        type=float,
        default=None,
        metavar="MS",
        help="each runtime's gathering window of wake-ups (RUN-020.8; 0: none; default: "
        "the runtime's, 2 ms)",
    )
    parser.add_argument(
        "--no-relay",
        action="store_true",
        help="connect straight to the server: no relay processes, no round trips counted",
    )
    args = parser.parse_args(argv)
    if args.cpu_cap is not None and not 0 < args.cpu_cap <= 100:
        parser.error(f"--cpu-cap must be in (0, 100], not {args.cpu_cap:g}")
    if args.no_relay and args.delay_ms > 0:
        parser.error("--delay-ms needs the relays (leave out --no-relay)")
    sizes: Sizes = {"counters": args.counters, "pairs": args.pairs, "steps": args.steps}
    if args.gather_ms is not None:
        if not 0 <= args.gather_ms <= 60_000:
            parser.error(f"--gather-ms must be from 0 to 60000, not {args.gather_ms:g}")
        sizes["gather"] = args.gather_ms / 1000
    if RING in (args.workload or ()):
        try:  # refused before any process starts: whole laps, an even number of shares
            for n in [1, *args.shares]:
                plan = Plan(workload=RING, processes=n, shares=True, **sizes)
                laps(plan)
                ring_shares(plan, 0)
        except ValueError as exc:
            parser.error(f"-w ring: {exc}")
    started = time.monotonic()
    print(
        f"{datetime.date.today()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {_load()} (1/5/15 min)",
        flush=True,
    )
    try:
        setup = _setup(args)
        with postgres_database() as database, contextlib.ExitStack() as stack:
            setup = dataclasses.replace(setup, postmaster=postmaster_of(database))
            if args.waits:
                setup = dataclasses.replace(setup, waits=stack.enter_context(Waits(database)))
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
                    setup=setup,
                    placed=args.placed,
                )
                print("\n".join(table(measured)))
                print(
                    f"  ({args.rounds} rounds; load average {before} before, {_load()} after)",
                    flush=True,
                )
                if setup.relayed:
                    print(relays(measured), flush=True)
                if args.waits:
                    print("\n".join(waits(measured)), flush=True)
                if workload != "disjoint" and args.shares:
                    print(crossing(measured), flush=True)
    except NotImplementedError as exc:
        print(f"multi_runtime: {exc}", file=sys.stderr)
        return 2
    print(f"{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

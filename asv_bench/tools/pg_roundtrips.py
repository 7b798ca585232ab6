"""Round trips, statements and client + server CPU per transition, PostgreSQL beside SQLite.

Usage (from the repository root, with the ``postgres`` extra and the PostgreSQL server
binaries installed)::

    python -m asv_bench.tools.pg_roundtrips                         # this checkout
    python -m asv_bench.tools.pg_roundtrips --reference ../main     # and another, side by side
    python -m asv_bench.tools.pg_roundtrips --transitions 500 -w counter-grouped

The workloads of ``asv_bench/_roundtrips.py`` (a counter transition with its own send,
the same with grouped sends, a ping-pong step in runs of 200), each on a new SQLite
store and on a new PostgreSQL schema reached through a relay (``asv_bench/_relay.py``)
that counts round trips (DUR-005, RUN-017, RUN-019).  Per workload a table: for each
checkout and backend, per transition, the round trips (the relay's turns, connection
start-up excluded), the statements (``Query``/``Execute`` protocol messages), client
CPU (this process less the relay's thread), server CPU (the postmaster and its
children, from ``/proc``) and wall time, in ms; and PostgreSQL over SQLite for
client + server CPU.  The load average is printed before and after each checkout's run.

Each checkout is measured in a subprocess of its own with that checkout's ``reference/``
first on ``sys.path`` (this tool's ``asv_bench`` after it), all against one server:
``GRITWIT_BENCH_POSTGRES`` (a database where schemas may be made; server CPU only when
it runs on this machine), else a throwaway cluster (``reference/tests/pg_server.py``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from asv_bench._roundtrips import WORKLOADS, Measured, measure
from asv_bench.bench_multi_runtime import postgres_database

_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TRANSITIONS = 300


def load() -> str:
    """``/proc/loadavg``'s three averages."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def run_checkout(
    checkout: Path, database: str, transitions: int, workloads: list[str]
) -> list[Measured]:
    """The measurement of ``checkout``'s ``reference/`` in a subprocess."""
    path = [str(checkout / "reference"), str(checkout / "conformance"), str(_ROOT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    argv = [
        sys.executable,
        "-m",
        "asv_bench.tools.pg_roundtrips",
        "--child",
        database,
        "--transitions",
        str(transitions),
        *(a for w in workloads for a in ("-w", w)),
    ]
    done = subprocess.run(argv, env=env, cwd=_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{checkout}: the measurement failed:\n{done.stderr[-3000:]}")
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    return [Measured(**row) for row in rows]


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{1000 * value:.2f}"


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(workload: str, results: dict[str, list[Measured]]) -> list[str]:
    """One workload's rows: per checkout, SQLite then PostgreSQL."""
    lines = [
        f"{workload} (per transition: round trips, statements, CPU and wall in ms; "
        "PostgreSQL × SQLite: client CPU, client + server CPU, wall)",
        f"  {'checkout':22} {'backend':8} {'n':>5} {'trips':>6} {'stmts':>6} {'client':>7} "
        f"{'server':>7} {'cpu':>7} {'wall':>7} {'client×':>7} {'cpu×':>5} {'wall×':>5}",
    ]
    for name, measured in results.items():
        rows = {m.backend: m for m in measured if m.workload == workload}
        base = rows.get("sqlite")
        for backend in ("sqlite", "postgres"):
            m = rows.get(backend)
            if m is None:
                continue
            cpu = m.client_cpu + (m.server_cpu or 0.0)
            client_ratio = cpu_ratio = wall_ratio = ""
            if base is not None and backend == "postgres" and base.client_cpu > 0:
                base_cpu = base.client_cpu / base.transitions
                client_ratio = f"{m.client_cpu / m.transitions / base_cpu:.2f}"
                cpu_ratio = f"{cpu / m.transitions / base_cpu:.2f}"
                wall_ratio = f"{m.seconds / m.transitions / (base.seconds / base.transitions):.2f}"
            lines.append(
                f"  {name[-22:]:22} {backend:8} {m.transitions:5d} {_count(m.per('turns')):>6} "
                f"{_count(m.per('statements')):>6} {_ms(m.per('client_cpu')):>7} "
                f"{_ms(m.per('server_cpu')):>7} {_ms(cpu / m.transitions):>7} "
                f"{_ms(m.per('seconds')):>7} {client_ratio:>7} {cpu_ratio:>5} {wall_ratio:>5}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--reference",
        type=Path,
        action="append",
        default=[],
        help="another checkout to measure beside this one (repeatable)",
    )
    parser.add_argument(
        "--transitions",
        type=int,
        default=DEFAULT_TRANSITIONS,
        help="transitions measured per workload and backend (default: %(default)d)",
    )
    parser.add_argument(
        "-w",
        "--workload",
        action="append",
        choices=WORKLOADS,
        help="a workload (repeatable; default: all)",
    )
    parser.add_argument("--child", metavar="DATABASE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    workloads = args.workload or list(WORKLOADS)
    if args.child:
        done = measure(args.child, args.transitions, tuple(workloads))
        print(json.dumps([m.as_dict() for m in done]))
        return 0
    checkouts = {"this checkout": _ROOT}
    for other in args.reference:
        checkouts[str(other)] = other.resolve()
    print(
        f"{datetime.date.today()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load()} (1/5/15 min)",
        flush=True,
    )
    results: dict[str, list[Measured]] = {}
    try:
        with postgres_database() as database:
            for name, checkout in checkouts.items():
                before = load()
                results[name] = run_checkout(checkout, database, args.transitions, workloads)
                print(f"  {name} ({checkout}): load {before} before, {load()} after", flush=True)
    except NotImplementedError as exc:
        print(f"pg_roundtrips: {exc}", file=sys.stderr)
        return 2
    for workload in workloads:
        print()
        print("\n".join(table(workload, results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

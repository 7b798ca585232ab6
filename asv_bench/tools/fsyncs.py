"""Synced commits per run of the durable runtime, counted by strace (RUN-019).

Usage (from the repository root, with ``strace`` installed)::

    python -m asv_bench.tools.fsyncs                  # both workloads, both send modes
    python -m asv_bench.tools.fsyncs --runs 50 --sends group

Each workload runs in a child process on the durable SQLite store (WAL,
``synchronous=FULL``: one ``fdatasync`` of the WAL per committed transaction) under
``strace -f -c -e trace=fdatasync,fsync``.  A child counted with ``--runs 0`` does the
set-up alone; the figure is the difference of the two counts over the runs, so set-up
and exit drop out.  The workloads:

``counter``
    one ``inc`` sent from the outside to a ``counter`` actor, then a run to
    quiescence (``bench_runtime.CounterTransition`` on SQLite);
``pingpong``
    a run of 20 transitions of the echo pair (``bench_group_commit.DurablePingPong``
    with ``max_steps`` 20), then one more ``inc`` sent to a counter and the next run:
    each run is a ping-pong batch plus an outside send.

``--sends`` is the runtime's ``send_commit`` setting (RUN-019): ``default`` passes
none (``Runtime(store)``: grouped), ``own`` commits each send on its own
(durable when acknowledged), ``group`` lets it join the next run's commit group.  The
target is at most one ``fdatasync`` per run in ``group``; since sends joined the commit group,
at most one in ``default``.  ``--durability process`` opens the store with
``?gritwit_durability=process`` (DUR-009: ``synchronous=NORMAL``, no sync per commit).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKLOADS = ("counter", "pingpong")
SENDS = ("default", "own", "group")
DURABILITIES = ("power", "process")
#: Transitions of the echo pair per run of ``pingpong``.
PINGPONG_STEPS = 20
_CALLS = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+(fdatasync|fsync)\s*$", re.M)


async def _child(workload: str, sends: str, runs: int, folder: str) -> None:
    """Set up ``workload`` on a durable store at ``folder`` (a directory, perhaps with its
    DUR-009 option), then make ``runs`` runs."""
    import gritwit as g
    from asv_bench._scenes import start_ping_pong
    from gritwit.runtime import Runtime
    from gritwit.store import Store
    from gritwit.wit import test_actor_core

    store = Store.open(folder)
    runtime = Runtime(store) if sends == "default" else Runtime(store, send_commit=sends)
    core, objects = test_actor_core("counter")
    counter = await runtime.genesis(core, objects)
    if workload == "pingpong":
        await start_ping_pong(runtime)
    await runtime.run_until_quiescent(max_steps=PINGPONG_STEPS)
    content = store.put_object(g.Blob(data=b"1"))
    for _ in range(runs):
        await runtime.send(counter, content, {"mt": "inc"})
        if workload == "pingpong":
            report = await runtime.run_until_quiescent(max_steps=PINGPONG_STEPS)
            if len(report.steps) != PINGPONG_STEPS:
                raise AssertionError(f"ping-pong stalled: {len(report.steps)} steps")
        else:
            report = await runtime.run_until_quiescent()
            if len(report.steps) != 1:
                raise AssertionError(f"{len(report.steps)} steps, not 1")
    store.close()


def syncs(workload: str, sends: str, runs: int, durability: str = "power") -> int:
    """``fdatasync`` + ``fsync`` calls of one child process making ``runs`` runs."""
    folder = tempfile.mkdtemp(prefix="gritwit-fsyncs-")
    out = Path(folder) / "strace.txt"
    try:
        command = [
            "strace",
            "-f",
            "-c",
            "-e",
            "trace=fdatasync,fsync",
            "-o",
            str(out),
            sys.executable,
            "-m",
            "asv_bench.tools.fsyncs",
            "--child",
            f"{workload},{sends},{runs},{folder}/store?gritwit_durability={durability}",
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{workload}/{sends}: the child failed:\n{done.stderr[-3000:]}")
        return sum(int(calls) for calls, _ in _CALLS.findall(out.read_text()))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def per_run(workload: str, sends: str, runs: int, durability: str = "power") -> float:
    """Synced commits per run: the count with ``runs`` runs less the set-up's, over ``runs``."""
    counted = syncs(workload, sends, runs, durability)
    return (counted - syncs(workload, sends, 0, durability)) / runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-w", "--workload", action="append", choices=WORKLOADS)
    parser.add_argument("--sends", action="append", choices=SENDS)
    parser.add_argument("--durability", choices=DURABILITIES, default="power")
    parser.add_argument("--runs", type=int, default=20, help="runs counted (default 20)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        workload, sends, runs, folder = args.child.split(",", 3)
        asyncio.run(_child(workload, sends, int(runs), folder))
        return 0
    if shutil.which("strace") is None:
        print("strace is not installed (Debian: apt-get install strace)", file=sys.stderr)
        return 2
    print(f"durability {args.durability}")
    print(f"{'workload':<10} {'sends':<8} {'fdatasync/run':>14}")
    for workload in args.workload or WORKLOADS:
        for sends in args.sends or SENDS:
            figure = per_run(workload, sends, args.runs, args.durability)
            print(f"{workload:<10} {sends:<8} {figure:>14.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

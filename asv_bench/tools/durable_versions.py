"""Durable throughput of two versions of the reference, side by side (RUN-017).

Usage (from the repository root, with the ``bench`` extra installed)::

    git worktree add --detach /tmp/old df8292c        # the version to compare with
    python -m asv_bench.tools.durable_versions /tmp/old/reference reference [--rounds 3]

asv compares commits one after the other; on a shared machine the load moves
between them.  This tool runs the two durable workloads of
``bench_group_commit`` (1,000 counters with one ``inc`` each, one run; a
ping-pong of 200 transitions) with each version in its own process, the
versions alternating round after round, so both see the same load.  Each
process imports ``gritwit`` from the ``reference`` directory it is given, sets
its workload up on a fresh SQLite store in a temporary directory, and times
three runs of it in wall time (both versions wait for the disk).  The newer
version runs in both commit modes (``group``, the default, and ``step``); an
older one runs its default (before RUN-017: one commit per step).

It prints, per workload, the median seconds of each side and the ratios
``old / new group`` (the target is ≥ 2 over the throughput before the issue)
and ``new step / new group``.  Only the public API both versions share is used:
``Store.open``, ``Runtime``, ``send_all``, ``run_until_quiescent(max_steps=)``
and ``test_actor_core``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

#: Counters of the counters workload, and transitions per timed ping-pong run.
ACTORS = 1000
BATCH = 200
#: Timed runs per process.
RUNS = 3
WORKLOADS = ("counters", "pingpong")


def _counters(gritwit: Any, store: Any, runtime: Any) -> list[float]:
    from asv_bench._scenes import make_counters

    loop = asyncio.new_event_loop()
    run = loop.run_until_complete
    actors = run(make_counters(runtime, ACTORS))
    content = store.put_object(gritwit.Blob(data=b"1"))
    times = []
    for _ in range(RUNS):
        run(runtime.send_all([(a, content, {"mt": "inc"}, False) for a in actors]))
        start = time.perf_counter()
        report = run(runtime.run_until_quiescent())
        times.append(time.perf_counter() - start)
        if len(report.steps) != ACTORS or report.failures:
            raise AssertionError(f"{len(report.steps)} steps, failures {report.failures}")
    loop.close()
    return times


def _pingpong(gritwit: Any, store: Any, runtime: Any) -> list[float]:
    from asv_bench._scenes import start_ping_pong

    loop = asyncio.new_event_loop()
    run = loop.run_until_complete
    run(start_ping_pong(runtime))
    run(runtime.run_until_quiescent(max_steps=10))
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        report = run(runtime.run_until_quiescent(max_steps=BATCH))
        times.append(time.perf_counter() - start)
        if len(report.steps) != BATCH or report.failures:
            raise AssertionError(f"ping-pong stalled: {len(report.steps)} steps")
    loop.close()
    return times


def child(workload: str, mode: str | None) -> None:
    """Time ``workload`` with the ``gritwit`` on ``sys.path``; print the times as JSON."""
    import gritwit
    from gritwit.runtime import Runtime
    from gritwit.store import Store

    folder = tempfile.mkdtemp(prefix="gritwit-versions-")
    store = Store.open(folder)
    try:
        runtime = Runtime(store) if mode is None else Runtime(store, commit=mode)
        timed = _counters if workload == "counters" else _pingpong
        print(json.dumps(timed(gritwit, store, runtime)))
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def _run(reference: str, workload: str, mode: str | None) -> list[float]:
    env = {**os.environ, "PYTHONPATH": reference}
    command = [sys.executable, "-m", "asv_bench.tools.durable_versions", "--child", workload]
    out = subprocess.run(command + ([mode] if mode else []), env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    times: list[float] = json.loads(out)
    return times


def drive(old: str, new: str, rounds: int) -> None:
    """Alternate the versions ``rounds`` times and print the medians and ratios."""
    sides = (("old", old, None), ("new group", new, "group"), ("new step", new, "step"))
    times: dict[tuple[str, str], list[float]] = {}
    for index in range(rounds):
        for workload in WORKLOADS:
            for label, reference, mode in sides:
                times.setdefault((workload, label), []).extend(_run(reference, workload, mode))
        print(f"round {index + 1}/{rounds}, load {os.getloadavg()[0]:.1f}", flush=True)
    for workload in WORKLOADS:
        med = {label: statistics.median(times[workload, label]) for label, _, _ in sides}
        print(
            f"{workload:9} old {med['old']:.4f} s  new group {med['new group']:.4f} s  "
            f"new step {med['new step']:.4f} s  old/new group {med['old'] / med['new group']:.2f}  "
            f"new step/new group {med['new step'] / med['new group']:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", nargs="?", help="the older version's reference/ directory")
    parser.add_argument("new", nargs="?", help="the newer version's reference/ directory")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1] if len(args.child) > 1 else None)
    elif args.old and args.new:
        drive(os.path.abspath(args.old), os.path.abspath(args.new), args.rounds)
    else:
        parser.error("give the old and the new reference/ directories")


if __name__ == "__main__":
    main()

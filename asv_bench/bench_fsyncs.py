"""Synced commits per run of the durable runtime, counted by strace (RUN-019).

:class:`SyncedCommits` wraps :mod:`asv_bench.tools.fsyncs`: ``track_fdatasync_per_run``
is the number of ``fdatasync`` + ``fsync`` calls per run of a durable (SQLite)
workload — ``counter`` (one ``inc`` sent from the outside, then a run of one step) and
``pingpong`` (one ``inc`` sent, then a run of 20 echo steps) — with each send
committed on its own (``own``, RUN-019.1, the default) or joining the run's commit
group (``group``, RUN-019.2).  A count, not a time: the same run after run.  The
acceptance is at most 1.00 in ``group``.

Skipped (``setup`` raises ``NotImplementedError``, with the reason) without ``strace``,
and in ``group`` for a gritwit whose runtime has no grouped sends (a commit before it).
"""

from __future__ import annotations

import shutil
from typing import ClassVar

from .bench_runtime import runtime_takes
from .tools import fsyncs

#: Runs counted per figure (less a child that only sets up).
RUNS = 20


class SyncedCommits:
    """``fdatasync`` per run of a durable counter and ping-pong, in each send mode."""

    params: ClassVar = (list(fsyncs.WORKLOADS), list(fsyncs.SENDS))
    param_names: ClassVar = ["workload", "sends"]
    timeout = 300  # two short child processes per figure, each under strace

    def setup(self, workload: str, sends: str) -> None:
        if shutil.which("strace") is None:
            raise NotImplementedError("strace is not installed (Debian: apt-get install strace)")
        if sends == "group" and not runtime_takes("send_commit"):
            raise NotImplementedError("this gritwit's runtime has no grouped sends (RUN-019.2)")

    def track_fdatasync_per_run(self, workload: str, sends: str) -> float:
        return fsyncs.per_run(workload, sends, RUNS)

    track_fdatasync_per_run.unit = "fdatasync/run"  # type: ignore[attr-defined]

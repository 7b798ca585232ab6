"""One runtime process of ``asv_bench/_multi.py``'s configurations (RUN-002, DUR-005).

``python -m asv_bench._multi_process LOCATION PLAN-JSON PROCESS`` opens the store at
``LOCATION`` (a SQLite folder or a ``postgresql://`` URL), makes a
:class:`~gritwit.runtime.Runtime` over it, answers ``{"ready": true}`` and then, for
each ``go`` on stdin, runs its part of one round of the plan and answers what it
counted, one JSON line: its steps adopted, write commits (a ``_counting`` backend
proxy), lost compare-and-swaps and group commits, and seconds in write transactions.
With the plan's ``shares`` its runtime runs share ``PROCESS/N`` alone (RUN-021), and in
``cross`` it runs again until it adopted its part of the round: its next transition
may wait for another process's step.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ._counting import _WRITE, Counting
from ._multi_actors import crossing_actors
from ._multi_plan import Plan, counter_core, share
from ._ring import RING, actors_of, balls, run_inline

if TYPE_CHECKING:
    from gritwit import ObjectId
    from gritwit.wit import RunReport

#: Seconds without a step after which a process short of its part gives up (``cross``).
_STUCK = 60.0
#: Seconds a process short of its part waits for a wake-up before it reads the refs again:
#: on PostgreSQL another process's commit wakes it (``NOTIFY``, RUN-020.6), elsewhere it
#: polls (SQLite).
_WAKE = {True: 0.02, False: 0.001}


class _TimedWrites:
    """A backend proxy that adds up the wall time spent in write transactions: taking
    the writer row (waiting for it) to commit, the ``batch()`` blocks included."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name == "batch":
            return self._timed_batch(attr)
        if callable(attr) and _WRITE.match(name):
            return self._timed(attr)
        return attr

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def write(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return write

    def _timed_batch(
        self, method: Callable[..., contextlib.AbstractContextManager[Any]]
    ) -> Callable[..., contextlib.AbstractContextManager[Any]]:
        @contextlib.contextmanager
        def batch(*args: Any, **kwargs: Any) -> Iterator[Any]:
            start = time.perf_counter()
            try:
                with method(*args, **kwargs) as inner:
                    yield inner
            finally:
                self.seconds += time.perf_counter() - start

        return batch


def _count_journal_rows() -> list[int]:
    """Count the journal rows (swaps and notes) this process's journal reads are answered,
    as the server sends them: a counter, bumped by a wrapper of ``_pg_ahead.changes_read``
    (every journal read's, alone or carried by a commit), so that the same count is made
    of any version of the store."""
    from gritwit.store import _pg_ahead

    counted, real = [0], _pg_ahead.changes_read

    def changes_read(answer: Any, *args: Any, **kwargs: Any) -> Any:
        counted[0] += sum(1 for row in range(answer.ntuples) if answer.get_value(row, 2))
        return real(answer, *args, **kwargs)

    _pg_ahead.changes_read = changes_read
    return counted


class _Child:
    """One runtime over the shared store, running its part of each round."""

    def __init__(self, location: str, plan: Plan, process: int) -> None:
        import gritwit as g
        from gritwit.runtime import GATHER, Runtime, Share
        from gritwit.store import Store

        self.plan, self.process, self.location = plan, process, location
        self.rows = _count_journal_rows() if "://" in location else [0]
        self.counting = Counting()  # only its backend proxy: commits, no library wrappers
        self.opened = Store.open(location)
        self.timed = _TimedWrites(self.counting.backend(self.opened.backend))
        self.store = Store(self.timed)
        mine = Share(k=process, n=plan.processes) if plan.shares else None  # RUN-021
        run_inline(plan)  # ring: built inline, as echo is (asv_bench/_ring.py)
        window = GATHER if plan.gather is None else plan.gather  # RUN-020.8
        self.runtime = Runtime(self.store, share=mine, actors=actors_of(plan), gather=window)
        self.loop = asyncio.new_event_loop()
        self.incs: list[tuple[ObjectId, ObjectId, dict[str, str], bool]] = []
        self.crossing = crossing_actors(plan)  # whose steps send to another share
        if plan.workload == "disjoint":
            content = self.store.put_object(g.Blob(data=b"1"))
            self.incs = [
                (g.object_id(counter_core(i)[0]), content, {"mt": "inc"}, False)
                for i in share(plan, process)
            ]
            self.loop.run_until_complete(self.runtime.run_until_quiescent())  # loads the index
        if plan.workload == RING:  # its balls, sent anew each round (_ring.balls)
            self.incs, objects = balls(plan, process)
            self.store.put_objects(objects)
            self.loop.run_until_complete(self.runtime.run_until_quiescent())  # loads the index
        # cross: the first round loads it (every round adopts steps; the parent's first
        # round is a warm-up)

    def round(self) -> dict[str, int | float]:
        runtime, counts = self.runtime, self.counting.counts
        commits, conflicts, losses = counts.commits, runtime.conflicts, runtime.group_losses
        rows = self.rows[0]
        writing, cpu = self.timed.seconds, time.process_time()
        start = time.perf_counter()
        run = self.loop.run_until_complete
        if self.plan.workload == "disjoint":
            run(runtime.send_all(self.incs))
            report = run(runtime.run_until_quiescent())
        else:
            if self.plan.workload == RING:
                run(runtime.send_all(self.incs))
            mine = self.plan.steps // self.plan.processes
            if self.process == self.plan.processes - 1:
                mine = self.plan.steps - mine * (self.plan.processes - 1)
            report = run(runtime.run_until_quiescent(max_steps=mine))
            if self.plan.shares or self.plan.workload == RING:  # the rest of its part waits
                # for the other processes' steps (ring: one's adopted by the others, too)
                report = self._rest(report, mine)
        if report.failures:
            raise AssertionError(f"failed transitions: {report.failures}")
        return {
            "seconds": time.perf_counter() - start,
            "steps": len(report.steps),
            "commits": counts.commits - commits,
            "conflicts": runtime.conflicts - conflicts,
            "group_losses": runtime.group_losses - losses,
            "writing": self.timed.seconds - writing,
            "cpu": time.process_time() - cpu,  # user + system, this process's (libpq's too)
            "crossing": sum(1 for actor, _ in report.steps if actor in self.crossing),
            "rows": self.rows[0] - rows,
        }

    def _rest(self, report: RunReport, mine: int) -> RunReport:
        """Run again until ``mine`` steps are adopted (``cross`` with shares): each ball
        goes back and forth between two processes, so a run of this one ends quiescent
        whenever every ball of its share is at the other's.  Each pair of processes has
        equal parts, which keeps either from waiting for the other for ever (a process
        short of its part always has a ball, or the other one has not done its part)."""
        from gritwit.wit import RunReport

        steps, failures = list(report.steps), list(report.failures)
        last = time.monotonic()
        while len(steps) < mine and not failures:
            more = self.loop.run_until_complete(
                self.runtime.run_until_quiescent(max_steps=mine - len(steps))
            )
            steps += more.steps
            failures += more.failures
            if more.steps:
                last = time.monotonic()
            elif time.monotonic() - last > _STUCK:
                raise AssertionError(f"{len(steps)} of {mine} steps, none for {_STUCK} s")
            else:  # woken by another process's swap (RUN-020.6), or poll again, and the
                # wake-ups of the runtime's window gathered (RUN-020.8); on this thread, as
                # before the window: through the runtime's own wait (a worker thread, for
                # its event loop) the hop cost a capped ring runtime about 0.05 ms a transition
                gather = self.runtime.config.gather
                self.store.wait_for_swaps(_WAKE["://" in self.location], gather)
        return RunReport(tuple(steps), tuple(failures), True)

    def close(self) -> None:
        self.loop.close()
        self.opened.close()


def main(argv: Sequence[str]) -> int:
    """``python -m asv_bench._multi_process LOCATION PLAN-JSON PROCESS``: answer ``ready``, then one
    JSON line per ``go`` on stdin, until ``quit`` or the end of stdin."""
    location, plan_json, process = argv
    try:
        child = _Child(location, Plan(**json.loads(plan_json)), int(process))
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            if line.strip() != "go":
                break
            print(json.dumps(child.round()), flush=True)
        child.close()
    except Exception as exc:  # the parent raises it
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

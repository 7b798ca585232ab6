"""A configuration's runtime processes, started, held and measured from the parent
(``_multi``; RUN-002, DUR-005).

A :class:`Fleet` starts one ``_multi_process`` child per member — capped (``_cpucap``)
and each PostgreSQL one through a relay of its own (``_relay_process``), as its
:class:`Setup` says —, waits until each has opened its store, and times rounds
(:meth:`Fleet.round`): ``go`` to every child, then every answer; a :class:`Round` holds
the parent's wall time from the first ``go`` to the last answer, what the children
counted, the machine's CPU busy meanwhile (:func:`cpu_times`), the server's CPU and the
relays' round trips.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ._multi_plan import Plan

if TYPE_CHECKING:
    from ._cpucap import Cap, Controller
    from ._relay_process import RelayProcess
    from ._waits import Waits

#: The repository root, put on the children's ``PYTHONPATH`` so they import ``asv_bench``.
_ROOT: Final = Path(__file__).resolve().parents[1]

#: What a child counts in a round, in the order of :class:`Round`'s fields after ``seconds``.
_COUNTED: Final = ("steps", "commits", "conflicts", "group_losses", "writing")


@dataclass
class Round:
    """One timed round of a configuration: wall time and the children's counts summed."""

    seconds: float
    steps: int
    commits: int
    conflicts: int
    group_losses: int
    writing: float  # seconds in write transactions, all processes together
    #: The machine's CPU busy during the round, of all its cores' time (``/proc/stat``: every
    #: process's, not only this run's); ``None`` where the kernel does not tell.
    busy: float | None = None
    runtime_cpu: float = 0.0  # seconds: the runtime processes' user + system time
    server_cpu: float | None = None  # seconds: the server's processes (None: not known)
    turns: int | None = None  # round trips, through the relays (None: no relay)
    periods: int = 0  # scheduler periods of the capped groups with runnable work
    throttled: int = 0  # of them, periods in which the cap bound
    relay_cpu: float = 0.0  # seconds: the relay processes' CPU
    relay_excess: float = 0.0  # seconds: the most any relay's mean hold exceeded its delay
    crossing: int = 0  # steps of actors whose messages cross to another share
    rows: int = 0  # journal rows the runtime processes' reads were answered


def cpu_times() -> tuple[int, int] | None:
    """The machine's busy and total CPU ticks so far, every core (``/proc/stat``'s
    ``cpu`` line: busy is all but idle and iowait); ``None`` without ``/proc``."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    return total - fields[3] - fields[4], total


def busy_between(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The busy fraction of the CPU time between two :func:`cpu_times` readings."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


@dataclass(frozen=True, slots=True)
class Setup:
    """How a configuration's processes are held and measured (``tools/multi_runtime``)."""

    #: Where CPU caps are made (``_cpucap.find()``), ``None``: no cap.
    cap: Controller | None = None
    cap_percent: float = 100.0  # of one core, per runtime process
    #: Each PostgreSQL process through a relay process of its own, which counts round trips.
    relayed: bool = False
    delay_ms: float = 0.0  # the relays' hold, each way
    postmaster: int | None = None  # the server's, when on this machine: its CPU is read
    waits: Waits | None = None  # sampling the server's wait events


@dataclass
class Fleet:
    """Runtime processes, each ``(location, plan, process)``: its store, its workload and
    its place in that workload's processes."""

    members: list[tuple[str, Plan, int]]
    children: list[subprocess.Popen[str]] = field(default_factory=list)
    #: How each process is measured and held: its CPU cap, its relay, the server's CPU.
    setup: Setup = field(default_factory=lambda: Setup())
    caps: list[Cap] = field(default_factory=list)  # one per process when capped
    relays: list[RelayProcess] = field(default_factory=list)  # each process's own

    @classmethod
    def sharing(cls, location: str, plan: Plan, setup: Setup | None = None) -> Fleet:
        """``plan.processes`` runtimes over the one store at ``location``."""
        return cls([(location, plan, i) for i in range(plan.processes)], setup=setup or Setup())

    def stores(self) -> dict[str, Plan]:
        return {location: plan for location, plan, _ in self.members}

    def transitions(self) -> int:
        """Transitions per round, in all its processes together."""
        return sum(plan.transitions() for plan in self.stores().values())

    def start(self) -> Fleet:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        }
        for i, (location, plan, process) in enumerate(self.members):
            reached = location
            if self.setup.relayed and "://" in location:  # a relay of its own (its process)
                from ._relay import upstream_of
                from ._relay_process import RelayProcess

                relay = RelayProcess(upstream_of(location), delay_ms=self.setup.delay_ms)
                self.relays.append(relay.__enter__())
                reached = relay.url(location)
            child = subprocess.Popen(
                [sys.executable, "-m", "asv_bench._multi_process", reached, plan.as_json(),
                 str(process)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=_ROOT,
            )  # fmt: skip
            self.children.append(child)
            if self.setup.cap is not None:  # before it opens the store: every step capped
                from ._cpucap import Cap

                cap = Cap(self.setup.cap, f"{id(self)}-{i}", self.setup.cap_percent)
                self.caps.append(cap.__enter__())
                cap.add(child.pid)
        for child in self.children:
            self._answer(child)  # "ready": it opened the store (and loaded its index)
        return self

    def _answer(self, child: subprocess.Popen[str]) -> dict[str, Any]:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line:
            raise RuntimeError(f"a runtime process exited ({child.wait()}): {self.members}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"a runtime process failed: {answer['error']}")
        return answer

    def round(self) -> Round:
        """Every child runs its part of one round; the wall time from the first ``go``
        to the last answer, and what the children counted."""
        from ._cpucap import Throttling
        from ._roundtrips import server_cpu

        relayed0 = [r.stats() for r in self.relays]
        capped0 = sum((c.throttling() for c in self.caps), Throttling())
        server0, cpu = server_cpu(self.setup.postmaster), cpu_times()
        start = time.perf_counter()
        for child in self.children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        answers = [self._answer(child) for child in self.children]
        seconds = time.perf_counter() - start
        busy, server1 = busy_between(cpu, cpu_times()), server_cpu(self.setup.postmaster)
        capped = sum((c.throttling() for c in self.caps), Throttling()) - capped0
        steps, commits, conflicts, group_losses, writing = (
            sum(a[k] for a in answers) for k in _COUNTED
        )
        relayed = [r.stats() for r in self.relays]
        done = Round(
            seconds,
            steps,
            commits,
            conflicts,
            group_losses,
            writing,
            busy=busy,
            runtime_cpu=sum(a["cpu"] for a in answers),
            crossing=sum(a["crossing"] for a in answers),
            rows=sum(a.get("rows", 0) for a in answers),
            server_cpu=None if server0 is None or server1 is None else server1 - server0,
            turns=sum(r.turns - r0.turns for r, r0 in zip(relayed, relayed0, strict=True))
            if self.relays
            else None,
            relay_cpu=sum(
                r.relay_cpu - r0.relay_cpu for r, r0 in zip(relayed, relayed0, strict=True)
            ),
            relay_excess=max((r.mean_excess for r in relayed), default=0.0),
            periods=capped.periods,
            throttled=capped.throttled,
        )
        if done.steps != self.transitions():
            raise AssertionError(f"{done.steps} steps adopted, not {self.transitions()}")
        return done

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None and child.stdin is not None:
                with contextlib.suppress(OSError):
                    child.stdin.write("quit\n")
                    child.stdin.close()
        for child in self.children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            if child.stdout is not None:
                child.stdout.close()
        self.children = []
        held: list[Cap | RelayProcess] = [*self.caps, *self.relays]
        for resource in held:
            resource.__exit__(None, None, None)
        self.caps, self.relays = [], []

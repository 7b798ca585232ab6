"""Runtime processes sharing one store: the configurations and workloads of
``bench_multi_runtime`` and ``tools/multi_runtime`` (RUN-002, DUR-005).

A *configuration* is ``N`` OS processes (``_multi_process``), each with its own
:class:`~gritwit.runtime.Runtime` (group commit, RUN-017) over one store — a SQLite
folder or a PostgreSQL schema — all together doing the same transitions per round:

* ``disjoint`` — :data:`COUNTERS` ``counter`` actors in ``N`` shares; in a round each
  process sends one ``inc`` to each counter of its own share (one outside send) and
  runs until quiescent: :data:`COUNTERS` transitions in all, and no actor sends to
  another;
* ``cross`` — :data:`PAIRS` ping-pong pairs of ``echo`` actors with a ball each; in a
  round each process adopts its ``N``-th of :data:`CROSS_STEPS` transitions
  (``max_steps``), and each answer it reads was committed by whichever process ran
  the other echo's last step, often another one: a runtime picks up messages other
  processes committed, from the refs they moved.

Without shares a runtime runs *every* actor with messages pending, whoever sent them
(RUN-020.4: one writer per step is enforced by the heads' compare-and-swap, not by a
partition).  So the processes' parts say who *sends*; which process runs a transition
is whichever gets there first, and a step built by two processes is adopted by one
and lost by the other: the loser counts a conflict, and a lost group commit reloads
its routing index from the heads (RUN-017.4).  Each round reports them.

With ``shares`` (:attr:`Plan.shares`) process ``i`` of ``N`` runs only share ``i/N``
(RUN-021): ``disjoint`` sends each process's ``inc`` to the counters of its share, and
in ``cross`` each pair's two echoes are in two processes' shares (``p`` and ``p xor
1``, for pair ``j`` of process ``p = j mod N``), so every ball crosses between two
processes at each step; a process runs again until it has adopted its part of the
round's transitions, since its next one may wait for another process's step.  No step
is built twice: conflicts are only the outside's outbox, which the senders share.

:func:`measure` makes the actors of each configuration in a store of its own, starts
its processes (:class:`Fleet`), waits until each has opened the store, and times
rounds: ``go`` to every process, then every answer; the time of a round is the
parent's wall time from the first ``go`` to the last answer.  The SQLite baseline and
the PostgreSQL configurations take turns, round after round, in the one run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ._ring import RING, actors_of, crossing_senders, make_rings, ring_heads, ring_sends

#: Counters of ``disjoint`` and ping-pong pairs of ``cross`` (shared by every configuration).
COUNTERS: Final = 240
PAIRS: Final = 12
#: Transitions of a ``cross`` round, in all processes together.
CROSS_STEPS: Final = 240
WORKLOADS: Final = ("disjoint", "cross")
#: ``cross`` with only every other block of pairs crossing between shares (the rest have
#: both ends in one share): half the pairs cross, but far fewer of the steps, since a
#: local ball never waits for another process (the tool prints the share that crossed).
#: The tool's, not asv's.
HALF: Final = "half"
#: The repository root, put on the children's ``PYTHONPATH`` so they import ``asv_bench``.
_ROOT: Final = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """One configuration's workload: its size and how it is shared between processes."""

    workload: str
    processes: int
    counters: int = COUNTERS
    pairs: int = PAIRS
    steps: int = CROSS_STEPS
    #: Process ``i`` runs only share ``i/processes`` of the actors (RUN-021).
    shares: bool = False
    #: With ``shares``, each pair's second end is placed with its first by its genesis's
    #: ``placement`` header (RUN-021.7): the pair lives in one share, whatever its ids say.
    placed: bool = False

    def transitions(self) -> int:
        """Transitions per round, in all processes together."""
        return self.counters if self.workload == "disjoint" else self.steps

    def part(self, n: int) -> Plan:
        """An ``n``-th of this plan, for one process alone on a store of its own."""
        return Plan(
            workload=self.workload,
            processes=1,
            counters=self.counters // n,
            pairs=self.pairs // n,
            steps=self.steps // n,
        )

    def as_json(self) -> str:
        return json.dumps({k: getattr(self, k) for k in self.__slots__})


# --- the actors (run in the parent to make them, in each child to name its share) ------------


def counter_core(index: int) -> tuple[Any, tuple[Any, ...]]:
    """Counter ``index``'s core and objects (a ``tag`` entry makes each actor its own)."""
    import gritwit as g
    from gritwit.wit import test_actor_core

    return test_actor_core("counter", {"tag": g.Blob(data=b"counter %d" % index)})


def share(plan: Plan, process: int) -> Sequence[int]:
    """The counters process ``process`` sends to (``disjoint``): an ``N``-th of them by
    index, or with shares those of its share (RUN-021), which it runs itself."""
    if plan.shares:
        import gritwit as g
        from gritwit.runtime import Share

        mine = Share(k=process, n=plan.processes)
        return [i for i in range(plan.counters) if mine.owns(g.object_id(counter_core(i)[0]))]
    size = plan.counters // plan.processes
    return range(
        process * size, plan.counters if process == plan.processes - 1 else (process + 1) * size
    )


def tagged(name: str, text: str, k: int, n: int) -> tuple[Any, tuple[Any, ...]]:
    """A ``name`` core with a ``tag`` entry of ``text`` (then a number, until the actor is
    in share ``k/n``, RUN-021): distinct actors, each where the plan wants it."""
    import gritwit as g
    from gritwit.runtime import Share
    from gritwit.wit import test_actor_core

    share_k = Share(k=k, n=n)
    for extra in range(10_000):
        tag = text if extra == 0 else f"{text} {extra}"
        core, objects = test_actor_core(name, {"tag": g.Blob(data=tag.encode())})
        if share_k.owns(g.object_id(core)):
            return core, objects
    raise AssertionError(f"no {name} in share {k}/{n}")


def pair_shares(plan: Plan, j: int) -> tuple[int, int]:
    """The shares of pair ``j``'s two echoes (``cross`` with shares): two processes'; in
    ``half``, one process's for the pairs of every other block of ``N``, so that each
    process has as many pairs within its share as crossing it."""
    n = plan.processes
    p = j % n
    if plan.workload == HALF and (j // n) % 2 == 0:
        return p, p
    return p, (p ^ 1 if p ^ 1 < n else p)


def crossing_actors(plan: Plan) -> set[Any]:
    """The echoes of the pairs whose two ends are in two shares (``cross``, ``half`` with
    shares): each step of one sends across; none without shares."""
    import gritwit as g

    if plan.workload == RING:
        return crossing_senders(plan)
    if plan.workload == "disjoint" or not plan.shares or plan.placed:
        return set()  # placed: both ends in the first's share (RUN-021.6)
    found = set()
    for j in range(plan.pairs):
        ping, pong = pair_shares(plan, j)
        if ping != pong:
            found.add(g.object_id(tagged("echo", f"ping {j}", ping, plan.processes)[0]))
            found.add(g.object_id(tagged("fanout", f"pong {j}", pong, plan.processes)[0]))
    return found


async def make_actors(runtime: Any, plan: Plan) -> None:
    """Make the plan's actors in ``runtime``'s store and, for ``cross``, put every ball in play."""
    import gritwit as g
    from gritwit.wit import test_actor_core, wit_blob

    if plan.workload == RING:
        return await make_rings(runtime, plan)
    if plan.workload == "disjoint":
        cores = [counter_core(i) for i in range(plan.counters)]
        actors = [g.object_id(core) for core, _ in cores]
        objects = [obj for _, objs in cores for obj in objs]
        await runtime.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects)
        await runtime.run_until_quiescent()
        return
    # Each pair as in _scenes.start_ping_pong: the second starts as a fanout, sends the
    # first ball, and an update turns it into an echo.  A tag per actor: distinct actors.
    to_echo = g.Tree(entries={"wit": g.object_id(wit_blob("echo"))})
    objects, genesis, balls = [wit_blob("echo"), to_echo], [], []
    for j in range(plan.pairs):
        if plan.shares:  # the two ends in two processes' shares (RUN-021)
            ping, pong = pair_shares(plan, j)
            echo, echo_objects = tagged("echo", f"ping {j}", ping, plan.processes)
            fanout, fanout_objects = tagged("fanout", f"pong {j}", pong, plan.processes)
        else:
            echo, echo_objects = test_actor_core("echo", {"tag": g.Blob(data=b"ping %d" % j)})
            fanout, fanout_objects = test_actor_core("fanout", {"tag": g.Blob(data=b"pong %d" % j)})
        a, b = g.object_id(echo), g.object_id(fanout)
        name = g.Blob(data=a.hex().encode())
        targets = g.Tree(entries={"a": g.object_id(name)})
        objects += [*echo_objects, *fanout_objects, name, targets]
        placing = {"placement": a.hex()} if plan.placed else {}  # RUN-021.7: with a
        genesis += [(a, a, {"mt": "genesis"}, False), (b, b, {"mt": "genesis", **placing}, False)]
        balls += [
            (b, g.object_id(targets), {"mt": "fanout"}, False),
            (b, g.object_id(to_echo), {"mt": "update"}, False),
        ]
    await runtime.send_all(genesis, objects)
    await runtime.run_until_quiescent()
    await runtime.send_all(balls)
    report = await runtime.run_until_quiescent(max_steps=4 * plan.pairs)
    if report.failures or report.quiescent:
        raise AssertionError("the balls are not in play")


def prepare(location: str, plan: Plan) -> None:
    """Open the store at ``location`` (a folder or a ``postgresql://`` URL) and make the actors."""
    from gritwit.runtime import Runtime
    from gritwit.store import Store

    with Store.open(location) as store:
        asyncio.run(make_actors(Runtime(store, actors=actors_of(plan)), plan))


# --- the parent side --------------------------------------------------------------------------


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
    cap: Any = None
    cap_percent: float = 100.0  # of one core, per runtime process
    #: Each PostgreSQL process through a relay process of its own, which counts round trips.
    relayed: bool = False
    delay_ms: float = 0.0  # the relays' hold, each way
    postmaster: int | None = None  # the server's, when on this machine: its CPU is read
    waits: Any = None  # a _waits.Waits sampling the server's wait events, or None


@dataclass
class Fleet:
    """Runtime processes, each ``(location, plan, process)``: its store, its workload and
    its place in that workload's processes."""

    members: list[tuple[str, Plan, int]]
    children: list[subprocess.Popen[str]] = field(default_factory=list)
    #: How each process is measured and held: its CPU cap, its relay, the server's CPU.
    setup: Setup = field(default_factory=lambda: Setup())
    caps: list[Any] = field(default_factory=list)  # _cpucap.Cap, one per process when capped
    relays: list[Any] = field(default_factory=list)  # _relay_process.RelayProcess, each's own

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
        summed = [sum(a[k] for a in answers) for k in _COUNTED]
        relayed = [r.stats() for r in self.relays]
        done = Round(
            seconds,
            *summed,
            busy=busy,
            runtime_cpu=sum(a["cpu"] for a in answers),
            crossing=sum(a["crossing"] for a in answers),
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
        for resource in [*self.caps, *self.relays]:
            resource.__exit__(None, None, None)
        self.caps, self.relays = [], []


def sqlite_folder() -> str:
    return tempfile.mkdtemp(prefix="gritwit-bench-multi-")


def remove(location: str) -> None:
    """Remove a SQLite folder (a PostgreSQL schema is left to the throwaway cluster)."""
    if "://" not in location:
        shutil.rmtree(location, ignore_errors=True)


def server_commits(location: str) -> int | None:
    """The write commits a PostgreSQL store counted itself (``None``: a SQLite folder)."""
    if "://" not in location:
        return None
    from gritwit.store import Store

    with Store.open(location) as store:
        return int(store.backend.settings()["commits"])  # type: ignore[attr-defined]


@dataclass
class Measured:
    """A configuration's rounds, beside the SQLite baseline's of the same run."""

    store: str  # "sqlite", "postgres" or "postgres, a schema each"
    workload: str
    processes: int
    transitions: int  # per round
    rounds: list[Round]
    baseline: list[Round]  # the one SQLite process's rounds, interleaved with these
    #: The server's top waits during its rounds and the mean lock requests waiting
    #: (``_waits.Waits.shares``; ``None``: not sampled).
    waits: tuple[list[tuple[str, float]], float] | None = None
    #: ``ring`` with shares: the timed rounds' sends that crossed shares (read from the
    #: store, ``_ring.hops_since``) and all of them (``None``: not read).
    sends: tuple[int, int] | None = None

    def median_seconds(self) -> float:
        return statistics.median(r.seconds for r in self.rounds)

    def per_second(self) -> float:
        """Transitions per second (the median round)."""
        return self.transitions / self.median_seconds()

    def over_sqlite(self) -> float:
        """Transitions per second over the SQLite baseline's: its median time over this one's."""
        return statistics.median(r.seconds for r in self.baseline) / self.median_seconds()

    def writing(self) -> float:
        """Seconds the processes spent in write transactions (waiting for the writer row,
        holding it) per second of wall time, over all rounds.  On one store the writes
        take turns: below 1, the row was free part of the time (at least ``1 - x`` of it);
        on a schema each they overlap freely."""
        return sum(r.writing for r in self.rounds) / sum(r.seconds for r in self.rounds)

    def busy(self) -> float | None:
        """The machine's CPU busy during the rounds (median round; ``None``: not known): near
        1, the rounds were bound by the cores, and more processes cannot add throughput."""
        known = [r.busy for r in self.rounds if r.busy is not None]
        return statistics.median(known) if known else None

    def per_transition(self, what: str) -> float:
        """``commits``, ``conflicts``, ``group_losses`` or ``runtime_cpu`` per adopted
        transition."""
        return sum(getattr(r, what) for r in self.rounds) / sum(r.steps for r in self.rounds)

    def known_per_transition(self, what: str) -> float | None:
        """``server_cpu`` or ``turns`` per adopted transition, over the rounds where it
        was measured (``None``: in none)."""
        known = [r for r in self.rounds if getattr(r, what) is not None]
        if not known:
            return None
        return sum(getattr(r, what) for r in known) / sum(r.steps for r in known)

    def cap_bound(self) -> float | None:
        """The share of the capped groups' periods in which the cap bound (``None``: not
        capped, or no period counted): a cap that never binds proves nothing."""
        periods = sum(r.periods for r in self.rounds)
        return sum(r.throttled for r in self.rounds) / periods if periods else None


SQLITE: Final = "sqlite"
POSTGRES: Final = "postgres"
SHARES: Final = "postgres, shares"
PLACED: Final = "postgres, shares, placed"
SEPARATE: Final = "postgres, a schema each"


def configuration(measured: Measured) -> str:
    """The configuration's name in ``bench_multi_runtime``: ``sqlite-1``, ``postgres-N``,
    ``postgres-shares-N`` or ``postgres-separate-N``."""
    store = {
        SHARES: "postgres-shares",
        PLACED: "postgres-placed",
        SEPARATE: "postgres-separate",
    }.get(measured.store, measured.store)
    return f"{store}-{measured.processes}"


def measure(
    workload: str,
    processes: Sequence[int],
    database: str,
    *,
    rounds: int,
    sizes: dict[str, int] | None = None,
    shares: Sequence[int] = (),
    separate: Sequence[int] = (),
    setup: Setup | None = None,
    placed: Sequence[int] = (),
) -> list[Measured]:
    """The SQLite baseline (one process), then ``N`` processes on one PostgreSQL schema for
    each ``N`` of ``processes``, without shares (each runs every actor, RUN-020.4), and
    for each ``N`` of ``shares``, with shares (process ``i`` runs share ``i/N``, RUN-021);
    and, for each ``N`` of ``separate``, ``N`` processes each on a schema of its own with
    an ``N``-th of the actors and transitions (the ceiling if nothing were shared); for
    each ``N`` of ``placed``, with shares and each pair placed in its first end's share
    (RUN-021.6; ``cross`` and ``half``); each configuration its own stores, in one run.  After a
    warm-up round each, ``rounds`` rounds, each a round of every configuration in turn
    (the order rotating), so that the load weighs on all alike.  ``database``: a
    ``postgresql://`` URL where schemas may be made.  A PostgreSQL store's own count of
    commits must equal what the children's backend proxies counted."""
    from gritwit.store import create_schema

    sizes = sizes or {}
    whole = Plan(workload=workload, processes=1, **sizes)
    folder = sqlite_folder()
    setup = setup or Setup()
    configs: list[tuple[str, int, Fleet]] = [(SQLITE, 1, Fleet.sharing(folder, whole, setup))]
    for n in processes:
        plan = Plan(workload=workload, processes=n, **sizes)
        configs.append((POSTGRES, n, Fleet.sharing(create_schema(database), plan, setup)))
    for n in shares:
        plan = Plan(workload=workload, processes=n, shares=True, **sizes)
        if workload != "disjoint" and plan.steps % n:  # equal parts: see _multi_process._rest
            raise ValueError(f"cross with shares: {plan.steps} steps in {n} equal parts")
        configs.append((SHARES, n, Fleet.sharing(create_schema(database), plan, setup)))
    for n in placed if workload not in ("disjoint", RING) else ():  # a ring has no placement
        plan = Plan(workload=workload, processes=n, shares=True, placed=True, **sizes)
        if plan.steps % n:
            raise ValueError(f"placed: {plan.steps} steps in {n} equal parts")
        configs.append((PLACED, n, Fleet.sharing(create_schema(database), plan, setup)))
    for n in separate:
        part = whole.part(n)
        members = [(create_schema(database), part, 0) for _ in range(n)]
        configs.append((SEPARATE, n, Fleet(members, setup=setup)))
    try:
        for _, _, fleet in configs:
            for location, plan in fleet.stores().items():
                prepare(location, plan)
            fleet.start()
        before = [{loc: server_commits(loc) for loc in fleet.stores()} for _, _, fleet in configs]
        timed: list[list[Round]] = [[fleet.round()] for _, _, fleet in configs]  # warm-up
        since = [ring_heads(fleet) for _, _, fleet in configs]  # ring: what its rounds send
        for r in range(rounds):
            for i in [(r + k) % len(configs) for k in range(len(configs))]:
                if setup.waits is not None:
                    setup.waits.label = (workload, i)
                timed[i].append(configs[i][2].round())
                if setup.waits is not None:
                    setup.waits.label = None
        for (_, _, fleet), counted, done in zip(configs, before, timed, strict=True):
            _check_commits(fleet, counted, sum(r.commits for r in done))
        sends = [ring_sends(f, h, rounds) for (_, _, f), h in zip(configs, since, strict=True)]
    finally:
        for _, _, fleet in configs:
            fleet.stop()
        remove(folder)
    return [
        Measured(
            store,
            workload,
            n,
            fleet.transitions(),
            timed[i][1:],
            timed[0][1:],
            None if setup.waits is None else setup.waits.shares((workload, i)),
            sends[i],
        )
        for i, (store, n, fleet) in enumerate(configs)
    ]


def _check_commits(fleet: Fleet, before: dict[str, int | None], proxies: int) -> None:
    """The server's own count of write commits since ``before`` equals the proxies' count."""
    server = 0
    for location, count in before.items():
        now = server_commits(location)
        if count is None or now is None:
            return  # SQLite: the proxies' count is all there is
        server += now - count
    if server != proxies:
        raise AssertionError(f"the server counted {server} commits, the proxies {proxies}")

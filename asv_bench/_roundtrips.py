"""Round trips, statements and CPU per transition on PostgreSQL and SQLite (DUR-005,
RUN-017, RUN-019): the workloads of ``tools/pg_roundtrips`` and ``bench_pg_roundtrips``.

Each workload runs on one :class:`~gritwit.runtime.Runtime` (group commit, RUN-017),
after a warm-up (the store's connections open, the actors loaded):

* ``counter`` — a counter transition with its own send: one ``inc`` sent from the
  outside (its own commit, ``send_commit="own"``, RUN-019), then a run to quiescence;
* ``counter-grouped`` — the same with grouped sends (``send_commit="group"``: the send
  joins the run's commit, RUN-019.2);
* ``counter-again`` — one counter stepped again and again, with grouped sends: each
  transition reads the state blob the runtime's own last commit wrote;
* ``pingpong`` — two ``echo`` actors answering each other, in runs of
  :data:`PINGPONG_RUN` steps (``bench_group_commit.DurablePingPong``'s).

On PostgreSQL the store is reached through a :class:`~asv_bench._relay.Relay`, which
counts the round trips (turns) and the protocol's statements (``Query``/``Execute``
messages).  CPU: the client's is this process's user + system time less the relay
thread's; the server's is the user + system time of the postmaster and its children
(``/proc/<pid>/stat``, reaped children included), found from a backend's parent
process, when the server runs on this machine (else ``None``).

Only the public API every recent version has is used, so that
``tools/pg_roundtrips --reference DIR`` can run it on another checkout's ``gritwit``.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ._relay import Relay, upstream_of

if TYPE_CHECKING:
    from gritwit import ObjectId
    from gritwit.store import Store

WORKLOADS: Final = ("counter", "counter-grouped", "counter-again", "pingpong")
#: Steps of one ping-pong run (as ``bench_group_commit.BATCH``).
PINGPONG_RUN: Final = 200
#: Transitions run before the measurement.
WARM_UP: Final = 10
_TICK: Final = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True, slots=True)
class Measured:
    """One workload on one backend: totals over ``transitions`` measured transitions."""

    workload: str
    backend: str  # "sqlite" or "postgres"
    transitions: int
    seconds: float  # wall time
    client_cpu: float  # seconds: this process less the relay thread
    server_cpu: float | None  # seconds: the server's processes (None: not on this machine)
    turns: int | None  # round trips after connection start-up (None: SQLite)
    statements: int | None  # Query and Execute messages (None: SQLite)
    connections: int | None  # connections opened while measured (None: SQLite)

    def per(self, what: str) -> float | None:
        """``what`` per transition (``None`` where not measured)."""
        value = getattr(self, what)
        return None if value is None else value / self.transitions

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the server's CPU -----------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def postmaster_of(url: str) -> int | None:
    """The pid of the server's postmaster, when it runs on this machine (a backend's parent)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        # read while the backend lives: once the connection closes it exits, and its
        # /proc entry with it (the '?' the tool printed for the first checkout measured)
        fields = None if row is None else _stat(int(row[0]))
    return None if fields is None else int(fields[1])


def server_cpu(postmaster: int | None) -> float | None:
    """User + system seconds of the postmaster, its reaped children and its live ones."""
    if postmaster is None:
        return None
    own = _stat(postmaster)
    if own is None:
        return None
    ticks = sum(int(x) for x in own[11:15])  # utime stime cutime cstime
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[1] == str(postmaster):
                ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICK


def _client_cpu() -> float:
    """User + system seconds of this process (microseconds, where ``os.times`` has ticks)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the workloads --------------------------------------------------------------------------


class _Scene:
    """A runtime over a store with one workload's actors, warmed up."""

    def __init__(self, workload: str, store: Store, transitions: int) -> None:
        from gritwit.runtime import Runtime

        self.workload, self.store = workload, store
        self.loop = asyncio.new_event_loop()
        send_commit = "group" if workload in ("counter-grouped", "counter-again") else "own"
        self.runtime = Runtime(store, send_commit=send_commit)
        run = self.loop.run_until_complete
        if workload == "pingpong":
            from ._scenes import start_ping_pong

            run(start_ping_pong(self.runtime))
            self._steps(WARM_UP)
        else:
            import gritwit as g

            from ._scenes import make_counters

            made = 1 if workload == "counter-again" else transitions + WARM_UP
            self.actors = run(make_counters(self.runtime, made))
            if workload == "counter-again":  # the one counter, each transition
                self.actors *= transitions + WARM_UP
            self.content = store.put_object(g.Blob(data=b"1"))
            self._counters(self.actors[:WARM_UP])
            self.actors = self.actors[WARM_UP:]

    def _steps(self, n: int) -> None:
        while n > 0:
            size = min(n, PINGPONG_RUN)
            report = self.loop.run_until_complete(self.runtime.run_until_quiescent(max_steps=size))
            if len(report.steps) != size or report.failures:
                raise AssertionError(f"ping-pong stalled: {len(report.steps)} of {size} steps")
            n -= size

    def _counters(self, actors: list[ObjectId]) -> None:
        run = self.loop.run_until_complete
        for actor in actors:
            run(self.runtime.send_all([(actor, self.content, {"mt": "inc"}, False)]))
            report = run(self.runtime.run_until_quiescent())
            if len(report.steps) != 1 or report.failures:
                raise AssertionError(f"{len(report.steps)} steps, failures {report.failures}")

    def transitions(self, n: int) -> None:
        if self.workload == "pingpong":
            self._steps(n)
        else:
            self._counters(self.actors[:n])

    def close(self) -> None:
        self.loop.close()


@contextmanager
def opened(backend: str, database: str | None, relay: Relay | None) -> Iterator[Store]:
    """A new store: a SQLite folder, or a new schema of ``database`` reached through ``relay``."""
    from gritwit.store import Store

    if backend == "postgres":
        from gritwit.store import create_schema

        assert database is not None and relay is not None
        store = Store.open(relay.url(create_schema(database)))
        try:
            yield store
        finally:
            store.close()
        return
    folder = tempfile.mkdtemp(prefix="gritwit-roundtrips-")
    store = Store.open(folder)
    try:
        yield store
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def measure_one(
    workload: str,
    backend: str,
    transitions: int,
    *,
    database: str | None = None,
    relay: Relay | None = None,
    postmaster: int | None = None,
) -> Measured:
    """``transitions`` transitions of ``workload`` on a new store of ``backend`` (PostgreSQL:
    a schema of ``database`` through ``relay``), after its warm-up."""
    with opened(backend, database, relay) as store:
        scene = _Scene(workload, store, transitions)
        try:
            return _timed(scene, transitions, relay if backend == "postgres" else None, postmaster)
        finally:
            scene.close()


def _timed(scene: _Scene, n: int, relay: Relay | None, postmaster: int | None) -> Measured:
    relay_cpu: Callable[[], float] = (lambda: relay.stats().relay_cpu) if relay else (lambda: 0.0)
    if relay is not None:
        relay.reset()
    server0, relay0, client0 = server_cpu(postmaster), relay_cpu(), _client_cpu()
    start = time.perf_counter()
    scene.transitions(n)
    seconds = time.perf_counter() - start
    client = _client_cpu() - client0 - (relay_cpu() - relay0)
    server1 = server_cpu(postmaster)
    counted = relay.stats() if relay is not None else None
    return Measured(
        workload=scene.workload,
        backend="postgres" if relay is not None else "sqlite",
        transitions=n,
        seconds=seconds,
        client_cpu=client,
        server_cpu=None if relay is None or server0 is None or server1 is None
        else server1 - server0,
        turns=None if counted is None else counted.turns,
        statements=None if counted is None else counted.statements,
        connections=None if counted is None else counted.connections,
    )  # fmt: skip


def measure(
    database: str, transitions: int, workloads: tuple[str, ...] = WORKLOADS
) -> list[Measured]:
    """Every workload on SQLite, then on PostgreSQL (``database``: a ``postgresql://`` URL
    where schemas may be made) through a relay of no delay."""
    postmaster = postmaster_of(database)
    done: list[Measured] = []
    with Relay(upstream_of(database)) as relay:
        for workload in workloads:
            done.append(measure_one(workload, "sqlite", transitions))
            done.append(
                measure_one(
                    workload,
                    "postgres",
                    transitions,
                    database=database,
                    relay=relay,
                    postmaster=postmaster,
                )
            )
    return done

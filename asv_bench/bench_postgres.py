"""One runtime on the PostgreSQL store against one on SQLite, side by side in one run (DUR-005).

The workloads of ``bench_group_commit`` — :class:`DurableCounters` (1000 counters,
one ``inc`` each) and :class:`DurablePingPong` (200 transitions of two echoes) —
in group commit (RUN-017), once on a SQLite file and once on a PostgreSQL schema:

* ``PostgresOverSqlite.track_*`` — PostgreSQL's time over SQLite's for the same
  transitions, interleaved in one process (``_ratio``): the cost of the server round
  trips, load-independent where separate ``time_`` results are not;
* ``PostgresTransitions.time_*`` — the time of one call on each backend (transitions
  per second = transitions / time);
* ``PostgresCommits.track_commits`` — backend write transactions per transition
  (``_counting``) on each backend; the PostgreSQL store's own count of write commits
  (``settings()["commits"]``) must agree, or the benchmark fails;
* ``PostgresVerify.time_runtime_verify`` — ``gritwit runtime verify`` of the counters
  scene on each backend (reads in pages on PostgreSQL).

The server: ``GRITWIT_BENCH_POSTGRES`` (a ``postgresql://`` URL of a database the
benchmark may make schemas in), else a throwaway cluster started as the tests start
one (``reference/tests/pg_server.py``, stopped at exit).  Without psycopg (the extra
``gritwit[postgres]``) or a server, every benchmark here is skipped with the reason.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar, Final, Protocol

from gritwit.store import Store

# The module, not its classes: asv would find them here and run them a second time.
from . import bench_group_commit as _group_commit
from ._counting import Counting
from ._ratio import interleaved_ratio

#: A workload of bench_group_commit's, set up on a store by its ``make``.
Workload = _group_commit.DurableCounters | _group_commit.DurablePingPong


def _workload(name: str) -> Workload:
    return (
        _group_commit.DurableCounters() if name == "counters" else _group_commit.DurablePingPong()
    )


#: The environment variable naming a server to use instead of a throwaway cluster.
URL_ENV: Final = "GRITWIT_BENCH_POSTGRES"
ROUNDS: Final = 5
BACKENDS: Final = ["sqlite", "postgres"]
WORKLOADS: Final = ["counters", "pingpong"]
_SERVER = Path(__file__).resolve().parents[1] / "reference" / "tests" / "pg_server.py"
_database: str | None = None


def database() -> str:
    """A PostgreSQL database for this process's benchmarks; ``NotImplementedError`` (asv:
    skipped) saying why when there is none."""
    global _database
    if _database is not None:
        return _database
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise NotImplementedError("psycopg is missing: pip install 'gritwit[postgres]'") from None
    given = os.environ.get(URL_ENV)
    if given:
        _database = given
        return given
    cluster = start_cluster()
    atexit.register(cluster.stop)
    _database = str(cluster.create_database())
    return _database


class Cluster(Protocol):
    """What the benchmarks use of ``reference/tests/pg_server.py``'s ``Cluster`` (a module
    loaded from its file, so a duck type here)."""

    def create_database(self) -> str: ...
    def stop(self) -> None: ...


def start_cluster() -> Cluster:
    """A throwaway cluster started as the tests start one (``reference/tests/pg_server.py``:
    a ``Cluster``, whose ``stop()`` the caller calls); ``NotImplementedError`` saying why
    when none can start here."""
    loaded = importlib.util.spec_from_file_location("gritwit_pg_server", _SERVER)
    if loaded is None or loaded.loader is None:
        raise NotImplementedError(f"no {_SERVER} to start a server with; set {URL_ENV}")
    server: Any = sys.modules.get(loaded.name)
    if server is None:
        server = importlib.util.module_from_spec(loaded)
        sys.modules[loaded.name] = server  # its dataclasses look their module up
        loaded.loader.exec_module(server)
    reason = server.skip_reason()
    if reason is not None:
        raise NotImplementedError(reason)
    try:
        cluster: Cluster = server.start_cluster()
    except server.ClusterUnavailable as exc:
        raise NotImplementedError(str(exc)) from None
    return cluster


def open_store(backend: str) -> tuple[Store, str | None]:
    """A new, empty durable store on ``backend``, and its SQLite folder (``None``: a schema)."""
    if backend == "postgres":
        from gritwit.store import create_schema

        return Store.open(create_schema(database())), None
    folder = tempfile.mkdtemp(prefix="gritwit-bench-pg-sqlite-")
    return Store.open(folder), folder


def scene(workload: str, backend: str) -> tuple[Workload, str | None]:
    """``workload`` set up on a new store of ``backend``: (the scene, its SQLite folder)."""
    made: Workload
    made = _workload(workload)
    store, folder = open_store(backend)
    made.make(store)
    return made, folder


def close(made: Workload, folder: str | None) -> None:
    made.teardown()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class PostgresOverSqlite:
    """PostgreSQL's time over SQLite's for the same transitions, interleaved (group commit)."""

    unit = "postgres time / sqlite time"
    timeout = 1200

    def setup(self) -> None:
        database()

    def track_counters_postgres_over_sqlite(self) -> float:
        return _postgres_over_sqlite("counters")

    def track_pingpong_postgres_over_sqlite(self) -> float:
        return _postgres_over_sqlite("pingpong")


def _postgres_over_sqlite(workload: str) -> float:
    postgres, none = scene(workload, "postgres")
    sqlite, folder = scene(workload, "sqlite")
    try:
        return interleaved_ratio(
            lambda: postgres.transitions("group"),
            lambda: sqlite.transitions("group"),
            rounds=ROUNDS,
            clock=time.perf_counter,  # both wait: for the disk, and for the server
        )
    finally:
        close(postgres, none)
        close(sqlite, folder)


class PostgresTransitions:
    """One call of each workload (group commit) on each backend: transitions / time."""

    params: ClassVar = (WORKLOADS, BACKENDS)
    param_names: ClassVar = ["workload", "backend"]
    number = 1
    repeat = 3
    timeout = 900

    def setup(self, workload: str, backend: str) -> None:
        database()
        self.scene, self.folder = scene(workload, backend)

    def teardown(self, workload: str, backend: str) -> None:
        # asv tears down after a setup that skipped (psycopg or the server missing) too:
        # then there is no scene to close.
        if hasattr(self, "scene"):
            close(self.scene, self.folder)

    def time_transitions(self, workload: str, backend: str) -> None:
        self.scene.transitions("group")


class PostgresCommits:
    """Backend write transactions per transition, on each backend (group commit, RUN-017)."""

    params: ClassVar = (WORKLOADS, BACKENDS)
    param_names: ClassVar = ["workload", "backend"]
    unit = "commits per transition"
    timeout = 600

    def setup(self, workload: str, backend: str) -> None:
        database()

    def track_commits(self, workload: str, backend: str) -> float:
        counting = Counting()
        store, folder = open_store(backend)
        made: Workload
        made = _workload(workload)
        made.make(Store(counting.backend(store.backend)))
        try:
            before = _server_commits(store)
            counting.reset()
            with counting.active() as counts:
                transitions = made.transitions("group")
            after = _server_commits(store)
            if before is not None and after is not None and after - before != counts.commits:
                raise AssertionError(f"the server counted {after - before} commits, "
                                     f"the proxy {counts.commits}")  # fmt: skip
            return counts.commits / transitions
        finally:
            made.teardown()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)


def _server_commits(store: Store) -> int | None:
    """The PostgreSQL store's own count of write commits; ``None`` on SQLite."""
    settings = getattr(store.backend, "settings", None)
    if settings is None:
        return None
    commits = settings().get("commits")
    return None if commits is None else int(commits)


class PostgresVerify:
    """``gritwit runtime verify`` (``Store.verify`` and ``check_runtime``, RUN-010) of the
    counters scene after one round of ``inc`` (10,003 objects, 1,000 actors), on each
    backend.  On PostgreSQL the reads go in pages (a few statements per thousand objects,
    ), where one statement per object took 24–77 s for 4,300–9,500 objects."""

    params: ClassVar = (BACKENDS,)
    param_names: ClassVar = ["backend"]
    number = 1
    repeat = 3
    timeout = 900

    def setup(self, backend: str) -> None:
        database()
        self.scene, self.folder = scene("counters", backend)
        self.scene.transitions("group")

    def teardown(self, backend: str) -> None:
        if hasattr(self, "scene"):  # not after a setup that skipped
            close(self.scene, self.folder)

    def time_runtime_verify(self, backend: str) -> None:
        from gritwit.runtime import check_runtime

        store = self.scene.store
        if not (store.verify().ok and check_runtime(store).ok):
            raise AssertionError("the counters scene does not verify")

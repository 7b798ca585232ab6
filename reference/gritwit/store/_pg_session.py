"""A PostgreSQL store's connections and what they tell (DUR-005, DUR-006, DUR-007).

:func:`connect` opens a connection with the session settings the backend relies on:
autocommit, the store's isolation level for every transaction, the server's check that a
running statement's client is still there, one plan per prepared statement, and plans
that look rows up by key.  The rest reads the server: the store's wake-up channel
(RUN-020.6), its settings (DUR-004), where a connection is, and a new schema for a store.
"""

from __future__ import annotations

import contextlib
import uuid
import warnings
import zlib
from typing import Final

import psycopg

from . import _pg_faults
from ._schema_url import with_schema
from ._store_options import UnsettledWarning, split_options

__all__ = [
    "CLIENT_CHECK",
    "CONNECT_TIMEOUT",
    "SHOWN",
    "channel",
    "connect",
    "NoSchema",
    "NoStore",
    "check_schema",
    "create_schema",
    "settings",
    "show",
    "warn_unsettled",
    "where",
]

#: Milliseconds between the server's checks that a running statement's client is still
#: there (``client_connection_check_interval``, PostgreSQL 14 and later).
_CLIENT_CHECK_MS: Final = 100
#: The setting that makes the server end a write whose client is gone (DUR-006.5).
CLIENT_CHECK: Final = "client_connection_check_interval"
#: Seconds a connection attempt may take before :class:`psycopg.OperationalError`.
CONNECT_TIMEOUT: Final = 30


def connect(conninfo: str, isolation: str) -> psycopg.Connection:
    """A new connection to ``conninfo`` in autocommit whose every transaction, one
    statement's too, runs at ``isolation`` (``gritwit_isolation``'s SQL, DUR-007)."""
    with _pg_faults.connecting():  # refused, gone: store-unavailable (DUR-006.1)
        conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    conn.isolation_level = psycopg.IsolationLevel[isolation.replace(" ", "_")]
    conn.execute(f"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL {isolation}")
    # A write is sent whole (BEGIN … COMMIT in one pipeline): should this process die
    # while the write waits for a part's row, the server must not go on and commit
    # it later, after a restarted client read it absent (DUR-006.3, RUN-019.6).  Where
    # the server checks the socket while a statement runs (PostgreSQL 14 and later), it
    # gives such a write up within this interval; where it cannot (no such setting, or
    # a platform where it must be 0), opening the store warns (:func:`warn_unsettled`).
    with contextlib.suppress(
        psycopg.errors.UndefinedObject,
        psycopg.errors.FeatureNotSupported,
        psycopg.errors.InvalidParameterValue,
    ):
        conn.execute(f"SET {CLIENT_CHECK} = {_CLIENT_CHECK_MS}")
    # DUR-005.7: a write is acknowledged only once the server flushed it.  A database, a
    # role or a server may default to synchronous_commit = off, where a commit returns
    # before its WAL is on disk and a crash of the server loses acknowledged sends (3 to
    # 6 at one failover); the session is set back to on.  Stricter values (remote_write,
    # remote_apply: a standby's, DUR-010.1) and local stay; an engine without the
    # setting (CockroachDB) answers "unknown" and keeps its own.
    if show(conn, "synchronous_commit") == "off":
        conn.execute("SET synchronous_commit = on")
    # The statements a runtime repeats (the journal read above all) are prepared once
    # (:mod:`._pg_wire`); with arrays as parameters the server would plan each run
    # again ("custom" plans).  One plan per connection: measured 0.22-0.25
    # -> 0.10-0.12 ms of the server's CPU per journal read (DUR-005.4).
    with contextlib.suppress(psycopg.errors.UndefinedObject, psycopg.errors.FeatureNotSupported):
        conn.execute("SET plan_cache_mode = force_generic_plan")
    # That one plan is made when a statement first runs on the connection: on a new
    # store, when its tables are a few pages, and a hash join over a whole table then
    # looks cheapest — and stays, as the tables grow, until an ANALYZE replans it
    # (2.1 ms of the server's CPU per counter transition on a new store, 0.6 after an
    # ANALYZE).  Every statement of this backend looks rows up by their keys, whose
    # indexes a nested loop uses at any size: no hash or merge joins (DUR-005.4).
    for setting in ("enable_hashjoin", "enable_mergejoin"):
        with contextlib.suppress(
            psycopg.errors.UndefinedObject, psycopg.errors.FeatureNotSupported
        ):
            conn.execute(f"SET {setting} = off")
    return conn


def channel(conn: psycopg.Connection) -> str | None:
    """The store's wake-up channel (RUN-020.6): ``gritwit_`` and a hash of its schema, so
    stores in one database wake only their own; ``None`` where the engine has no
    ``pg_notify`` (CockroachDB, YugabyteDB before v2025.2.3: their runtimes poll).  The
    engine is asked in a transaction rolled back, so the probe notifies no one: a
    notification at every open made each runtime listening read the journal once for
    nothing (RUN-020.6; ``conn`` is new, with no statement of a write prepared yet, which
    psycopg's ``DEALLOCATE ALL`` after the rollback would drop)."""
    row = conn.execute("SELECT current_schema()").fetchone()
    channel = f"gritwit_{zlib.crc32(str(row[0] if row else '').encode()):08x}"
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("SELECT pg_notify(%s, '')", (channel,))
    except (psycopg.errors.UndefinedFunction, psycopg.errors.FeatureNotSupported):
        return None
    return channel


#: The server settings :meth:`~gritwit.store.PostgresBackend.settings` reads, each with ``SHOW``.
SHOWN: Final = (
    "fsync",
    "synchronous_commit",
    "full_page_writes",
    "transaction_isolation",
    CLIENT_CHECK,
)


def show(conn: psycopg.Connection, key: str) -> str:
    """``SHOW key`` on its own (the connection is in autocommit, so a failure spoils
    nothing after it), or ``"unknown"`` where the server has no such setting."""
    try:
        row = conn.execute(f"SHOW {key}").fetchone()
    except (psycopg.errors.UndefinedObject, psycopg.errors.FeatureNotSupported):
        return "unknown"
    return "unknown" if row is None else str(row[0])


def warn_unsettled(conn: psycopg.Connection) -> None:
    """:class:`~gritwit.store.UnsettledWarning` when the server of ``conn`` (made by
    :func:`connect`) does not check that a running statement's client is there: a write
    whose client died while it waited for a lock may then commit later, after a restarted
    client read the store to settle it (DUR-006.5, RUN-019.6)."""
    value = show(conn, CLIENT_CHECK)
    if value in ("unknown", "0"):
        warnings.warn(
            UnsettledWarning(
                f"DUR-006.5: the store's server does not end a write whose client is gone"
                f" ({CLIENT_CHECK} is {value}: PostgreSQL 14 or later on Linux has it), so a"
                " write answered outcome-unknown may still commit after a read that settled"
                " it; settle once the server has no session of the process that sent it"
            ),
            stacklevel=4,
        )


def settings(conn: psycopg.Connection) -> dict[str, str | int]:
    """Each of :data:`SHOWN` (:func:`show`), and the write commits so far (``commits``)."""
    found: dict[str, str | int] = {key: show(conn, key) for key in SHOWN}
    row = conn.execute("SELECT sum(commits) FROM gritwit_parts").fetchone()
    found["commits"] = 0 if row is None or row[0] is None else int(row[0])
    return found


def where(conn: psycopg.Connection) -> str:
    """``database <db>, schema <schema>`` of a connection, for messages."""
    row = conn.execute("SELECT current_database(), current_schema()").fetchone()
    database, schema = row if row is not None else (None, None)
    return f"database {database}, schema {schema}"


class NoStore(LookupError):
    """``create=False`` and the database holds no store (no ``objects`` table, DUR-005)."""


class NoSchema(NoStore):
    """The URL's ``search_path`` names no schema that exists: nowhere to find or make the
    store's tables (DUR-005); :attr:`schema` is the one it names first."""

    def __init__(self, message: str, schema: str) -> None:
        super().__init__(message)
        self.schema = schema


def check_schema(conn: psycopg.Connection) -> None:
    """:class:`NoSchema` when no schema on the connection's ``search_path`` exists
    (``current_schema()`` is ``NULL``), naming the first and the statement that makes it."""
    row = conn.execute(
        "SELECT current_schema(), current_setting('search_path'), current_database()"
    ).fetchone()
    if row is None or row[0] is not None:
        return
    schema = str(row[1]).split(",")[0].strip().strip('"') or str(row[1])
    raise NoSchema(
        f"DUR-005: database {row[2]} has no schema {schema[:80]!r} (the first of the URL's "
        f"search_path): make it first, CREATE SCHEMA {schema[:80]}",
        schema,
    )


def create_schema(url: str, schema: str | None = None) -> str:
    """Make ``schema`` (a fresh ``gw_<hex>`` name unless given) in the database ``url``
    names, and return ``url`` with it first on the ``search_path`` (:func:`with_schema`):
    a new, empty store.  An existing schema of that name is kept as it is."""
    name = schema or "gw_" + uuid.uuid4().hex[:24]
    scoped = with_schema(url, name)
    plain, _ = split_options(url)  # libpq refuses the store options (DUR-007, DUR-008)
    with _pg_faults.connecting():  # refused, gone: store-unavailable (DUR-006.1)
        conn = psycopg.connect(plain, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    with conn, _pg_faults.reading():
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {name}")  # name checked by with_schema
    return scoped

"""A durable :class:`~gritwit.store.Backend` on one SQLite file (stdlib :mod:`sqlite3`).

The file ``gritwit.sqlite3`` lives in a directory the caller names.  The database runs
in WAL mode with ``synchronous=FULL``, so a write that returned has been fsynced and
survives a process kill and, on a sound disk, a power loss (DUR-001, DUR-004).  With the
durability ``process`` (DUR-009: the location's ``?gritwit_durability=process``) it runs
with ``synchronous=NORMAL``: a commit is written to the WAL but not synced, so a write
that returned survives the process's ``SIGKILL`` (the operating system holds it) and may
be lost, with the writes after it, on a power loss; the WAL is synced at each checkpoint,
and a crash of any kind leaves every transaction whole or absent (DUR-002).  Every write
runs in its own ``BEGIN IMMEDIATE`` transaction: SQLite then takes the database's single
write lock up front, so a compare-and-swap reads, checks and writes with no other writer
of any thread or process in between (DUR-003), and a crash leaves it all done or not
done (DUR-002).  Writers that find the lock taken wait up to :data:`BUSY_TIMEOUT_MS`.

Each successful swap also adds a row to ``ref_journal`` in its own transaction (the
batch's, for a batch): the ref's name, its new target (``NULL``: deleted) and a version,
one more than the journal's highest.  :meth:`SqliteBackend.refs_changed_since` reads the
highest version and the rows after the caller's in one ``SELECT``, so a runtime learns
what other processes swapped without listing every ref (RUN-003.1).  The versions are
prefix-closed: a reader that reports version ``v`` has seen every row numbered up to
``v``, and no row numbered ``v`` or less can appear later.  Writers take the write lock
before numbering, so each numbers after every commit before it, and a row with a higher
number commits after it; one ``SELECT`` reads one snapshot of the WAL, so it holds every
row up to the highest it sees.  Old rows are pruned (:data:`JOURNAL_KEPT`), and a reader
older than what is kept is told so (``None``) and lists the refs.

Connections are pooled: a caller borrows one for the length of one operation, so several
threads can use one backend at once without sharing a connection.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any, Final

from .._errors import OutcomeUnknown, StoreBusy, StoreError, StoreUnavailable
from .._ids import ObjectId
from ._backend import CasResult, CasStatus
from ._paging import plan_pages
from ._refs import HEADS_PREFIX

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DB_FILENAME",
    "DURABILITY_SYNC",
    "JOURNAL_KEPT",
    "JOURNAL_PRUNE_EVERY",
    "SqliteBackend",
    "SqliteBatch",
]

#: Name of the database file inside the store directory.
DB_FILENAME: Final = "gritwit.sqlite3"
#: Each durability (DUR-004, DUR-009) and its ``synchronous``: ``power`` (the default)
#: syncs every commit, ``process`` leaves the WAL to the system until a checkpoint.
DURABILITY_SYNC: Final = {"power": "FULL", "process": "NORMAL"}
#: How long a writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_MS: Final = 30_000
#: Swaps the journal keeps at least (:meth:`SqliteBackend.refs_changed_since`): the rows
#: numbered above the newest's version minus this are always there.
JOURNAL_KEPT = 8192
#: The journal is pruned at each multiple of this: ``JOURNAL_KEPT`` plus this rows at most.
JOURNAL_PRUNE_EVERY = 512
_ID_PAGE: Final = 512
#: A row's first column, and the rest: :meth:`SqliteBackend.starts` keys its rows in C.
_FIRST: Final = itemgetter(0)
_REST: Final = itemgetter(slice(1, None))
#: Insert an object, or mend a corrupt copy under its id (STO-002.3): the update runs
#: only when the stored bytes differ, so a healthy copy is never rewritten (STO-002.2).
_MEND: Final = " ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE data != excluded.data"
_UPSERT_VALUES: Final = "INSERT INTO objects (id, data) VALUES (?, ?)" + _MEND
_UPSERT_UNLESS_ERASED: Final = (
    "INSERT INTO objects (id, data) SELECT ?1, ?2"
    " WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE id = ?1)" + _MEND
)
#: Mend a corrupt copy of an object the store holds (STO-002.3), never a healthy one.
_MEND_HELD: Final = "UPDATE objects SET data = ?2 WHERE id = ?1 AND data != ?2"
#: Rows a statement of :data:`_FRESH_INSERT` inserts at most (two parameters each).
_FRESH_ROWS: Final = 256
#: Insert the rows of ``{values}`` the store holds neither as bytes nor as a tombstone,
#: and return the ids inserted: the *fresh* ones (RUN-022.1).  SQLite 3.35 or later.
_FRESH_INSERT: Final = (
    "INSERT INTO objects (id, data) SELECT v.column1, v.column2 FROM (VALUES {values}) AS v"
    " WHERE NOT EXISTS (SELECT 1 FROM tombstones AS t WHERE t.id = v.column1)"
    " ON CONFLICT (id) DO NOTHING RETURNING id"
)
#: The same for one row, where RETURNING is missing: ``rowcount`` tells (RUN-022.1).
_FRESH_INSERT_ONE: Final = (
    "INSERT INTO objects (id, data) SELECT ?1, ?2"
    " WHERE NOT EXISTS (SELECT 1 FROM tombstones WHERE id = ?1) ON CONFLICT (id) DO NOTHING"
)
_RETURNING: Final = sqlite3.sqlite_version_info >= (3, 35, 0)

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS objects (id BLOB PRIMARY KEY NOT NULL, data BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS refs (name TEXT PRIMARY KEY NOT NULL, target BLOB NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS tombstones (id BLOB PRIMARY KEY NOT NULL, reason TEXT NOT NULL)"
    " WITHOUT ROWID",
    # made where missing, in a file of an older version too: its journal starts empty
    "CREATE TABLE IF NOT EXISTS ref_journal"
    " (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, target BLOB)",
    # made where missing too: the steps of an older file have no time (RUN-027.2)
    "CREATE TABLE IF NOT EXISTS step_times (step BLOB PRIMARY KEY NOT NULL, at REAL NOT NULL)"
    " WITHOUT ROWID",
)
#: A step's time, the first time a swap makes it a head here (RUN-027.1).
_STEP_TIME: Final = "INSERT OR IGNORE INTO step_times (step, at) VALUES (?, ?)"
#: Journal a swap of ``?1`` to ``?2`` (``NULL``: deleted), numbered one past the newest.
_JOURNAL: Final = (
    "INSERT INTO ref_journal (version, name, target)"
    " VALUES ((SELECT coalesce(max(version), 0) + 1 FROM ref_journal), ?, ?)"
)
#: The newest version and, when ``?1`` is within what is kept (``?2`` swaps), the swaps
#: after it in order; a row of ``NULL`` name when there are none.  One snapshot.
_CHANGES: Final = (
    "SELECT latest.version, j.name, j.target"
    " FROM (SELECT coalesce(max(version), 0) AS version FROM ref_journal) AS latest"
    " LEFT JOIN ref_journal AS j"
    " ON j.version > ?1 AND ?1 BETWEEN latest.version - ?2 AND latest.version"
    " ORDER BY j.version"
)


class SqliteBackend:
    """Objects and refs in ``<directory>/gritwit.sqlite3`` (durable, multi-process)."""

    __slots__ = ("_closed", "_file", "_guard", "_idle", "_sync", "durability")

    #: Its writes report which objects the store did not hold (``fresh``, RUN-022.1): an
    #: insert tells which rows it made, so a runtime counting what it adds reads nothing.
    #: Objects are immutable and an erased id keeps its tombstone, so what the insert
    #: saw is what the store holds: an erase between two writes turns no held object
    #: fresh again (RUN-011), and none of ours is cached to go stale.
    reports_fresh: Final = True

    def __init__(self, directory: str | os.PathLike[str], *, durability: str = "power") -> None:
        if durability not in DURABILITY_SYNC:
            raise ValueError(
                f"DUR-009: durability must be one of {', '.join(DURABILITY_SYNC)},"
                f" not {durability[:40]!r}"
            )
        #: ``power`` (DUR-004) or ``process`` (DUR-009): what a write that returned survives.
        self.durability = durability
        self._sync = DURABILITY_SYNC[durability]
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        self._file = folder / DB_FILENAME
        self._guard = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._closed = False
        conn = self._connect()
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"cannot switch {self._file} to WAL (got {mode})")
            with self._transaction(conn):
                for statement in _SCHEMA:
                    conn.execute(statement)
        except BaseException:
            conn.close()
            raise
        self._idle.append(conn)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._file

    # --- connections and transactions ----------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._file,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # autocommit; transactions are explicit below
            check_same_thread=False,  # pooled: used by one thread at a time
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # FULL: fsync every commit (DUR-004); NORMAL: at checkpoints only (DUR-009)
        conn.execute(f"PRAGMA synchronous = {self._sync}")
        return conn

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._guard:
            if self._closed:
                raise ValueError("the store is closed")
            conn = self._idle.pop() if self._idle else None
        try:
            if conn is None:
                conn = self._connect()
        except sqlite3.OperationalError as exc:  # the file went away or cannot be opened
            raise _medium_fault(exc) from exc
        try:
            yield conn
        except sqlite3.OperationalError as exc:  # DUR-006.4: the medium's, never internal
            raise _medium_fault(exc) from exc
        finally:
            with self._guard:
                if self._closed:
                    conn.close()
                else:
                    self._idle.append(conn)

    @staticmethod
    @contextlib.contextmanager
    def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
        conn.execute("BEGIN IMMEDIATE")  # take the write lock now (DUR-003)
        try:
            yield
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if _locked(exc):  # not committed: the transaction is still open, rolled back
                    raise
                # The WAL may hold the commit's frames whose sync failed: a reopen can find
                # the write kept, so its outcome is unknown, never "nothing written" (DUR-006.4).
                raise OutcomeUnknown(
                    "DUR-006.4",
                    f"the commit of a write failed in the store's files: {exc}; it may or may "
                    "not be kept (settle it by reading)",
                ) from exc
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    # --- objects -------------------------------------------------------------------------

    def insert(self, oid: ObjectId, data: bytes) -> None:
        with self._connection() as conn, self._transaction(conn):
            erased = conn.execute("SELECT 1 FROM tombstones WHERE id = ?", (oid.digest,)).fetchone()
            if erased is None:  # an erased id stays erased (RUN-011)
                conn.execute(_UPSERT_VALUES, (oid.digest, data))

    def insert_many(
        self, items: Iterable[tuple[ObjectId, bytes]], fresh: set[bytes] | None = None
    ) -> None:
        """:meth:`insert` of each item, all in one transaction: one sync for all (DUR-001).

        ``fresh``, when given, gets the digests of the objects the store did not hold,
        neither as bytes nor erased (RUN-022.1): told by the insert itself, no read."""
        with self._connection() as conn, self._transaction(conn):
            self._insert_rows(conn, items, fresh)

    @staticmethod
    def _insert_rows(
        conn: sqlite3.Connection,
        items: Iterable[tuple[ObjectId, bytes]],
        fresh: set[bytes] | None = None,
    ) -> None:
        """Insert objects inside the caller's transaction; erased ids stay erased (RUN-011),
        corrupt copies are mended (STO-002.3); ``fresh`` as :meth:`insert_many`'s."""
        rows = [(oid.digest, data) for oid, data in items]
        if fresh is None:
            conn.executemany(_UPSERT_UNLESS_ERASED, rows)
            return
        added = _insert_fresh(conn, rows)
        fresh |= added
        held = [row for row in rows if row[0] not in added]
        if held:  # an object held already: mend a corrupt copy, if it is one
            conn.executemany(_MEND_HELD, held)

    def read(self, oid: ObjectId) -> bytes | None:
        """Exactly the bytes inserted under ``oid``, or ``None`` (STO-003.1)."""
        with self._connection() as conn:
            row = conn.execute("SELECT data FROM objects WHERE id = ?", (oid.digest,)).fetchone()
        return None if row is None else bytes(row[0])

    def contains(self, oid: ObjectId) -> bool:
        """Whether ``oid`` has bytes or a tombstone (STO-005.1, RUN-011)."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM objects WHERE id = ?1"
                " UNION ALL SELECT 1 FROM tombstones WHERE id = ?1",
                (oid.digest,),
            ).fetchone()
        return row is not None

    def contains_many(self, digests: Iterable[bytes]) -> set[bytes]:
        """The digests of ``digests`` with bytes or a tombstone (RUN-022.1), in one read
        per :data:`_ID_PAGE` of them."""
        query = (
            "SELECT id FROM objects WHERE id IN ({0})"
            " UNION SELECT id FROM tombstones WHERE id IN ({0})"
        )
        found: set[bytes] = set()
        for rows in self._by_ids(query, list(dict.fromkeys(digests)), times=2):
            found.update(bytes(row[0]) for row in rows)
        return found

    def erase(self, oid: ObjectId, reason: str) -> bool:
        with self._connection() as conn, self._transaction(conn):
            gone = conn.execute("DELETE FROM objects WHERE id = ?", (oid.digest,)).rowcount
            if gone:
                conn.execute(
                    "INSERT OR IGNORE INTO tombstones (id, reason) VALUES (?, ?)",
                    (oid.digest, reason),
                )
            return bool(gone)

    def tombstone(self, oid: ObjectId) -> str | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT reason FROM tombstones WHERE id = ?", (oid.digest,)
            ).fetchone()
        return None if row is None else str(row[0])

    def ids(self) -> Iterator[ObjectId]:
        last = b""
        while True:  # keyset pages: no read transaction stays open between yields
            with self._connection() as conn:
                rows = conn.execute(
                    "SELECT id FROM objects WHERE id > ? ORDER BY id LIMIT ?", (last, _ID_PAGE)
                ).fetchall()
            for (digest,) in rows:
                yield ObjectId(bytes(digest))
            if len(rows) < _ID_PAGE:
                return
            last = rows[-1][0]

    # --- refs ----------------------------------------------------------------------------

    def get_ref(self, name: str) -> ObjectId | None:
        """The target of ref ``name``, or ``None`` when it is not set (REF-005)."""
        with self._connection() as conn:
            row = conn.execute("SELECT target FROM refs WHERE name = ?", (name,)).fetchone()
        return None if row is None else ObjectId(bytes(row[0]))

    def refs_changed_since(
        self, version: int | None
    ) -> tuple[int, list[tuple[str, ObjectId | None]] | None]:
        """The ref version now, and the swaps after ``version`` (``None``: unknown).

        A version counts the swaps journaled so far.  The swaps come in order, each as
        the ref's name and its new target, a name again each time it was swapped
        again; they are unknown for ``version`` ``None``, one this store never
        reported, or one older than the journal keeps (:data:`JOURNAL_KEPT`).  One
        ``SELECT``, so one snapshot: the version and the swaps up to it agree.
        """
        with self._connection() as conn:
            if version is None or version < 0:  # none it could have reported
                row = conn.execute("SELECT coalesce(max(version), 0) FROM ref_journal").fetchone()
                return int(row[0]), None
            rows = conn.execute(_CHANGES, (version, JOURNAL_KEPT)).fetchall()
        now = int(rows[0][0])
        if not now - JOURNAL_KEPT <= version <= now:
            return now, None
        return now, [
            (name, None if target is None else ObjectId(bytes(target)))
            for _, name, target in rows
            if name is not None
        ]

    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """The swap in its own write transaction, atomic for every writer (DUR-003)."""
        with self._connection() as conn, self._transaction(conn):
            return self._swap(conn, name, expected, new)

    def insert_many_then_cas(
        self,
        items: Iterable[tuple[ObjectId, bytes]],
        name: str,
        expected: ObjectId | None,
        new: ObjectId | None,
        fresh: set[bytes] | None = None,
        wake: bool = True,  # no one to wake (RUN-020.6)
    ) -> CasResult:
        """:meth:`insert_many`, then :meth:`cas_ref`, in one transaction: one sync (RUN-001).

        The objects are written before the ref inside the transaction, and the
        commit makes both durable at once, so a head never names an absent object,
        even across a crash.  The objects are kept when the swap fails, as two
        separate writes would keep them.  ``fresh`` as :meth:`insert_many`'s.
        """
        with self._connection() as conn, self._transaction(conn):
            self._insert_rows(conn, items, fresh)
            return self._swap(conn, name, expected, new)

    @contextlib.contextmanager
    def batch(self) -> Iterator[SqliteBatch]:
        """Many inserts and swaps in one write transaction: one sync for all (RUN-017).

        The write lock is taken when the block starts (DUR-003) and the transaction
        commits when it ends, so a crash leaves every write of the block or none
        (DUR-002); if the block raises, nothing of it is kept.
        """
        with self._connection() as conn, self._transaction(conn):
            yield SqliteBatch(conn)

    @staticmethod
    def _swap(
        conn: sqlite3.Connection, name: str, expected: ObjectId | None, new: ObjectId | None
    ) -> CasResult:
        """The compare-and-swap of ``name``, inside the caller's transaction.

        A missing target fails (REF-003.1); a ref holding ``expected`` becomes ``new``
        (REF-004.2); any other value is a conflict and nothing changes (REF-004.3).
        """
        row = conn.execute("SELECT target FROM refs WHERE name = ?", (name,)).fetchone()
        current = None if row is None else ObjectId(bytes(row[0]))
        if new is not None:
            present = conn.execute("SELECT 1 FROM objects WHERE id = ?", (new.digest,)).fetchone()
            if present is None:
                return CasResult(CasStatus.MISSING_TARGET, current)
        if current != expected:
            return CasResult(CasStatus.CONFLICT, current)
        if new is None:
            conn.execute("DELETE FROM refs WHERE name = ?", (name,))
        else:
            conn.execute(
                "INSERT OR REPLACE INTO refs (name, target) VALUES (?, ?)", (name, new.digest)
            )
            if name.startswith(HEADS_PREFIX):
                conn.execute(_STEP_TIME, (new.digest, time.time()))
        _journal(conn, name, new)
        return CasResult(CasStatus.SWAPPED, new)

    def step_times(self, oids: Iterable[ObjectId]) -> dict[ObjectId, float]:
        """The recorded time of each of ``oids`` that has one (RUN-027.1)."""
        wanted = {oid.digest: oid for oid in oids}
        found: dict[ObjectId, float] = {}
        digests = list(wanted)
        with self._connection() as conn:
            for start in range(0, len(digests), 500):  # under SQLite's bound on parameters
                page = digests[start : start + 500]
                marks = ",".join("?" * len(page))
                query = f"SELECT step, at FROM step_times WHERE step IN ({marks})"
                for step, at in conn.execute(query, page):
                    found[wanted[bytes(step)]] = float(at)
        return found

    def list_refs(self, prefix: str) -> list[tuple[str, ObjectId]]:
        """Refs whose name starts with ``prefix``, in bytewise name order (REF-006)."""
        found: list[tuple[str, ObjectId]] = []
        with self._connection() as conn:
            # TEXT compares with memcmp over UTF-8 (BINARY collation): bytewise order.
            rows = conn.execute(
                "SELECT name, target FROM refs WHERE name >= ? ORDER BY name", (prefix,)
            )
            for name, target in rows:
                if not name.startswith(prefix):
                    break
                found.append((name, ObjectId(bytes(target))))
        return found

    # --- administration ------------------------------------------------------------------

    def settings(self) -> dict[str, str | int]:
        """The SQLite settings durability depends on, read back from a live connection."""
        with self._connection() as conn:
            return {
                "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
                "synchronous": conn.execute("PRAGMA synchronous").fetchone()[0],
                "busy_timeout": conn.execute("PRAGMA busy_timeout").fetchone()[0],
            }

    def read_pages(self, oids: Iterable[ObjectId]) -> Iterator[dict[ObjectId, bytes]]:
        """The bytes stored under each of ``oids``, absent ones omitted (STO-003.1), a page
        at a time, each bounded by count and bytes (:func:`~gritwit.store._paging.plan_pages`,
        sized by ``length(data)`` first): one read of the sizes a :data:`_ID_PAGE` of ids,
        then one read a page."""
        wanted = [oid.digest for oid in dict.fromkeys(oids)]
        for sizes in self._by_ids("SELECT id, length(data) FROM objects WHERE id IN ({})", wanted):
            for page in plan_pages((bytes(d), int(n)) for d, n in sizes):
                marks = ",".join("?" * len(page))
                with self._connection() as conn:
                    rows = conn.execute(
                        f"SELECT id, data FROM objects WHERE id IN ({marks})", page
                    ).fetchall()
                yield {ObjectId(bytes(d)): bytes(data) for d, data in rows}

    def read_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, bytes]:
        """The bytes stored under each of ``oids``, absent ones omitted (STO-003.1)."""
        found: dict[ObjectId, bytes] = {}
        for page in self.read_pages(oids):
            found.update(page)
        return found

    def starts(
        self, digests: list[bytes], prefix: int, whole: int
    ) -> dict[bytes, tuple[int, bytes]]:
        """The length of the bytes stored under each of ``digests`` and the bytes
        themselves where they are at most ``whole``, else their first ``prefix`` bytes;
        absent ones omitted.  One read a :data:`_ID_PAGE` of them: a read-ahead takes a
        core's small objects in the same read that plans it
        (:func:`~gritwit.store._paging.read_ahead`).  Gate figure: three reads a page
        (lengths, then the page planned, then its bytes) took 4.2 s of a 2**18-object
        read-ahead at load 24, one read 1.4 s."""
        query = (
            f"SELECT id, length(data), CASE WHEN length(data) <= {int(whole)} THEN data"
            f" ELSE substr(data, 1, {int(prefix)}) END FROM objects WHERE id IN ({{}})"
        )
        found: dict[bytes, tuple[int, bytes]] = {}
        for rows in self._by_ids(query, digests):
            # BLOB → bytes, INTEGER → int; keyed and sliced in C, not a generator a row
            found.update(zip(map(_FIRST, rows), map(_REST, rows), strict=True))
        return found

    def tombstones_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, str]:
        """Why each erased id of ``oids`` was erased (RUN-011), others omitted: one read
        a :data:`_ID_PAGE` of them."""
        wanted = [oid.digest for oid in dict.fromkeys(oids)]
        found: dict[ObjectId, str] = {}
        for rows in self._by_ids("SELECT id, reason FROM tombstones WHERE id IN ({})", wanted):
            found.update((ObjectId(bytes(d)), str(reason)) for d, reason in rows)
        return found

    def _by_ids(self, query: str, ids: list[bytes], times: int = 1) -> Iterator[list[Any]]:
        """The rows of ``query``, whose ``{}`` (or each ``{0}``, ``times`` of them) takes the
        marks of ``IN``, for ``ids``: one read a :data:`_ID_PAGE` of them, no connection
        held between reads."""
        for start in range(0, len(ids), _ID_PAGE):
            chunk = ids[start : start + _ID_PAGE]
            with self._connection() as conn:
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(query.format(marks), chunk * times).fetchall()
            yield rows

    def close(self) -> None:
        with self._guard:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _locked(exc: sqlite3.OperationalError) -> bool:
    """Whether ``exc`` is SQLite's busy answer: another writer held the lock past the wait."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _medium_fault(exc: sqlite3.OperationalError) -> StoreError:
    """The class of a fault of a directory store's files (DUR-006.4): ``store-busy`` for a
    lock another writer held past the wait (nothing written, try again), else
    ``store-unavailable`` (the files cannot be read or written; nothing of the write kept:
    SQLite rolled back the transaction the statement was in)."""
    if _locked(exc):
        return StoreBusy("DUR-006.4", f"the store's files stayed locked by another writer: {exc}")
    return StoreUnavailable("DUR-006.4", f"the store's files cannot be read or written: {exc}")


def _journal(conn: sqlite3.Connection, name: str, new: ObjectId | None) -> None:
    """Journal the swap of ``name`` to ``new`` inside the swap's transaction, and now and
    then drop the rows older than :data:`JOURNAL_KEPT` swaps (never the newest)."""
    version = conn.execute(_JOURNAL, (name, None if new is None else new.digest)).lastrowid
    if version is not None and version % JOURNAL_PRUNE_EVERY == 0:
        conn.execute("DELETE FROM ref_journal WHERE version <= ?", (version - JOURNAL_KEPT,))


def _insert_fresh(conn: sqlite3.Connection, rows: list[tuple[bytes, bytes]]) -> set[bytes]:
    """Insert the ``rows`` the store holds neither as bytes nor as a tombstone, inside the
    caller's transaction, and return their digests (RUN-022.1).

    One statement per :data:`_FRESH_ROWS` rows whose ``RETURNING`` names the rows it
    inserted; without ``RETURNING`` (SQLite before 3.35), one statement a row, whose
    ``rowcount`` tells.  A digest named twice is inserted once, by its first row.
    """
    added: set[bytes] = set()
    if not _RETURNING:
        for row in rows:
            if conn.execute(_FRESH_INSERT_ONE, row).rowcount == 1:
                added.add(row[0])
        return added
    for start in range(0, len(rows), _FRESH_ROWS):
        page = rows[start : start + _FRESH_ROWS]
        statement = _FRESH_INSERT.format(values=",".join(["(?,?)"] * len(page)))
        params = [value for row in page for value in row]
        added.update(bytes(row[0]) for row in conn.execute(statement, params).fetchall())
    return added


class SqliteBatch:
    """The writes of :meth:`SqliteBackend.batch`, on its connection, inside its transaction."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def insert_many(
        self, items: Iterable[tuple[ObjectId, bytes]], fresh: set[bytes] | None = None
    ) -> None:
        """Insert objects; erased ids stay erased (RUN-011), corrupt copies are mended;
        ``fresh`` as :meth:`SqliteBackend.insert_many`'s."""
        SqliteBackend._insert_rows(self._conn, items, fresh)

    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """The compare-and-swap of ``name``; it sees this batch's earlier inserts and swaps."""
        return SqliteBackend._swap(self._conn, name, expected, new)

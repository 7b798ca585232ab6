"""A durable :class:`~gritwit.store.Backend` on PostgreSQL, over psycopg 3 (DUR-005).

The store is six tables in the first schema of the connection's ``search_path``
(``public`` unless the connection string sets one, e.g. with ``options=-csearch_path=gw1``):
``objects`` and ``tombstones`` keyed by the 32 bytes of an id, ``refs`` keyed by the
name's bytes (ASCII, REF-001), ``gritwit_writer`` (row 3: the erasures made),
``gritwit_parts``, the gate and a row per part of the refs, and ``ref_journal_parts``,
each part's swaps made lately (:mod:`._pg_schema`; a store made by an earlier version
also has the unused ``ref_journal``).

* **Atomic swaps** (REF-003, REF-004, DUR-003, DUR-005.5).  Every write runs in one
  transaction that takes the gate row ``FOR SHARE``, then the rows of the parts
  whose refs it swaps, in ascending order, then inserts its objects in id order
  (:mod:`._pg_commit`): writers of different parts never wait for each other, and
  no two wait for each other in a cycle.  Erasure and a batch take the gate alone,
  as every writer took one row before.  Each statement after a lock sees every write
  committed before it.  The swap itself is conditional — an ``UPDATE … WHERE target
  = expected`` or an ``INSERT … ON CONFLICT DO NOTHING`` whose row count says
  whether it happened — so it is a compare-and-swap for every concurrent writer.
* **Durability** (DUR-001, DUR-002, DUR-004).  A write returns after its ``COMMIT``
  does; with the server's defaults (``fsync = on``, ``synchronous_commit = on``) the
  commit is on stable storage by then.  A client killed mid-transaction leaves nothing
  of it: the server rolls back a transaction whose connection is gone.
  :meth:`PostgresBackend.settings` reads the settings back.
* **A journal of swaps per part** (RUN-003.1, RUN-020.5, DUR-005.5): each swap adds a
  row numbered on from its part's row, in the transaction that made it, and
  :meth:`PostgresBackend.refs_changed_since` reads what moved since a reader's vector of
  versions in one ``SELECT``; why a part's versions are prefix-closed: :mod:`._pg_ahead`.
* **Isolation levels and retries** (DUR-007).  ``READ COMMITTED`` unless the URL's
  ``gritwit_isolation`` asks for ``repeatable-read`` or ``serializable``; every
  connection runs every transaction at that level.  Above ``READ COMMITTED`` a writer that
  meets a part's row or the gate updated since its snapshot fails with SQLSTATE
  ``40001``, which the server rolled back: each method that is one whole transaction runs
  again (:mod:`._pg_retry`), so the argument below holds at every level (each writer that
  commits took the row after every earlier holder committed).  A batch's block is the
  caller's, so it is not retried here.
* **Byte order** (ID-005, REF-006).  ``bytea`` compares byte by byte (then by length),
  so ``ORDER BY id`` and ``ORDER BY name`` are byte order without any collation.

The SQL is the subset CockroachDB and YugabyteDB also accept (``docs/guide/postgres.md``).
Connections are pooled as :class:`~gritwit.store.SqliteBackend` pools them.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

import psycopg
import psycopg.sql

from .._ids import ObjectId
from . import (
    _pg_ahead,
    _pg_commit,
    _pg_faults,
    _pg_follow,
    _pg_listen,
    _pg_notes,
    _pg_pages,
    _pg_session,
    _pg_write_sql,
)
from ._backend import CasResult, CasStatus, Version
from ._pg_batch import PostgresBatch, aborted_as_busy
from ._pg_commit import Swap
from ._pg_pages import Start
from ._pg_retry import retried, retries, retrying
from ._pg_schema import TABLES, number_erasures, open_tables
from ._pg_session import CONNECT_TIMEOUT, NoSchema, NoStore, create_schema
from ._pg_session import show as _show  # noqa: F401 - tests read it here
from ._store_options import bounded_write, split_options

__all__ = [
    "CONNECT_TIMEOUT",
    "JOURNAL_KEPT",
    "JOURNAL_PRUNE_EVERY",
    "NoSchema",
    "NoStore",
    "PostgresBackend",
    "PostgresBatch",
    "create_schema",
]

#: Most digests a backend remembers as held (:meth:`PostgresBackend.contains`): about
#: 100 bytes each, so at most about 20 MB.
HELD_KEPT = 200_000
#: Swaps the journal keeps at least (:meth:`PostgresBackend.refs_changed_since`): the rows
#: numbered above the newest's version minus this are always there.
JOURNAL_KEPT = 8192
#: A part's journal is pruned by the write after one that reached a multiple of this
#: (:func:`._pg_commit.due`): at most ``JOURNAL_KEPT + JOURNAL_PRUNE_EVERY`` rows stay.
JOURNAL_PRUNE_EVERY = 512
#: A ref's target (``NULL``: unset) and the count of erasures, in one snapshot.
_GET_REF: Final = (
    "SELECT (SELECT target FROM refs WHERE name = %b),"
    " (SELECT commits FROM gritwit_writer WHERE id = 3)"
)
#: Refs of many names at once (``NULL`` name: none of them is set), and the count of
#: erasures, in one snapshot.
_GET_REFS: Final = (
    "SELECT r.name, r.target, e.commits FROM (SELECT commits FROM gritwit_writer WHERE id = 3)"
    " AS e LEFT JOIN refs AS r ON r.name = ANY(%(names)s::bytea[])"
)
#: Most names one statement of :meth:`PostgresBackend.get_refs` asks for.
_REFS_PAGE: Final = 1000
#: Counts an erasure, in the erasing transaction.
_ERASED: Final = "UPDATE gritwit_writer SET commits = commits + 1 WHERE id = 3 RETURNING commits"


class PostgresBackend:
    """Objects and refs in the PostgreSQL database ``conninfo`` names (durable, shared)."""

    __slots__ = (
        "_ahead",
        "_channel",
        "_closed",
        "_conninfo",
        "_erasures",
        "_follow",
        "_guard",
        "_held",
        "_idle",
        "_listener",
        "_noting",
        "options",
    )

    def __init__(self, conninfo: str, *, create: bool = True) -> None:
        """Connect to ``conninfo`` (a libpq URL or ``key=value`` string; a URL may carry
        the store options of :mod:`._store_options`) and, with ``create``, make the
        tables where they are missing (:func:`._pg_schema.open_tables`)."""
        self._conninfo, self.options = split_options(conninfo)
        self._guard = threading.Lock()
        self._idle: list[psycopg.Connection] = []
        self._closed = False
        self._erasures: int | None = None
        #: Digests this process knows the store holds (:meth:`_hold`).
        self._held: set[bytes] = set()
        #: Steps and mailboxes the last journal read brought along (:mod:`._pg_ahead`).
        self._ahead = _pg_ahead.ReadAhead()
        #: The journal read the next write carries along (RUN-020.7, :mod:`._pg_follow`).
        self._follow = _pg_follow.Follow(self._ahead, self._saw_erasures)
        #: What the next write of each thread notes (:mod:`._pg_notes`).
        self._noting = _pg_notes.Noting()
        #: The store's wake-up channel (RUN-020.6), ``None`` where the engine has none.
        self._channel: str | None = None
        #: Listens on it from the first :meth:`wait_for_swaps` on (set once it is known).
        self._listener = _pg_listen.Listener(self._connect, None)
        conn = self._connect()
        try:
            _pg_session.check_schema(conn)  # NoSchema: nowhere for the tables (DUR-005)
            if not open_tables(conn, create=create):
                raise NoStore(
                    f"no gritwit store (tables {', '.join(TABLES)}) in {_pg_session.where(conn)}"
                )
            number_erasures(conn)  # a store made before the erasure row gets it
            _pg_session.warn_unsettled(conn)  # not silently (DUR-006.5)
            self._channel = _pg_session.channel(conn)
            self._listener = _pg_listen.Listener(self._connect, self._channel)
        except BaseException:
            conn.close()
            raise
        self._idle.append(conn)

    # --- connections and transactions ----------------------------------------------------

    def _connect(self) -> psycopg.Connection:
        """A new connection with the store's session settings (:func:`._pg_session.connect`)."""
        return _pg_session.connect(self._conninfo, self.options.isolation_sql)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        with self._guard:
            if self._closed:
                raise ValueError("the store is closed")
            conn = self._idle.pop() if self._idle else None
        if conn is not None and _pg_faults.stale(conn):  # closed by the server meanwhile
            conn.close()
            conn = None
        if conn is None:
            conn = self._connect()
        try:
            with _pg_faults.reading():  # a write's loss is outcome-unknown already (_write)
                yield conn
        finally:
            with self._guard:
                if self._closed or conn.broken:
                    conn.close()
                else:
                    self._idle.append(conn)

    @contextlib.contextmanager
    def _write(self) -> Iterator[psycopg.Connection]:
        """A connection in one write transaction that holds the gate alone (DUR-003, DUR-005.5)."""
        stack, conn = retrying(self._begin_write)  # the gate, or store-busy (DUR-007.2)
        with stack:
            yield conn

    def _begin_write(self) -> tuple[contextlib.ExitStack[bool | None], psycopg.Connection]:
        """Begin a write transaction and take the gate alone, as one attempt: at
        ``REPEATABLE READ`` and ``SERIALIZABLE`` a writer that waited for the row meets
        the previous holder's update as a serialization failure before any of the
        caller's statements ran, so the attempt is made again whole (DUR-007.2)."""
        stack = contextlib.ExitStack()
        try:
            conn = stack.enter_context(self._connection())
            stack.enter_context(_pg_faults.writing())
            stack.enter_context(conn.transaction())
            # a loss from here on: outcome-unknown (DUR-006.2)
            conn.execute(_pg_write_sql.TAKE_WRITER)
        except BaseException:
            stack.__exit__(*sys.exc_info())  # rolled back as the error leaves, not committed
            raise
        return stack, conn

    # --- objects -------------------------------------------------------------------------

    #: Its writes report which objects the store did not hold (``fresh``, RUN-022.1).
    reports_fresh: Final = True
    #: Each call is a round trip to a server: callers read many things at once where
    #: they can (:meth:`get_refs`, :meth:`read_pages`; DUR-005.4).
    remote: Final = True

    def insert(self, oid: ObjectId, data: bytes) -> None:
        """Store ``data`` under ``oid``: one statement, one round trip (DUR-005.4)."""
        self.insert_many([(oid, data)])

    @retried
    def insert_many(
        self, items: Iterable[tuple[ObjectId, bytes]], fresh: set[bytes] | None = None
    ) -> None:
        """:meth:`insert` of each item, all in one statement: one sync for all (DUR-001);
        adds to ``fresh`` the digests of those the store did not hold (RUN-022.1)."""
        rows, _ = bounded_write(self.options.max_write_bytes, items)
        with self._connection() as conn, _pg_faults.writing():
            _, added = _pg_commit.run(conn, rows, [], journal=_kept(), notify=self._channel)
        self._stored(rows, added, fresh)

    @retried
    def read(self, oid: ObjectId) -> bytes | None:
        """Exactly the bytes inserted under ``oid``, or ``None`` (STO-003.1)."""
        with self._connection() as conn:
            row = conn.execute("SELECT data FROM objects WHERE id = %b", (oid.digest,)).fetchone()
        return None if row is None else bytes(row[0])

    @retried
    def contains(self, oid: ObjectId) -> bool:
        """Whether ``oid`` has bytes or a tombstone (STO-005.1, RUN-011); known without a
        read for an object this process stored or found held before."""
        if oid.digest in self._held:
            return True
        with self._connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM objects WHERE id = %(id)b"
                " UNION ALL SELECT 1 FROM tombstones WHERE id = %(id)b",
                {"id": oid.digest},
            ).fetchone()
        if row is not None:
            self._hold((oid.digest,))
        return row is not None

    @retried
    def contains_many(self, digests: Iterable[bytes]) -> set[bytes]:
        """The digests of ``digests`` with bytes or a tombstone (RUN-022.1), in one read."""
        held = self._held
        known: set[bytes] = set()
        wanted: list[bytes] = []
        for digest in dict.fromkeys(digests):
            (known.add if digest in held else wanted.append)(digest)
        if not wanted:
            return known
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT id FROM objects WHERE id = ANY(%(ids)b)"
                " UNION SELECT id FROM tombstones WHERE id = ANY(%(ids)b)",
                {"ids": wanted},
            ).fetchall()
        found = {bytes(row[0]) for row in rows}
        self._hold(found)
        return found | known

    @retried
    def erase(self, oid: ObjectId, reason: str) -> bool:
        """Drop ``oid``'s bytes and keep a tombstone (RUN-011.2), and count the erasure in
        the erasure row (``gritwit_writer`` row 3, :meth:`erasures`)."""
        count = None
        with self._write() as conn:
            gone = conn.execute("DELETE FROM objects WHERE id = %b", (oid.digest,)).rowcount
            if gone:
                conn.execute(
                    "INSERT INTO tombstones (id, reason) VALUES (%b, %b)"
                    " ON CONFLICT (id) DO NOTHING",
                    # UTF-8 as bytea: text cannot hold U+0000, which a reason may (RUN-011)
                    (oid.digest, reason.encode("utf-8", "surrogatepass")),
                )
                row = conn.execute(_ERASED).fetchone()
                count = None if row is None else int(row[0])
        if count is not None:
            self._saw_erasures(count)
        return bool(gone)

    def erasures(self) -> int | None:
        """The store's count of erasures as this process last read it, with the last
        :meth:`get_ref` or its own :meth:`erase` (``None``: not read yet), without a read.

        A reader that learned an object was not erased while the count was ``n`` knows it
        still is not while the count is ``n`` (RUN-011.3, DUR-005.4): the runtime reads a
        head before each transition (RUN-020.2), so what its transitions read of cached
        blobs is checked against every erasure that returned before the head was read.
        """
        return self._erasures

    def _saw_erasures(self, count: int) -> None:
        with self._guard:
            if self._erasures is None or count > self._erasures:
                self._erasures = count

    @retried
    def tombstone(self, oid: ObjectId) -> str | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT reason FROM tombstones WHERE id = %b", (oid.digest,)
            ).fetchone()
        return None if row is None else bytes(row[0]).decode("utf-8", "surrogatepass")

    # --- refs ----------------------------------------------------------------------------

    @retried
    def get_ref(self, name: str) -> ObjectId | None:
        """The target of ref ``name``, or ``None`` when it is not set (REF-005); the same
        statement reads the store's count of erasures (:meth:`erasures`)."""
        with self._connection() as conn:
            row = conn.execute(_GET_REF, (name.encode(),)).fetchone()
        if row is None:
            return None
        target, erased = row
        if erased is not None:
            self._saw_erasures(int(erased))
        return None if target is None else ObjectId(bytes(target))

    @retried
    def get_refs(self, names: Sequence[str]) -> dict[str, ObjectId]:
        """The targets of the refs of ``names`` that are set, in one statement (pages of
        :data:`_REFS_PAGE`), with the store's count of erasures (:meth:`erasures`)."""
        found: dict[str, ObjectId] = {}
        for start in range(0, len(names), _REFS_PAGE):
            page = [name.encode() for name in names[start : start + _REFS_PAGE]]
            with self._connection() as conn:
                rows = conn.execute(_GET_REFS, {"names": page}).fetchall()
            for name, target, erased in rows:
                if erased is not None:
                    self._saw_erasures(int(erased))
                if name is not None:
                    found[bytes(name).decode()] = ObjectId(bytes(target))
        return found

    @retried
    def refs_changed_since(
        self, version: Version | None, parts: frozenset[int] | None = None
    ) -> tuple[Version, list[tuple[str, ObjectId | None]] | None]:
        """The ref version now, and the swaps after ``version`` (``None``: unknown), of
        ``parts`` (``None``: every part): :func:`._pg_follow.changes_since`, and the count of
        erasures it read (:meth:`erasures`, RUN-011.3); a first read of some parts sets
        every flag and lists (:meth:`._pg_notes.Noting.since`, DUR-005.5).  Run again on
        a serialization failure (DUR-007.2: a read-only transaction can be canceled)."""
        mine = _pg_notes.ALL_PARTS if parts is None else frozenset(parts)
        with self._connection() as conn:  # by parts: the flags first (DUR-005.5)
            since = self._noting.since(conn, version, mine)
            answer, erased = _pg_follow.changes_since(conn, since, self._ahead, JOURNAL_KEPT, mine)
        self._noting.listed(mine)
        self._saw_erasures(erased)
        return answer

    def follow(
        self, version: Version | None, erased: int | None, parts: frozenset[int] | None = None
    ) -> None:
        """This thread's next write reads the journal after ``version`` along, of ``parts``
        (``None``: every part), refused when the count of erasures is not ``erased``
        (RUN-020.7, RUN-011.3, :mod:`._pg_follow`)."""
        mine = _pg_notes.ALL_PARTS if parts is None else parts
        if mine != _pg_notes.ALL_PARTS and not self._noting.joined:
            self.read_by_parts(unread=True)  # no read along: one after the flags (DUR-005.5)
        self._follow.ask(None if self._noting.unread else version, erased, mine)

    @retried
    def read_by_parts(self, *, unread: bool = False) -> None:
        """Every part's writers journal their notes from now on (DUR-005.5), once."""
        with self._connection() as conn:
            self._noting.since(conn, None, frozenset(), unread=unread)

    def note(self, said: _pg_notes.Said) -> None:
        """What this thread's next write notes (:meth:`._pg_notes.Noting.say`)."""
        self._noting.say(said)

    def followed(self) -> _pg_follow.Answer | None:
        """The journal read the last write carried along (``None``: none), taken."""
        return self._follow.answer()

    @retried
    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """The swap in one statement, atomic for every writer (DUR-003, DUR-005.4)."""
        with self._connection() as conn, _pg_faults.writing():
            swaps, said = [(name, expected, new)], self._noting.take()
            result = _pg_commit.run(
                conn, [], swaps, journal=_kept(), notify=self._channel, notes=said
            )[0][0]
        if new is not None and result.status is CasStatus.SWAPPED:
            self._ahead.made((new.digest,))
        return result

    @retried
    def insert_many_then_cas(
        self,
        items: Iterable[tuple[ObjectId, bytes]],
        name: str,
        expected: ObjectId | None,
        new: ObjectId | None,
        fresh: set[bytes] | None = None,
        wake: bool = True,
    ) -> CasResult:
        """:meth:`insert_many`, then :meth:`cas_ref`, in one statement: one sync, one round
        trip (RUN-001, DUR-005.4); ``fresh`` as :meth:`insert_many`'s.  ``wake``: whether
        the swap wakes runtimes waiting on the store's channel (RUN-020.6)."""
        rows, _ = bounded_write(self.options.max_write_bytes, items)
        swaps, notify = [(name, expected, new)], self._channel if wake else None
        with self._connection() as conn, _pg_faults.writing():
            results, added = self._follow.run(
                conn, rows, swaps, journal=_kept(), notify=notify, notes=self._noting.take()
            )
        self._stored(rows, added, fresh)
        if new is not None and results[0].status is CasStatus.SWAPPED:
            self._ahead.made((new.digest,))
        return results[0]

    @retried
    def commit_all(
        self,
        items: Iterable[tuple[ObjectId, bytes]],
        swaps: Sequence[Swap],
        fresh: set[bytes] | None = None,
        wake: bool = True,
    ) -> bool:
        """Insert ``items`` and make every swap of ``swaps`` (distinct refs), all in one
        statement, or nothing: ``False`` when any swap would not happen, and nothing of
        it is kept (RUN-017.2, DUR-005.4).  The caller then commits a swap at a time.
        ``fresh`` as :meth:`insert_many`'s, when it made them; ``wake`` as
        :meth:`insert_many_then_cas`'s."""
        rows, _ = bounded_write(self.options.max_write_bytes, items)
        notify = self._channel if wake else None
        with self._connection() as conn, _pg_faults.writing():
            try:
                _, added = self._follow.run(
                    conn,
                    rows,
                    swaps,
                    journal=_kept(),
                    whole=True,
                    notify=notify,
                    notes=self._noting.take(),
                )
            except _pg_commit.SwapsLost:
                return False
        self._stored(rows, added, fresh)
        self._ahead.made(new.digest for _, _, new in swaps if new is not None)
        return True

    def _stored(
        self, rows: list[tuple[ObjectId, bytes]], added: set[bytes], fresh: set[bytes] | None
    ) -> None:
        """After a commit: ``rows`` are held (RUN-022.1); ``added`` of them were new."""
        self._hold(oid.digest for oid, _ in rows)
        if fresh is not None:
            fresh |= added

    def _hold(self, digests: Iterable[bytes]) -> None:
        """Remember that the store holds ``digests`` (bytes or a tombstone): objects are
        never dropped, an erased one keeps its tombstone, so the answer stays true; at
        most :data:`HELD_KEPT` digests, all forgotten at once past it."""
        with self._guard:
            held = self._held
            held.update(digests)
            if len(held) > HELD_KEPT:
                held.clear()

    @contextlib.contextmanager
    def batch(self) -> Iterator[PostgresBatch]:
        """Many inserts and swaps in one write transaction: one sync for all (RUN-017).

        The gate is taken alone when the block starts (DUR-003) and the transaction
        commits when it ends, so a crash leaves every write of the block or none
        (DUR-002); if the block raises, nothing of it is kept.  The swaps are journaled
        together just before the commit, in their order: one statement, not one each.
        """
        with aborted_as_busy(), self._write() as conn:  # DUR-007.3: not run again
            self._follow.check(conn)  # a group commit's, guarded (RUN-011.3, RUN-020.7)
            batch = PostgresBatch(conn, self.options.max_write_bytes)
            yield batch
            _pg_commit.journal_swaps(conn, batch.swapped, _kept(), self._noting.take())
        self._ahead.made(new for _, new in batch.swapped if new is not None)
        if batch.swapped and self._channel is not None:
            with self._connection() as conn, conn.pipeline():
                _pg_commit.wake(conn, self._channel)

    @retried
    def list_refs(self, prefix: str) -> list[tuple[str, ObjectId]]:
        """Refs whose name starts with ``prefix``, in bytewise name order (REF-006).

        Names are ASCII (REF-001), so those starting with ``prefix`` are exactly those
        from ``prefix`` up to ``prefix`` followed by byte 0xff.  One statement, so one
        snapshot: every ref as the last commit before it left them (RUN-003.1).
        """
        low = prefix.encode()
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT name, target FROM refs WHERE name >= %b AND name < %b ORDER BY name",
                (low, low + b"\xff"),
            ).fetchall()
        found = [(bytes(name).decode(), ObjectId(bytes(target))) for name, target in rows]
        return [(name, target) for name, target in found if name.startswith(prefix)]

    # --- administration ------------------------------------------------------------------

    def settings(self) -> dict[str, str | int]:
        """The server settings durability depends on (DUR-004), the isolation level asked
        for (``isolation``) and the server's (``transaction_isolation``, DUR-007), the
        write commits so far and this process's retries by SQLSTATE (``retries_40001``,
        ``retries_40P01``).  A setting the server does not have (CockroachDB has no
        ``fsync``) is ``"unknown"``."""
        with self._connection() as conn:
            shown = _pg_session.settings(conn)
        taken = {f"retries_{state}": n for state, n in retries().items()}
        return {**shown, "isolation": self.options.isolation, **taken}

    @staticmethod
    def retries() -> dict[str, int]:
        """Transactions run again in this process so far, by SQLSTATE (DUR-007.2)."""
        return retries()

    def flip_a_bit(self, oid: ObjectId) -> bool:
        """Test hook (the adapter's ``store-corrupt``, ADP-010.5): flip one bit of the bytes
        stored under ``oid`` in place, behind the store's checks; whether there were any."""
        with self._write() as conn:
            row = conn.execute("SELECT data FROM objects WHERE id = %b", (oid.digest,)).fetchone()
            if row is None:
                return False
            data = bytearray(row[0])
            data[len(data) // 2] ^= 0x01
            conn.execute("UPDATE objects SET data = %b WHERE id = %b", (bytes(data), oid.digest))
        return True

    def ids(self) -> Iterator[ObjectId]:
        """Every stored id in byte order (ID-005), in keyset pages (:func:`._pg_pages.ids`)."""
        return _pg_pages.ids(self._connection)

    def read_pages(self, oids: Iterable[ObjectId]) -> Iterator[dict[ObjectId, bytes]]:
        """The bytes stored under each of ``oids``, absent ones omitted (STO-003.1), a page
        at a time (:func:`._pg_pages.read_pages`), those the journal read brought first."""
        return _pg_pages.read_pages(self._connection, self._ahead, oids)

    def read_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, bytes]:
        """The bytes stored under each of ``oids``, absent ones omitted (STO-003.1)."""
        found: dict[ObjectId, bytes] = {}
        for page in self.read_pages(oids):
            found.update(page)
        return found

    def starts(self, digests: list[bytes], prefix: int, whole: int) -> dict[bytes, Start]:
        """Lengths and (first) bytes for a core's read-ahead (:func:`._pg_pages.starts`)."""
        return _pg_pages.starts(self._connection, digests, prefix, whole)

    def tombstones_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, str]:
        """Why each erased id of ``oids`` was erased (RUN-011), others omitted, in pages."""
        return _pg_pages.tombstones_many(self._connection, oids)

    def step_times(self, oids: Iterable[ObjectId]) -> dict[ObjectId, float]:
        """Each step time recorded (RUN-027.1), :func:`._pg_pages.step_times`."""
        return _pg_pages.step_times(self._connection, oids)

    def wait_for_swaps(self, timeout: float, gather: float = 0.0) -> bool:
        """Wait at most ``timeout`` seconds for a notification of a writer's swap (RUN-020.6),
        then ``gather`` seconds for more (RUN-020.8): ``True`` when one came (or had come
        since the last wait), ``False`` at the timeout (:class:`._pg_listen.Listener`)."""
        return self._listener.wait(timeout, gather)

    def close(self) -> None:
        with self._guard:
            self._closed = True
            idle, self._idle = self._idle, []
        self._listener.close()
        for conn in idle:
            conn.close()


def _kept() -> tuple[int, int]:
    """:data:`JOURNAL_KEPT` and :data:`JOURNAL_PRUNE_EVERY` as they are now (tests lower them)."""
    return JOURNAL_KEPT, JOURNAL_PRUNE_EVERY

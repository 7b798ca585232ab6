"""A PostgreSQL store's batch: inserts and swaps in one write transaction (RUN-017, DUR-003).

:class:`PostgresBatch` runs inside the transaction :meth:`PostgresBackend.batch
<gritwit.store.PostgresBackend.batch>` opened, which holds the gate alone; each swap is a
compare-and-swap of its own (:func:`swap`), journaled with the others before the commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import psycopg

from .._ids import ObjectId
from . import _pg_commit
from ._backend import BatchAborted, CasResult, CasStatus
from ._pg_retry import RETRIED
from ._store_options import bounded_write

__all__ = ["PostgresBatch", "aborted_as_busy", "swap"]


@contextlib.contextmanager
def aborted_as_busy() -> Iterator[None]:
    """A batch's transaction that the server aborted for a serialization failure or a
    deadlock (``40001``, ``40P01``), in its block or at its ``COMMIT``, fails as
    ``store-busy`` (DUR-007.3): the server rolled it back, so nothing of it was kept, and
    its body is the caller's, which the store cannot run again itself (DUR-007.2).  The
    caller runs it again as a new write: a runtime's group commit loses its members and
    builds them again (RUN-017.4).  At ``SERIALIZABLE`` the server may decide a
    serialization failure at ``COMMIT`` itself, where no retry of a statement reaches."""
    try:
        yield
    except tuple(RETRIED.values()) as aborted:
        raise BatchAborted(
            "DUR-007.3",
            f"a batch's transaction was aborted with SQLSTATE {aborted.sqlstate or '40001'}"
            " in its block or at its COMMIT; nothing of it was kept",
        ) from aborted


class PostgresBatch:
    """The writes of :meth:`PostgresBackend.batch`, on its connection, inside its transaction."""

    __slots__ = ("_conn", "_held", "_limit", "swapped")

    def __init__(self, conn: psycopg.Connection, limit: int | None = None) -> None:
        self._conn = conn
        #: The object bytes the batch may hold (DUR-008), and holds so far.
        self._limit, self._held = limit, 0
        #: The swaps made so far, in order, to journal when the block ends.
        self.swapped: list[tuple[bytes, bytes | None]] = []

    def insert_many(
        self, items: Iterable[tuple[ObjectId, bytes]], fresh: set[bytes] | None = None
    ) -> None:
        """Insert objects; erased ids stay erased (RUN-011), corrupt copies are mended;
        adds to ``fresh`` the digests of those the store did not hold (RUN-022.1).  Past
        the store's bound (DUR-008) nothing more is sent and the batch fails whole."""
        listed, self._held = bounded_write(self._limit, items, self._held)
        added = _pg_commit.insert(self._conn, listed)
        if fresh is not None:
            fresh |= added

    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """The compare-and-swap of ``name``; it sees this batch's earlier inserts and swaps."""
        result = swap(self._conn, name, expected, new)
        if result.status is CasStatus.SWAPPED:
            self.swapped.append((name.encode(), None if new is None else new.digest))
        return result


def swap(
    conn: psycopg.Connection, name: str, expected: ObjectId | None, new: ObjectId | None
) -> CasResult:
    """The compare-and-swap of ``name``, inside the caller's write transaction.

    A missing target fails (REF-003.1); a ref holding ``expected`` becomes ``new``
    (REF-004.2); any other value is a conflict and nothing changes (REF-004.3).  The
    write is conditional on the value compared, so its row count says whether it
    swapped; a conflict reports the value the ref holds when the statement ran.
    """
    key = name.encode()
    row = conn.execute("SELECT target FROM refs WHERE name = %b FOR UPDATE", (key,)).fetchone()
    current = None if row is None else ObjectId(bytes(row[0]))
    if new is not None:
        present = conn.execute("SELECT 1 FROM objects WHERE id = %b", (new.digest,)).fetchone()
        if present is None:
            return CasResult(CasStatus.MISSING_TARGET, current)
    if current != expected:
        return CasResult(CasStatus.CONFLICT, current)
    params: tuple[bytes, ...]
    if new is not None and expected is not None:
        sql, params = "UPDATE refs SET target = %b WHERE name = %b AND target = %b", (
            new.digest, key, expected.digest)  # fmt: skip
    elif new is not None:  # not set yet: another writer's row would make it a conflict
        sql, params = "INSERT INTO refs VALUES (%b, %b) ON CONFLICT (name) DO NOTHING", (
            key, new.digest)  # fmt: skip
    elif expected is not None:
        sql, params = "DELETE FROM refs WHERE name = %b AND target = %b", (key, expected.digest)
    else:  # unset stays unset: nothing to write (the journal has a row all the same)
        return CasResult(CasStatus.SWAPPED, None)
    swapped = conn.execute(sql, params).rowcount
    if swapped != 1:  # another writer got in first (only without the gate alone)
        row = conn.execute("SELECT target FROM refs WHERE name = %b", (key,)).fetchone()
        return CasResult(CasStatus.CONFLICT, None if row is None else ObjectId(bytes(row[0])))
    return CasResult(CasStatus.SWAPPED, new)

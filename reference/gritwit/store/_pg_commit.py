"""A PostgreSQL write as one statement: one round trip to the server (DUR-005.4).

Every write of :class:`~gritwit.store.PostgresBackend` but erasure is a set of
objects to insert and a list of compare-and-swaps of distinct refs.  This module
builds that write as **one** SQL statement of data-modifying common table
expressions, sent on a connection in autocommit mode, so the server runs it as one
transaction: the statement is the ``BEGIN``, the writes and the ``COMMIT`` at once,
and a client pays one round trip for a commit, not one per statement.

* **Objects** come as two arrays (``unnest``) and are inserted unless their id is
  erased (RUN-011); a stored corrupt copy is mended (STO-002.3), equal bytes stay
  (STO-002.2).
* **Swaps** come as three arrays: name, expected target, new target (``NULL``: unset
  or delete), numbered in their order.  A swap's new target must be stored: already
  (``objects``) or by this statement, and not erased (REF-003).  Each is
  conditional on the value compared (an ``UPDATE … WHERE target = expected``, an
  ``INSERT … ON CONFLICT DO NOTHING``, a ``DELETE … WHERE target = expected``), so
  it is a compare-and-swap for every concurrent writer (DUR-003): under
  ``READ COMMITTED`` a row another writer changed meanwhile is compared again in its
  newest version once its lock is free; under ``REPEATABLE READ`` or
  ``SERIALIZABLE`` the server answers such a race with a serialization failure, and
  the whole statement, which the server rolled back, is run again.
* **The writer row first.**  The statement takes the writer row (``gritwit_writer``
  row 1, ``commits = commits + 1``) before it writes any object or ref: every
  object and swap joins the row's ``RETURNING``, so writers take the one row first
  and two statements never wait for each other's refs or objects (a unique id two of
  them insert) in opposite orders.
* **The journal of swaps** (RUN-003.1) is numbered from the journal row
  (``gritwit_writer`` row 2, whose ``commits`` counts the swaps journaled), which
  the statement raises by the number of swaps made.  Only the holder of the writer
  row updates it, so it waits for no one; under ``READ COMMITTED`` the ``UPDATE``
  reads the row as the previous holder committed it (PostgreSQL re-reads an updated
  row's newest version; at stricter levels the race is a serialization failure), so
  versions follow commit order without gaps: the argument of :mod:`._postgres`'s
  module holds as it did when each writer numbered its rows after ``max(version)``
  in a later statement.
* **All or nothing** (``whole=True``): when any swap would not happen the statement
  fails (:data:`LOST`) and the server keeps nothing of it; the caller falls back to a
  swap at a time (RUN-017.4 decides which members are lost).

Erasure (RUN-011) and the test hook that flips a bit keep their own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import psycopg

from .._ids import ObjectId
from ._backend import CasResult, CasStatus

__all__ = ["LOST", "Swap", "SwapsLost", "insert", "run"]

#: The text a whole write fails with when a swap would not happen: the statement casts
#: it to an integer, so the server raises ``invalid_text_representation`` and rolls
#: back everything the statement did.
LOST: Final = "gritwit: a swap of this commit would not happen"

#: A compare-and-swap: the ref's name, the target expected (``None``: unset) and the new
#: target (``None``: delete).
Swap = tuple[str, ObjectId | None, ObjectId | None]

#: Objects (``o``), the digests of those the store did not hold (``fresh``, RUN-022.1),
#: and their insert (``put``) unless erased (RUN-011), a corrupt copy mended (STO-002.3),
#: from ``{source}``: ``o`` alone, or ``o, lock`` to take the writer row first.
_FRESH_PUT: Final = """
o AS (SELECT * FROM unnest(%(oid)s::bytea[], %(odata)s::bytea[]) AS o (id, data)),
fresh AS (
  SELECT o.id FROM o
  WHERE NOT EXISTS (SELECT 1 FROM objects x WHERE x.id = o.id)
    AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id)),
put AS (
  INSERT INTO objects (id, data)
  SELECT o.id, o.data FROM {source}
  WHERE NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id)
  ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE objects.data <> excluded.data
  RETURNING objects.id)"""
#: The writer row taken, then the objects (:data:`_STATEMENT`'s first part).
_OBJECTS: Final = (
    "\nlock AS (UPDATE gritwit_writer SET commits = commits + 1 WHERE id = 1 RETURNING commits),"
    + _FRESH_PUT.format(source="o, lock")
)
#: Objects only: the writer row (a write commit counted) and the inserts.
_PUT: Final = "WITH" + _OBJECTS + "\nSELECT (SELECT array_agg(id) FROM fresh) FROM lock"
#: Objects and swaps, each of a ref that is set or to be set (a swap from unset to unset
#: takes :func:`_swap_unset`'s way); with ``whole``, all of them or none.
_STATEMENT: Final = (
    "WITH"
    + _OBJECTS
    + """,
w AS (SELECT * FROM unnest(%(name)s::bytea[], %(old)s::bytea[], %(new)s::bytea[])
      WITH ORDINALITY AS w (name, old, new, n)),
ok AS (
  SELECT w.* FROM w, lock
  WHERE w.new IS NULL
     OR (NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = w.new)
         AND (EXISTS (SELECT 1 FROM objects x WHERE x.id = w.new)
              OR EXISTS (SELECT 1 FROM o WHERE o.id = w.new)))),
upd AS (
  UPDATE refs SET target = ok.new FROM ok
  WHERE refs.name = ok.name AND ok.old IS NOT NULL AND ok.new IS NOT NULL
    AND refs.target = ok.old
  RETURNING refs.name),
ins AS (
  INSERT INTO refs (name, target)
  SELECT ok.name, ok.new FROM ok WHERE ok.old IS NULL
  ON CONFLICT (name) DO NOTHING
  RETURNING refs.name),
del AS (
  DELETE FROM refs USING ok
  WHERE refs.name = ok.name AND ok.new IS NULL AND refs.target = ok.old
  RETURNING refs.name),
done AS (SELECT name FROM upd UNION ALL SELECT name FROM ins UNION ALL SELECT name FROM del),
writer AS (
  UPDATE gritwit_writer SET commits = commits + (SELECT count(*) FROM done)
  WHERE id = 2 AND EXISTS (SELECT 1 FROM done)
  RETURNING commits AS version, (SELECT count(*) FROM done) AS made),
journal AS (
  INSERT INTO ref_journal (version, name, target)
  SELECT writer.version - writer.made + w.n, w.name, w.new
  FROM w, writer WHERE w.name IN (SELECT name FROM done)),
pruned AS (
  DELETE FROM ref_journal
  WHERE version <= (SELECT version FROM writer) - %(kept)s
    AND (SELECT version / %(every)s <> (version - made) / %(every)s FROM writer))
SELECT w.name IN (SELECT name FROM done), w.name IN (SELECT name FROM ok), r.target,
       CAST(CASE WHEN %(whole)s AND (SELECT count(*) FROM done) <> (SELECT count(*) FROM w)
            THEN %(lost)s ELSE '0' END AS INT),
       (SELECT array_agg(id) FROM fresh)
FROM w LEFT JOIN refs r ON r.name = w.name
ORDER BY w.n"""
)


#: One swap inside a transaction that holds the writer row, after its objects' insert
#: (:func:`_swap_one`): ``{change}`` is the ``UPDATE``, ``INSERT`` or ``DELETE`` of the ref,
#: conditional on ``ok``; a swap made is journaled from the journal row (row 2); the
#: answer: swapped, target present, the ref's value before, and (``whole``) a failure
#: when it did not swap.
_SWAP_ONE: Final = """
WITH
ok AS (SELECT %(new)s::bytea IS NULL
         OR (NOT EXISTS (SELECT 1 FROM tombstones WHERE id = %(new)s::bytea)
             AND EXISTS (SELECT 1 FROM objects WHERE id = %(new)s::bytea)) AS present),
s AS ({change} RETURNING 1),
v AS (UPDATE gritwit_writer SET commits = commits + 1
      WHERE id = 2 AND EXISTS (SELECT 1 FROM s) RETURNING commits),
j AS (INSERT INTO ref_journal (version, name, target) SELECT commits, %(name)s, %(new)s FROM v),
p AS (DELETE FROM ref_journal
      WHERE version <= (SELECT commits FROM v) - %(kept)s
        AND (SELECT commits %% %(every)s = 0 FROM v))
SELECT EXISTS (SELECT 1 FROM s), (SELECT present FROM ok),
       (SELECT target FROM refs WHERE name = %(name)s),
       CAST(CASE WHEN %(whole)s AND NOT EXISTS (SELECT 1 FROM s) THEN %(lost)s ELSE '0' END AS INT)
"""
_CHANGE: Final = {
    "update": "UPDATE refs SET target = %(new)s WHERE name = %(name)s AND target = %(old)s"
    " AND (SELECT present FROM ok)",
    "insert": "INSERT INTO refs (name, target) SELECT %(name)s, %(new)s"
    " WHERE (SELECT present FROM ok) ON CONFLICT (name) DO NOTHING",
    "delete": "DELETE FROM refs WHERE name = %(name)s AND target = %(old)s",
}
#: Takes the writer row for the transaction (held to its end).
_TAKE: Final = "UPDATE gritwit_writer SET commits = commits + 1 WHERE id = 1"


#: Objects inserted inside a transaction that holds the writer row (a batch): the
#: digests of those the store did not hold before (RUN-022.1).
_INSERT: Final = "WITH" + _FRESH_PUT.format(source="o") + "\nSELECT array_agg(id) FROM fresh"


def insert(conn: psycopg.Connection, objects: Sequence[tuple[ObjectId, bytes]]) -> set[bytes]:
    """Insert ``objects`` in one statement inside the caller's transaction (a batch's);
    the digests of those the store did not hold before (RUN-022.1)."""
    unique = {oid.digest: data for oid, data in reversed(objects)}
    if not unique:
        return set()
    params = {"oid": list(unique), "odata": [bytes(data) for data in unique.values()]}
    row = conn.execute(_INSERT, params, binary=True).fetchone()
    return {bytes(digest) for digest in (row[0] if row is not None else None) or ()}


class SwapsLost(Exception):
    """A whole write (``whole=True``) not made: one of its swaps would not happen."""


def run(
    conn: psycopg.Connection,
    objects: Sequence[tuple[ObjectId, bytes]],
    swaps: Sequence[Swap],
    *,
    journal: tuple[int, int],
    whole: bool = False,
) -> tuple[list[CasResult], set[bytes]]:
    """Insert ``objects`` and make ``swaps`` (distinct refs) in one statement on ``conn``,
    in autocommit mode: one transaction, one round trip (DUR-005.4).

    Returns each swap's result in order, and the digests of the objects the store did not
    hold as the statement began (stored or erased: RUN-022.1), which it stored.  A
    swap's result is ``SWAPPED`` (the ref now holds the new target),
    ``MISSING_TARGET`` (REF-003) or ``CONFLICT`` (REF-004.3) with the value the ref held
    as the statement began.  More than one swap needs ``whole``: then it raises
    :class:`SwapsLost` unless every swap happened, and nothing of the statement is
    kept.  ``journal`` is the swaps the journal keeps at least and how often it is
    pruned (:data:`._postgres.JOURNAL_KEPT`, :data:`._postgres.JOURNAL_PRUNE_EVERY`):
    the rows that many swaps older than the newest are dropped when the versions pass a
    multiple of the second.  A swap from unset to unset changes no row and is made by
    :func:`_swap_unset`.
    """
    names = [name.encode() for name, _, _ in swaps]
    if len(set(names)) != len(names) or (len(swaps) > 1 and not whole):
        raise ValueError("one statement swaps refs each at most once, several only whole")
    unique = {oid.digest: data for oid, data in reversed(objects)}  # an id once: its first
    params: dict[str, object] = {
        "oid": list(unique),
        "odata": [bytes(data) for data in unique.values()],
    }
    if not swaps:
        row = conn.execute(_PUT, params, binary=True).fetchone()
        return [], _digests(None if row is None else row[0])
    if any(old is None and new is None for _, old, new in swaps):
        if len(swaps) > 1:
            raise SwapsLost("a whole commit swaps no ref from unset to unset")
        return _swap_unset(conn, list(unique.items()), names[0], journal)
    if len(swaps) == 1:
        return _swap_one(conn, params, names[0], swaps[0], journal=journal, whole=whole)
    params.update(
        name=names,
        old=[None if old is None else old.digest for _, old, _ in swaps],
        new=[None if new is None else new.digest for _, _, new in swaps],
        whole=whole,
        lost=LOST,
        kept=journal[0],
        every=journal[1],
    )
    try:
        rows = conn.execute(_STATEMENT, params, binary=True, prepare=False).fetchall()
    except psycopg.errors.InvalidTextRepresentation as exc:
        if whole and LOST in str(exc):
            raise SwapsLost(str(exc)) from None
        raise
    results = []
    for (_, _, new), (swapped, present, current, _, _) in zip(swaps, rows, strict=True):
        held = None if current is None else ObjectId(bytes(current))
        if swapped:
            results.append(CasResult(CasStatus.SWAPPED, new))
        elif not present:
            results.append(CasResult(CasStatus.MISSING_TARGET, held))
        else:
            results.append(CasResult(CasStatus.CONFLICT, held))
    return results, _digests(rows[0][4])


def _swap_one(
    conn: psycopg.Connection,
    objects: dict[str, object],
    name: bytes,
    swap: Swap,
    *,
    journal: tuple[int, int],
    whole: bool,
) -> tuple[list[CasResult], set[bytes]]:
    """One swap and its objects as a pipeline of small statements in one transaction —
    ``BEGIN``, the writer row, the objects, the swap, ``COMMIT`` — sent at once and
    answered at once: one round trip (DUR-005.4), each statement planned as cheaply as
    a statement of its own (the server plans one large statement for longer than it
    runs it).  With ``whole``, a swap that does not happen fails the transaction and
    nothing of it is kept (:class:`SwapsLost`)."""
    _, old, new = swap
    change = "insert" if old is None else "delete" if new is None else "update"
    params = {
        "name": name,
        "old": None if old is None else old.digest,
        "new": None if new is None else new.digest,
        "whole": whole,
        "lost": LOST,
        "kept": journal[0],
        "every": journal[1],
    }
    try:
        # One Sync, at the end (psycopg's transaction() syncs more).  Nothing is prepared:
        # a statement psycopg prepares in a pipeline that then fails (a serialization
        # failure, a lost swap) is skipped by the server, and psycopg would go on naming a
        # prepared statement the server never made.
        with conn.pipeline():
            conn.execute("BEGIN", prepare=False)
            conn.execute(_TAKE, prepare=False)
            put = (
                conn.execute(_INSERT, objects, binary=True, prepare=False)
                if objects["oid"]
                else None
            )
            answer = conn.execute(
                _SWAP_ONE.format(change=_CHANGE[change]), params, binary=True, prepare=False
            )
            conn.execute("COMMIT", prepare=False)
        row = answer.fetchone()
        fresh = _digests(None if put is None else put.fetchone()[0])  # type: ignore[index]
    except psycopg.Error as exc:
        _end_failed(conn)
        if whole and isinstance(exc, psycopg.errors.InvalidTextRepresentation) and LOST in str(exc):
            raise SwapsLost(str(exc)) from None
        raise
    assert row is not None
    swapped, present, current, _ = row
    held = None if current is None else ObjectId(bytes(current))
    if swapped:
        return [CasResult(CasStatus.SWAPPED, new)], fresh
    if not present:
        return [CasResult(CasStatus.MISSING_TARGET, held)], fresh
    return [CasResult(CasStatus.CONFLICT, held)], fresh


def _end_failed(conn: psycopg.Connection) -> None:
    """After an error in a pipeline's explicit transaction: the server skipped the rest
    (``COMMIT`` too) and keeps the transaction failed until a ``ROLLBACK``, which ends it
    with nothing kept."""
    if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
        conn.execute("ROLLBACK")


def _digests(values: Sequence[bytes] | None) -> set[bytes]:
    return {bytes(digest) for digest in values or ()}


def _swap_unset(
    conn: psycopg.Connection,
    objects: list[tuple[bytes, bytes]],
    name: bytes,
    journal: tuple[int, int],
) -> tuple[list[CasResult], set[bytes]]:
    """A swap from unset to unset (it changes no ref, yet is journaled when the ref is
    unset, REF-004.2), with ``objects``, in one transaction of its own: rare enough to
    take a few round trips."""
    with conn.transaction():
        fresh = _digests(
            conn.execute(
                "WITH" + _OBJECTS + "\nSELECT (SELECT array_agg(id) FROM fresh) FROM lock",
                {"oid": [d for d, _ in objects], "odata": [bytes(b) for _, b in objects]},
                binary=True,
            ).fetchone()[0]  # type: ignore[index]
        )
        row = conn.execute("SELECT target FROM refs WHERE name = %b", (name,)).fetchone()
        if row is not None:
            return [CasResult(CasStatus.CONFLICT, ObjectId(bytes(row[0])))], fresh
        conn.execute(
            "WITH latest AS (UPDATE gritwit_writer SET commits = commits + 1 WHERE id = 2"
            " RETURNING commits) INSERT INTO ref_journal (version, name, target)"
            " SELECT commits, %b, NULL FROM latest",
            (name,),
        )
    return [CasResult(CasStatus.SWAPPED, None)], fresh

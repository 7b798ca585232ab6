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

_STATEMENT: Final = """
WITH
lock AS (UPDATE gritwit_writer SET commits = commits + 1 WHERE id = 1 RETURNING commits),
o AS (SELECT * FROM unnest(%(oid)s::bytea[], %(odata)s::bytea[]) AS o (id, data)),
fresh AS (
  SELECT o.id FROM o
  WHERE NOT EXISTS (SELECT 1 FROM objects x WHERE x.id = o.id)
    AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id)),
put AS (
  INSERT INTO objects (id, data)
  SELECT o.id, o.data FROM o, lock
  WHERE NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id)
  ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE objects.data <> excluded.data
  RETURNING objects.id),
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
  SELECT ok.name, ok.new FROM ok WHERE ok.old IS NULL AND ok.new IS NOT NULL
  ON CONFLICT (name) DO NOTHING
  RETURNING refs.name),
del AS (
  DELETE FROM refs USING ok
  WHERE refs.name = ok.name AND ok.old IS NOT NULL AND ok.new IS NULL
    AND refs.target = ok.old
  RETURNING refs.name),
kept AS (
  SELECT ok.name FROM ok
  WHERE ok.old IS NULL AND ok.new IS NULL
    AND NOT EXISTS (SELECT 1 FROM refs r WHERE r.name = ok.name)),
done AS (
  SELECT w.n, w.name, w.new FROM w
  WHERE w.name IN (SELECT name FROM upd UNION ALL SELECT name FROM ins
                   UNION ALL SELECT name FROM del UNION ALL SELECT name FROM kept)),
writer AS (
  UPDATE gritwit_writer SET commits = commits + (SELECT count(*) FROM done)
  WHERE id = 2 AND EXISTS (SELECT 1 FROM done)
  RETURNING commits AS version, (SELECT count(*) FROM done) AS made),
journal AS (
  INSERT INTO ref_journal (version, name, target)
  SELECT writer.version - writer.made + row_number() OVER (ORDER BY done.n), done.name, done.new
  FROM done, writer),
pruned AS (
  DELETE FROM ref_journal
  WHERE version <= (SELECT version FROM writer) - %(kept)s
    AND (SELECT version / %(every)s <> (version - made) / %(every)s FROM writer))
SELECT w.n, w.n IN (SELECT n FROM done) AS swapped, w.n IN (SELECT n FROM ok) AS present,
       r.target,
       CAST(CASE WHEN %(whole)s AND (SELECT count(*) FROM done) <> (SELECT count(*) FROM w)
            THEN %(lost)s ELSE '0' END AS INT) AS whole,
       (SELECT array_agg(id) FROM fresh) AS fresh
FROM w LEFT JOIN refs r ON r.name = w.name
UNION ALL
SELECT 0, FALSE, FALSE, NULL, 0, (SELECT array_agg(id) FROM fresh)
FROM lock WHERE NOT EXISTS (SELECT 1 FROM w)
ORDER BY 1
"""


#: Objects inserted inside a transaction that holds the writer row (a batch): the
#: digests of those the store did not hold before (RUN-022.1).
_INSERT: Final = """
WITH
o AS (SELECT * FROM unnest(%(oid)s::bytea[], %(odata)s::bytea[]) AS o (id, data)),
fresh AS (
  SELECT o.id FROM o
  WHERE NOT EXISTS (SELECT 1 FROM objects x WHERE x.id = o.id)
    AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id)),
put AS (
  INSERT INTO objects (id, data)
  SELECT o.id, o.data FROM o
  WHERE NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id)
  ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE objects.data <> excluded.data
  RETURNING objects.id)
SELECT array_agg(id) FROM fresh
"""


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
    as the statement began.  With ``whole``, raises :class:`SwapsLost` unless every swap
    happened, and nothing of the statement is kept.  ``journal`` is the swaps the
    journal keeps at least and how often it is pruned (:data:`._postgres.JOURNAL_KEPT`,
    :data:`._postgres.JOURNAL_PRUNE_EVERY`): the rows that many swaps older than the
    newest are dropped when the versions pass a multiple of the second.
    """
    names = [name.encode() for name, _, _ in swaps]
    if len(set(names)) != len(names):
        raise ValueError("one statement swaps each ref at most once")
    unique = {oid.digest: data for oid, data in reversed(objects)}  # an id once: its first
    params = {
        "oid": list(unique),
        "odata": [bytes(data) for data in unique.values()],
        "name": names,
        "old": [None if old is None else old.digest for _, old, _ in swaps],
        "new": [None if new is None else new.digest for _, _, new in swaps],
        "whole": whole,
        "kept": journal[0],
        "every": journal[1],
        "lost": LOST,
    }
    try:
        rows = conn.execute(_STATEMENT, params, binary=True).fetchall()
    except psycopg.errors.InvalidTextRepresentation as exc:
        if whole and LOST in str(exc):
            raise SwapsLost(str(exc)) from None
        raise
    fresh = {bytes(digest) for digest in rows[0][5] or ()} if rows else set()
    results = []
    for (_, _, new), (_, swapped, present, current, _, _) in zip(swaps, rows, strict=False):
        held = None if current is None else ObjectId(bytes(current))
        if swapped:
            results.append(CasResult(CasStatus.SWAPPED, new))
        elif not present:
            results.append(CasResult(CasStatus.MISSING_TARGET, held))
        else:
            results.append(CasResult(CasStatus.CONFLICT, held))
    return results, fresh

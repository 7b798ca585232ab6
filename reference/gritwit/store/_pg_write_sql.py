"""The SQL of a PostgreSQL write (:mod:`._pg_commit`), each statement modifying a table
at most once (DUR-005.6): CockroachDB refuses a statement that modifies one table twice
(SQLSTATE ``0A000`` unless ``sql.multiple_modifications_of_table.enabled``), so a write
that changes a table in several ways sends a statement for each, in one pipeline
(DUR-005.4).  :mod:`._pg_commit` says how the statements make a write; the texts are
here, with psycopg's named placeholders (:class:`._pg_wire.Sql`)."""

from __future__ import annotations

from typing import Final

from ._pg_schema import GATE

__all__ = [
    "CHANGE",
    "GATE_AND_PART",
    "GATE_AND_PARTS",
    "GUARD",
    "INSERT",
    "JOURNAL",
    "SHARE_GATE",
    "STEP_TIMES",
    "SWAP_ONE",
    "TAKE_GATE",
    "TAKE_PART",
    "TAKE_WRITER",
    "WAKE",
    "WHOLE",
    "WHOLE_DELETE",
    "WHOLE_INSERT",
    "WHOLE_JOURNAL",
    "WHOLE_JOURNAL_PLAIN",
    "numbered",
]

#: The gate, shared: every write but erasure and a batch (which take it alone).
SHARE_GATE: Final = f"SELECT 1 FROM gritwit_parts WHERE part = {GATE} FOR SHARE"
#: The gate, alone: erasure and a batch.
TAKE_GATE: Final = f"SELECT 1 FROM gritwit_parts WHERE part = {GATE} FOR UPDATE"
#: Takes the gate alone (held to commit or rollback: erasure, a batch), then every part's
#: row, counting a write commit in part 0's (DUR-005.5).  Writers only lock the gate, so
#: at ``REPEATABLE READ`` and ``SERIALIZABLE`` a batch whose snapshot is older than a
#: writer it waited for meets that writer's part as a serialization failure here, in the
#: attempt's first statement, which is run again whole (DUR-007.2), not later in the
#: caller's block, which is not.
TAKE_WRITER: Final = (
    f"WITH g AS ({TAKE_GATE})"
    " UPDATE gritwit_parts SET commits = commits + CASE WHEN part = 0 THEN 1 ELSE 0 END"
    " WHERE part >= 0 AND EXISTS (SELECT 1 FROM g)"
)
#: One part's row taken, a commit counted there.
TAKE_PART: Final = "UPDATE gritwit_parts SET commits = commits + 1 WHERE part = %(part)s"
#: The gate shared, then one part's row taken and a commit counted there, and that part's
#: journal pruned when its version is a multiple of ``every`` (:func:`._pg_commit.due`): one
#: statement, each table modified once in it (no engine need accept a table modified
#: twice in one statement: CockroachDB refuses it, SQLSTATE ``0A000``, DUR-005.6).  The
#: gate is an init plan, run at the first row's condition, before the part's row is
#: locked by its update; the prune reads the version the lock gave.
GATE_AND_PART: Final = (
    f"WITH g AS ({SHARE_GATE}),"
    " c AS (UPDATE gritwit_parts SET commits = commits + 1"
    " WHERE part = %(part)s AND EXISTS (SELECT 1 FROM g) RETURNING version)"
    " DELETE FROM ref_journal_parts WHERE part = %(part)s"
    " AND version <= (SELECT version FROM c) - %(kept)s"
    " AND (SELECT version %% %(every)s = 0 FROM c)"
)

#: :data:`GATE_AND_PART` for a write of one swap that notes other parts
#: (:mod:`._pg_notes`): the gate shared, then every part's row it journals in, in
#: ascending order, all fetched; a commit counted in the swap's part; each of those
#: parts' journals pruned when its version is a multiple of ``every``.
GATE_AND_PARTS: Final = (
    f"WITH g AS ({SHARE_GATE}),"
    " l AS (SELECT part, version FROM gritwit_parts WHERE part = ANY(%(parts)s::int[])"
    " AND EXISTS (SELECT 1 FROM g) ORDER BY part FOR UPDATE),"
    " c AS (UPDATE gritwit_parts SET commits = commits + 1"
    " WHERE part = %(part)s AND (SELECT count(*) FROM l) > 0 RETURNING version)"
    " DELETE FROM ref_journal_parts USING l WHERE ref_journal_parts.part = l.part"
    " AND EXISTS (SELECT 1 FROM c)"
    " AND ref_journal_parts.version <= l.version - %(kept)s AND l.version %% %(every)s = 0"
)

#: Objects inserted, in id order, unless erased (RUN-011), a corrupt copy mended
#: (STO-002.3): ``fresh``, the digests of those the store did not hold before (RUN-022.1).
OBJECTS: Final = """
o AS (SELECT * FROM unnest(%(oid)s::bytea[], %(odata)s::bytea[]) AS o (id, data)),
fresh AS (
  SELECT o.id FROM o
  WHERE NOT EXISTS (SELECT 1 FROM objects x WHERE x.id = o.id)
    AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id)),
put AS (
  INSERT INTO objects (id, data)
  SELECT o.id, o.data FROM o
  WHERE NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.id = o.id)
  ORDER BY o.id
  ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE objects.data <> excluded.data
  RETURNING objects.id)"""
#: Objects alone (a batch's, or a write without swaps).
INSERT: Final = "WITH" + OBJECTS + "\nSELECT array_agg(id) FROM fresh"


def numbered(rows: str, counted: str = "") -> str:
    """Common table expressions that journal the swaps of the CTE ``rows`` (columns
    ``name``, ``new``, ``part``, ``n``: their order) in their parts, numbered on from each
    part's row (``writer``: the parts' new versions and how many each made); ``counted``,
    more of the parts' columns set, as ``, commits = …`` (a row is updated once in a
    statement)."""
    return f"""
made AS (SELECT part, count(*) AS made FROM {rows} GROUP BY part),
writer AS (
  UPDATE gritwit_parts SET version = gritwit_parts.version + made.made{counted} FROM made
  WHERE gritwit_parts.part = made.part
  RETURNING gritwit_parts.part, gritwit_parts.version, made.made),
journal AS (
  INSERT INTO ref_journal_parts (part, version, name, target)
  SELECT {rows}.part, writer.version - writer.made
         + row_number() OVER (PARTITION BY {rows}.part ORDER BY {rows}.n),
         {rows}.name, {rows}.new
  FROM {rows} JOIN writer ON writer.part = {rows}.part)"""


#: A failure unless ``{count}`` swaps of the statement were made, as many as it was given.
_ALL_MADE: Final = "CAST(CASE WHEN {count} <> %(many)s THEN %(lost)s ELSE '0' END AS INT)"

#: A whole write of several swaps (``whole``, :func:`._pg_commit.run`) is several statements, each
#: modifying a table at most once (DUR-005.6), sent in one pipeline (DUR-005.4); each
#: fails the transaction, all or nothing, when one of its swaps would not happen.  The
#: first takes the locks: the gate shared, then the parts' rows in ascending order, all
#: fetched (``lk``, which every other part of it reads first, so none runs before the
#: locks are held); inserts the objects; makes the swaps that move a set ref
#: (``UPDATE``); prunes each part whose versions this write passes a multiple of
#: ``every`` in (:func:`._pg_commit.due`; ``jpart``: the part of each row it journals,
#: its notes' too, :mod:`._pg_notes`); and checks the erasure guard (RUN-011.3).
WHOLE: Final = (
    f"""WITH
g AS ({SHARE_GATE}),
l AS (SELECT part, version FROM gritwit_parts WHERE part = ANY(%(parts)s::int[])
      AND EXISTS (SELECT 1 FROM g) ORDER BY part FOR UPDATE),
lk AS (SELECT count(*) AS locked FROM l),"""
    + OBJECTS.replace("AS o (id, data)),", "AS o (id, data), lk),", 1)
    + """,
w AS (SELECT * FROM unnest(%(name)s::bytea[], %(old)s::bytea[], %(new)s::bytea[],
                           %(part)s::int[]) AS w (name, old, new, part), lk),
ok AS (
  SELECT w.* FROM w
  LEFT JOIN LATERAL (SELECT 1 AS held FROM objects x WHERE x.id = w.new LIMIT 1) h ON true
  LEFT JOIN LATERAL (SELECT 1 AS gone FROM tombstones t WHERE t.id = w.new LIMIT 1) e ON true
  WHERE e.gone IS NULL AND (h.held IS NOT NULL OR w.new IN (SELECT id FROM o))),
upd AS (
  UPDATE refs SET target = ok.new FROM ok
  WHERE refs.name = ok.name AND ok.old IS NOT NULL AND ok.new IS NOT NULL
    AND refs.target = ok.old
  RETURNING refs.name),
made AS (SELECT part, count(*) AS made FROM unnest(%(jpart)s::int[]) AS m (part)
         GROUP BY part),
pruned AS (
  DELETE FROM ref_journal_parts USING l JOIN made ON made.part = l.part
  WHERE ref_journal_parts.part = l.part
    AND ref_journal_parts.version <= l.version + made.made - %(kept)s
    AND (l.version + made.made + %(every)s - 1) / %(every)s
        <> (l.version + %(every)s - 1) / %(every)s)
SELECT CAST(CASE WHEN (SELECT count(*) FROM upd)
                      <> (SELECT count(*) FROM w WHERE old IS NOT NULL AND new IS NOT NULL)
            THEN %(lost)s
            WHEN %(erased)s >= 0
             AND (SELECT commits FROM gritwit_writer WHERE id = 3) <> %(erased)s
            THEN %(gone)s ELSE '0' END AS INT),
       (SELECT array_agg(id) FROM fresh)"""
)
#: The swaps of a whole write that set an unset ref, after its objects were inserted.
WHOLE_INSERT: Final = """
WITH
w AS (SELECT * FROM unnest(%(name)s::bytea[], %(new)s::bytea[]) AS w (name, new)),
ok AS (
  SELECT w.* FROM w
  JOIN LATERAL (SELECT 1 AS held FROM objects x WHERE x.id = w.new LIMIT 1) h ON true
  LEFT JOIN LATERAL (SELECT 1 AS gone FROM tombstones t WHERE t.id = w.new LIMIT 1) e ON true
  WHERE e.gone IS NULL),
ins AS (
  INSERT INTO refs (name, target) SELECT ok.name, ok.new FROM ok
  ON CONFLICT (name) DO NOTHING RETURNING refs.name)
SELECT """ + _ALL_MADE.format(count="(SELECT count(*) FROM ins)")
#: The swaps of a whole write that delete a set ref.
WHOLE_DELETE: Final = """
WITH
d AS (
  DELETE FROM refs USING unnest(%(name)s::bytea[], %(old)s::bytea[]) AS w (name, old)
  WHERE refs.name = w.name AND refs.target = w.old RETURNING refs.name)
SELECT """ + _ALL_MADE.format(count="(SELECT count(*) FROM d)")
#: The end of a whole write's journal statement: its step times (RUN-027.1,
#: :data:`STEP_TIMES`; ``steps``: the new targets of the ``heads/`` refs among the swaps,
#: :func:`._pg_commit.step_heads`), each kept the first time, and the parts' rows raised.
_STEP_TIMES_AND_COUNT: Final = """
st AS (
  INSERT INTO step_times (step, at)
  SELECT s.step, extract(epoch FROM clock_timestamp())
  FROM unnest(%(steps)s::bytea[]) AS s (step)
  ON CONFLICT (step) DO NOTHING)
SELECT count(*) FROM writer"""
#: The swaps of a whole write journaled in their parts, all of them (every one was made
#: or an earlier statement failed the transaction), with their notes (:mod:`._pg_notes`:
#: ``npart``, the part each note goes to, ``nsrc``, the place of the swap it repeats
#: among ``name``; only where the swap's part's row, locked, has the flag *read by
#: parts*), each note's ``origin`` the version its swap is journaled at here;
#: the commit counted in the first part.  One insert into the journal (DUR-005.6).  And
#: the step times (:data:`_STEP_TIMES_AND_COUNT`): every swap was made by now, or the
#: transaction failed and keeps none of them.
WHOLE_JOURNAL: Final = (
    """
WITH
j AS (SELECT * FROM unnest(%(name)s::bytea[], %(new)s::bytea[], %(part)s::int[])
      WITH ORDINALITY AS j (name, new, part, n)),
nt AS (SELECT * FROM unnest(%(npart)s::int[], %(nsrc)s::int[])
       WITH ORDINALITY AS nt (part, src, k)),
r AS (SELECT j.part, j.name, j.new, j.n, NULL::bigint AS src FROM j
      UNION ALL
      SELECT nt.part, j.name, j.new, %(many)s + nt.k, j.n FROM nt JOIN j ON j.n = nt.src
      WHERE EXISTS (SELECT 1 FROM gritwit_parts AS f WHERE f.part = j.part AND f.read_by_parts)),
made AS (SELECT part, count(*) AS made FROM r GROUP BY part),
writer AS (
  UPDATE gritwit_parts SET version = gritwit_parts.version + made.made,
         commits = gritwit_parts.commits
                   + CASE WHEN gritwit_parts.part = %(first)s THEN 1 ELSE 0 END
  FROM made WHERE gritwit_parts.part = made.part
  RETURNING gritwit_parts.part, gritwit_parts.version, made.made),
v AS (SELECT r.*, writer.version - writer.made
             + row_number() OVER (PARTITION BY r.part ORDER BY r.n) AS version
      FROM r JOIN writer ON writer.part = r.part),
journal AS (
  INSERT INTO ref_journal_parts (part, version, name, target, origin)
  SELECT x.part, x.version, x.name, x.new, o.version
  FROM v AS x LEFT JOIN v AS o ON x.src IS NOT NULL AND o.src IS NULL AND o.n = x.src),"""
    + _STEP_TIMES_AND_COUNT
)
#: :data:`WHOLE_JOURNAL` for a write that notes nothing (no ``npart``: a runtime's step
#: that kept its outbox, :mod:`._pg_notes`): the swaps numbered in their parts as a batch's
#: (:func:`numbered`), the commit counted in the first part, and the step times.  The
#: notes' common table expressions, started for every write, cost the server about
#: 0.02 ms of its 0.15 ms for this statement (measured beside it, rolled back).
WHOLE_JOURNAL_PLAIN: Final = (
    """
WITH
j AS (SELECT * FROM unnest(%(name)s::bytea[], %(new)s::bytea[], %(part)s::int[])
      WITH ORDINALITY AS j (name, new, part, n)),"""
    + numbered(
        "j",
        ", commits = gritwit_parts.commits"
        " + CASE WHEN gritwit_parts.part = %(first)s THEN 1 ELSE 0 END",
    )
    + ","
    + _STEP_TIMES_AND_COUNT
)

#: One swap, after its objects were inserted (:func:`._pg_commit.run`): ``{change}`` is the
#: ``UPDATE``, ``INSERT`` or ``DELETE`` of the ref, conditional on ``ok``; a swap made is
#: journaled in its part (pruned by :data:`GATE_AND_PART` before), and its step time
#: recorded (RUN-027.1, :data:`STEP_TIMES`; ``step``: the new target of a ``heads/`` ref,
#: else ``NULL``), kept the first time; the answer: swapped, target present, the ref's
#: value before, and (``whole``) a failure when it did not swap.
SWAP_ONE: Final = """
WITH
ok AS (SELECT %(new)s::bytea IS NULL
         OR (NOT EXISTS (SELECT 1 FROM tombstones WHERE id = %(new)s::bytea)
             AND EXISTS (SELECT 1 FROM objects WHERE id = %(new)s::bytea)) AS present),
s AS ({change} RETURNING 1),
v AS (UPDATE gritwit_parts SET version = version + 1
      WHERE part = %(part)s AND EXISTS (SELECT 1 FROM s) RETURNING version),
j AS (INSERT INTO ref_journal_parts (part, version, name, target)
      SELECT %(part)s, version, %(name)s, %(new)s FROM v),
t AS (INSERT INTO step_times (step, at)
      SELECT %(step)s::bytea, extract(epoch FROM clock_timestamp()) FROM s
      WHERE %(step)s::bytea IS NOT NULL
      ON CONFLICT (step) DO NOTHING)
SELECT EXISTS (SELECT 1 FROM s), (SELECT present FROM ok),
       (SELECT target FROM refs WHERE name = %(name)s),
       CAST(CASE WHEN %(whole)s AND NOT EXISTS (SELECT 1 FROM s) THEN %(lost)s ELSE '0' END AS INT)
"""
CHANGE: Final = {
    "update": "UPDATE refs SET target = %(new)s WHERE name = %(name)s AND target = %(old)s"
    " AND (SELECT present FROM ok)",
    "insert": "INSERT INTO refs (name, target) SELECT %(name)s, %(new)s"
    " WHERE (SELECT present FROM ok) ON CONFLICT (name) DO NOTHING",
    "delete": "DELETE FROM refs WHERE name = %(name)s AND target = %(old)s",
}

#: The wake-up (RUN-020.6): its own transaction, not waiting for its flush.
WAKE: Final = "SELECT set_config('synchronous_commit', 'off', true), pg_notify(%(channel)s, '')"

#: The erasure guard (:data:`._pg_commit.ERASED`) of a write of one swap, after its gate
#: (RUN-011.3).
GUARD: Final = (
    "SELECT CAST(CASE WHEN (SELECT commits FROM gritwit_writer WHERE id = 3) <> %(erased)s"
    " THEN %(gone)s ELSE '0' END AS INT)"
)
#: Journal swaps made in a batch (behind the gate, alone), in their order, each in its
#: part: the parts' rows raised by as many; the new versions and how many each part made.
JOURNAL: Final = (
    """
WITH
j AS (SELECT * FROM unnest(%(name)s::bytea[], %(new)s::bytea[], %(part)s::int[])
      WITH ORDINALITY AS j (name, new, part, n)),"""
    + numbered("j")
    + """
SELECT part, version, made FROM writer"""
)

#: The step times of a batch (RUN-027.1): each new target of a ``heads/`` ref the batch
#: swapped that the ref holds now, with the server's clock, kept the first time; after
#: the swaps, in their transaction, so a swap not made records nothing.  A write of
#: :func:`._pg_commit.run` records them in a statement it sends anyway: the journal of a
#: whole write (:data:`WHOLE_JOURNAL`), the swap of one (:data:`SWAP_ONE`).
STEP_TIMES: Final = (
    "INSERT INTO step_times (step, at)"
    " SELECT r.target, extract(epoch FROM clock_timestamp()) FROM refs AS r"
    " WHERE r.name = ANY(%(name)s) AND r.target = ANY(%(new)s)"
    " ON CONFLICT (step) DO NOTHING"
)

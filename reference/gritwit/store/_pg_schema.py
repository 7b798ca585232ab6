"""The PostgreSQL store's tables: made once, by any number of openers at once (DUR-005, DUR-007).

:func:`open_tables` is what opening a store runs.  It looks first — one catalog query
(``information_schema.tables``, which CockroachDB and YugabyteDB also have) — and
runs the DDL only when a table is missing: a store that exists is opened with that one
read, and no write.  The DDL runs one statement at a time outside any transaction
(the connection is in autocommit): CockroachDB and YugabyteDB refuse or abort DDL in
a transaction of several statements, and each statement is idempotent
(``CREATE TABLE IF NOT EXISTS``, ``INSERT … ON CONFLICT DO NOTHING``), so a creator
killed half-way leaves a store the next opener completes.  ``ref_journal_parts`` is
made last, so a database holding every table holds the rows of ``gritwit_parts`` too.

**Parts** (DUR-005.5).  Writers do not take turns on one row.  Every ref belongs to
one of :data:`PARTS` parts, :func:`part_of` its name, fixed for the store's life, since
two writers swapping one ref must number its swaps in one part.  A ref named by an
actor (``heads/<id>``, ``names/failed/<id>``) falls in the part of that actor's 16th hex
digit — the digit shares ``k/n`` with ``n`` dividing 16 divide actors by (RUN-021) — and
``names/outside-outbox/<h>`` in part ``h``; so runtimes with such shares write disjoint
parts and never wait for each other's rows.  Any other ref: CRC-32 of its name, the low
four bits.  ``gritwit_parts`` has a row per part (``part`` 0 …
15: ``version``, the swaps of the part's refs journaled so far, ``commits``, write
commits counted there, and ``read_by_parts``, whether its writers journal notes,
:mod:`._pg_notes`) and the *gate* row (``part`` −1).  Every write takes the
gate ``FOR SHARE`` first, then the rows of the parts it swaps refs of, in ascending
order, then inserts its objects in id order; erasure and a batch take the gate
``FOR UPDATE``, alone.  So writers of different parts never wait for each other, and
no two wait in opposite orders (see :mod:`._pg_commit`).  ``ref_journal_parts`` is the
journal of each part, numbered from its row (``version``).

Several processes making one store at once race in the server's catalog: PostgreSQL
may answer the loser of two concurrent ``CREATE TABLE IF NOT EXISTS`` with a unique
violation on its catalog, CockroachDB with a serialization failure.  The loser looks
again and goes on with what is still missing (:data:`RACED`), a bounded number of
times.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
import zlib
from typing import Final

import psycopg

from ._parts import PARTS
from ._refs import OUTSIDE_MAILBOX_PREFIX

__all__ = [
    "GATE",
    "JOURNAL_TABLE",
    "PARTS",
    "RACED",
    "SCHEMA",
    "STORE_TABLES",
    "TABLES",
    "flagged",
    "noted",
    "number_erasures",
    "open_tables",
    "part_of",
]

#: The gate row of ``gritwit_parts``: shared by writers, exclusive to erasure and batches.
GATE: Final = -1
JOURNAL_TABLE: Final = (
    "CREATE TABLE IF NOT EXISTS ref_journal_parts (part INT NOT NULL, version BIGINT NOT NULL,"
    " name BYTEA NOT NULL, target BYTEA, origin BIGINT, PRIMARY KEY (part, version))"
)
#: A journal made before notes (:mod:`._pg_notes`) gets their column: ``origin``, the
#: version of a noted swap in its ref's own part (``NULL``: the row is the swap itself).
ORIGIN_COLUMN: Final = "ALTER TABLE ref_journal_parts ADD COLUMN IF NOT EXISTS origin BIGINT"

#: A part's row made before the flag *read by parts* (:mod:`._pg_notes`) gets it set:
#: whether a reader of some parts reads the notes of that part's writers is not known
#: there, so they are written (DUR-005.5).  A store made with the flag starts unset.
FLAG_COLUMN: Final = (
    "ALTER TABLE gritwit_parts ADD COLUMN IF NOT EXISTS read_by_parts BOOLEAN NOT NULL DEFAULT true"
)

#: The rows of ``gritwit_parts``: the gate, and one per part.
PART_ROWS: Final = (
    "INSERT INTO gritwit_parts (part, version, commits)"
    f" SELECT p, 0, 0 FROM generate_series({GATE}, {PARTS - 1}) AS p ON CONFLICT (part) DO NOTHING"
)


def part_of(name: bytes) -> int:
    """The part of the ref named ``name`` (DUR-005.5): the 16th hex digit of the actor id
    that ends it (the digit of its share, RUN-021), the digit that ends
    ``names/outside-outbox/<h>``, or else the low bits of its CRC-32."""
    _, _, last = name.rpartition(b"/")
    if len(last) == 64 and _HEX.fullmatch(last):
        return int(last[15:16], 16) % PARTS
    if len(last) == 1 and name.startswith(_OUTSIDE) and _HEX.fullmatch(last):
        return int(last, 16) % PARTS
    return zlib.crc32(name) % PARTS


_HEX: Final = re.compile(rb"[0-9a-f]+")
_OUTSIDE: Final = OUTSIDE_MAILBOX_PREFIX.encode()


#: The statements that make a store, in order, each on its own; the journal last.
SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS objects (id BYTEA PRIMARY KEY, data BYTEA NOT NULL)",
    "CREATE TABLE IF NOT EXISTS refs (name BYTEA PRIMARY KEY, target BYTEA NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tombstones (id BYTEA PRIMARY KEY, reason BYTEA NOT NULL)",
    # when each step first became a head (RUN-027.1): made at open in an older store too
    "CREATE TABLE IF NOT EXISTS step_times (step BYTEA PRIMARY KEY, at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS gritwit_writer (id INT PRIMARY KEY, commits BIGINT NOT NULL)",
    "INSERT INTO gritwit_writer (id, commits) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    # the journal row (row 2: the journal's highest version) and the erasure row (row 3:
    # the erasures made), of :mod:`._pg_commit` and :meth:`PostgresBackend.erase`
    "INSERT INTO gritwit_writer (id, commits) VALUES (2, 0) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO gritwit_writer (id, commits) VALUES (3, 0) ON CONFLICT (id) DO NOTHING",
    "CREATE TABLE IF NOT EXISTS gritwit_parts (part INT PRIMARY KEY, version BIGINT NOT NULL,"
    " commits BIGINT NOT NULL, read_by_parts BOOLEAN NOT NULL DEFAULT false)",
    PART_ROWS,
    JOURNAL_TABLE,
)
#: Made with the tables where the engine has it, and skipped where it has not: objects
#: are stored as they are, not compressed (they are CBOR of hashes mostly, and PostgreSQL's
#: compression of a large mailbox cost more server CPU than the rest of its commit).
TUNING: Final = ("ALTER TABLE objects ALTER COLUMN data SET STORAGE EXTERNAL",)
#: The tables that make a database a store (``create=False``); a store made before the
#: parts lacks ``gritwit_parts`` and ``ref_journal_parts``, which opening it makes (its
#: journals start empty; its ``ref_journal``, if any, is no longer written).
TABLES: Final = ("gritwit_writer", "objects", "refs", "tombstones")
#: Every table of a complete store.
STORE_TABLES: Final = frozenset((*TABLES, "gritwit_parts", "ref_journal_parts", "step_times"))
#: Server errors of a catalog raced by another creator: look again.
RACED: Final = (
    psycopg.errors.UniqueViolation,
    psycopg.errors.DuplicateObject,
    psycopg.errors.DuplicateTable,
    psycopg.errors.SerializationFailure,
)
#: Looks at the catalog before giving up on a raced creation.
ATTEMPTS: Final = 8
_LISTED: Final = (
    "SELECT table_name FROM information_schema.tables"
    " WHERE table_schema = current_schema() AND table_name = ANY(%s)"
    " UNION ALL SELECT '" + "ref_journal_parts.origin" + "' FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = 'ref_journal_parts'"
    " AND column_name = 'origin'"
    " UNION ALL SELECT '" + "gritwit_parts.read_by_parts" + "' FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = 'gritwit_parts'"
    " AND column_name = 'read_by_parts'"
)
#: What :func:`present` lists when the journal has the column of notes (:mod:`._pg_notes`).
NOTED: Final = "ref_journal_parts.origin"
#: What :func:`present` lists when the parts' rows have the flag *read by parts*.
FLAGGED: Final = "gritwit_parts.read_by_parts"


def present(conn: psycopg.Connection) -> set[str]:
    """The store's tables in the connection's schema, :data:`NOTED` when the journal
    has the column of notes and :data:`FLAGGED` when the parts' rows have their flag
    (one catalog query)."""
    rows = conn.execute(_LISTED, (sorted(STORE_TABLES),)).fetchall()
    return {str(name) for (name,) in rows}


#: The erasure row of a store made before it (``gritwit_writer`` row 3, whose ``commits``
#: counts the erasures, RUN-011), from zero.
_NUMBERED: Final = (
    "INSERT INTO gritwit_writer (id, commits) VALUES (3, 0) ON CONFLICT (id) DO NOTHING"
)


def number_erasures(conn: psycopg.Connection) -> None:
    """Give a store made before the erasure row its row (``conn`` in autocommit)."""
    row = conn.execute("SELECT count(*) FROM gritwit_writer WHERE id = 3").fetchone()
    if row is None or int(row[0]) != 1:
        conn.execute(_NUMBERED)


def noted(conn: psycopg.Connection) -> None:
    """Give a journal made before notes its ``origin`` column (``conn`` in autocommit)."""
    with contextlib.suppress(*RACED):  # another opener added it meanwhile
        conn.execute(ORIGIN_COLUMN)


def flagged(conn: psycopg.Connection) -> None:
    """Give parts' rows made before the flag *read by parts* the flag, set (``conn`` in
    autocommit): their writers note as before it (DUR-005.5)."""
    with contextlib.suppress(*RACED):  # another opener added it meanwhile
        conn.execute(FLAG_COLUMN)


def open_tables(conn: psycopg.Connection, *, create: bool) -> bool:
    """Make whatever of the store's tables is missing; ``False``, touching nothing, when
    ``create`` is false and the database holds no store (:data:`TABLES` incomplete).

    ``conn`` must be in autocommit.  A store made before the journal gets its journal
    even without ``create``.
    """
    for attempt in range(1, ATTEMPTS + 1):
        found = present(conn)
        if found >= STORE_TABLES:
            if NOTED not in found:  # a journal made before notes
                noted(conn)
            if FLAGGED not in found:  # parts' rows made before their flag
                flagged(conn)
            return True
        if not create and not found >= set(TABLES):
            return False
        try:
            for statement in SCHEMA:
                conn.execute(statement)
            for statement in TUNING:  # another engine: stored as it stores them
                with contextlib.suppress(
                    psycopg.errors.FeatureNotSupported, psycopg.errors.SyntaxError
                ):
                    conn.execute(statement)
        except RACED:  # another opener is making them: look again
            if attempt == ATTEMPTS:
                raise
            time.sleep(random.random() * 0.01 * attempt)
            continue
        if "ref_journal_parts" in found and NOTED not in found:
            noted(conn)  # a journal made before notes, its other tables made now
        if "gritwit_parts" in found and FLAGGED not in found:
            flagged(conn)  # parts' rows made before their flag, the other tables made now
        return True
    raise AssertionError("unreachable")  # pragma: no cover

"""Objects read ahead with the journal: a hop between runtimes in fewer round trips (DUR-005.4).

A runtime that learns from the journal (RUN-020.5) that another runtime swapped a head
reads that head's step, then the mailbox the step names as its outbox, then the
messages in it for its own actors (RUN-020.4, RUN-021.2): three reads, one after the
other, each a round trip to a remote server.  The journal read (:data:`CHANGES`)
brings the first two along, in its one statement: for each swap among the newest
:data:`AHEAD_ROWS` of its part, the bytes of the new target, and of the object whose id
follows the step's ``outbox`` key (canonical CBOR, CBOR-001: the key's text then a
32-byte byte string), each when at most :data:`AHEAD_ONE` bytes.  A hop between
runtimes of different shares is then three round trips (the journal, the messages, the
commit), not five.

Only steps and mailboxes are kept, told from any other object by the first bytes of
their one canonical encoding (:func:`keepable`): objects are immutable and named by
their hash, and only a blob is ever erased (RUN-011.6), so a step or mailbox read
ahead is never stale and needs no invalidation.  What the SQL takes for the outbox is a
hint only: the bytes are kept under the id they are stored under, so a wrong guess
costs a few bytes, never a wrong answer.  The copies are kept until read (each is
served once, :meth:`ReadAhead.take`) or until the next journal read replaces them, and
never more than :data:`AHEAD_KEPT` bytes.  The targets of the process's own swaps
since its last journal read (:meth:`ReadAhead.made`, at most :data:`OWN_KEPT`) are not
read ahead: it built those objects, and reading them back cost the server about 0.1 ms
a transition for a runtime alone.

The journal these reads follow, and why it can be followed:

* **A journal of swaps per part** (RUN-003.1, RUN-020.5, DUR-005.5).  Each successful
  swap adds a row to ``ref_journal_parts`` in the transaction that made it: the part
  of the ref, the ref's name, its new target (``NULL``: deleted) and a version one
  more than the part's (its ``gritwit_parts`` row's ``version``, raised with it).
  :meth:`~gritwit.store.PostgresBackend.refs_changed_since` reads every part's version
  and the rows after the caller's *vector* of versions in one ``SELECT``, so a runtime
  learns what other processes swapped without listing every ref.  Each part's versions
  are *prefix-closed*: a reader that reports version ``v`` of a part saw every row of
  it numbered up to ``v``, and no row numbered ``v`` or less appears later.  Under
  ``READ COMMITTED`` each statement reads a snapshot of its own, so the argument rests
  on the part's row, not on the isolation level.  A writer numbers its rows of a part
  after taking that part's row, in a statement that sees every commit before it (the
  previous holder's commit is visible before its lock is released); so a part's
  versions follow commit order, without gaps.  A reader's one statement has one
  snapshot; say the highest row of a part in it, ``h``, was written by ``W``.  Every
  writer numbered below ``h`` held the part's row before ``W`` did, so it had
  committed — visibly to every later snapshot — before ``W`` even took the row: its
  rows are in the snapshot.  Every writer not in the snapshot takes the row after
  ``W`` released it, so it sees ``h`` and numbers above it.  A ref is always in one
  part (:func:`._pg_schema.part_of`), so its swaps come in commit order; swaps of
  different parts are not ordered against each other, and a reader needs no such
  order: it takes each ref's last swap, read in one snapshot.  Rows are pruned by
  writers (``JOURNAL_KEPT`` per part), only ever those at or below their own highest
  version of the part minus ``JOURNAL_KEPT``, so a reader whose version of every part
  is within ``JOURNAL_KEPT`` of the highest it sees misses none, and an older one is
  answered ``None`` (unknown: list the refs).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Final

import psycopg
from psycopg import pq

from .._ids import ObjectId
from . import _pg_wire
from ._pg_notes import ALL_PARTS, latest
from ._pg_wire import BOOL, BYTEA_ARRAY, INT4_ARRAY, INT8, INT8_ARRAY, Sql

__all__ = [
    "AHEAD_KEPT",
    "ROWS_READ",
    "AHEAD_ONE",
    "AHEAD_ROWS",
    "CHANGES",
    "OWN_KEPT",
    "ReadAhead",
    "changes_call",
    "changes_read",
    "keepable",
]

#: Bytes: a larger object is not read ahead.
AHEAD_ONE: Final = 8192
#: The newest swaps of each part whose objects are read ahead (a reader catching up with
#: a long journal reads the rest as before).
AHEAD_ROWS: Final = 256
#: Bytes of objects read ahead kept at most.
AHEAD_KEPT: Final = 8 << 20
#: Targets of this process's own swaps remembered at most between two journal reads.
OWN_KEPT: Final = 4096

#: ``outbox`` as a canonical CBOR text string, then the head of a 32-byte byte string.
_OUTBOX_KEY: Final = "'\\x666f7574626f785820'::bytea"
#: Every part's version now and, for the parts whose version ``since`` holds is within
#: what is kept (``kept`` swaps), the swaps after it, by part, in order; a row of
#: ``NULL`` name for a part with none; the count of erasures; and for the newest
#: swaps, the target's bytes and the id and bytes of what follows its ``outbox`` key.
#: One snapshot.  Each part's rows are an index range scan of the journal (``LATERAL``)
#: and each object an index look-up (a subquery per row): a plan that joins whole
#: tables reads every object and every journal row each time (1.5 ms of the server's
#: CPU for a store of 1,800 objects, growing with the store).  A part whose version is
#: the one ``since`` holds has no swap after it: that test (``p.version > …``, implied by
#: the others, on the outer row alone) is a one-time filter of the part's scan, so a
#: part that did not move costs no index descent (a read where nothing moved: 0.05 ->
#: 0.03 ms of the server's CPU, 16 parts).  Only the parts ``mine`` are read (a share's,
#: :mod:`._pg_notes`), each row with its ``origin`` (a note's, else ``NULL``); notes only
#: when ``notes`` (a reader of every part reads each swap in its own part).
CHANGES: Final = (
    "SELECT p.part, p.version, j.name, j.target,"
    " (SELECT commits FROM gritwit_writer WHERE id = 3), j.data, j.outbox,"
    " (SELECT o.data FROM objects AS o WHERE o.id = j.outbox"
    " AND octet_length(o.data) <= %(one)s), j.origin, j.version"
    " FROM gritwit_parts AS p LEFT JOIN LATERAL ("
    "  SELECT r.name, r.target, r.version, r.origin, t.data,"
    f"  CASE WHEN position({_OUTBOX_KEY} IN t.data) > 0"
    f"  THEN substring(t.data FROM position({_OUTBOX_KEY} IN t.data) + 9 FOR 32) END AS outbox"
    "  FROM ref_journal_parts AS r LEFT JOIN LATERAL ("
    "   SELECT (SELECT x.data FROM objects AS x WHERE x.id = r.target"
    "   AND octet_length(x.data) <= %(one)s) AS data"
    "   WHERE r.version > p.version - %(rows)s AND NOT (r.target = ANY(%(own)s::bytea[]))"
    "  ) AS t ON true"
    "  WHERE r.part = p.part AND r.version > (%(since)s::bigint[])[p.part + 1]"
    "  AND p.part = ANY(%(mine)s::int[]) AND (r.origin IS NULL OR %(notes)s)"
    "  AND p.version > (%(since)s::bigint[])[p.part + 1]"
    "  AND (%(since)s::bigint[])[p.part + 1] >= p.version - %(kept)s"
    "  AND (%(since)s::bigint[])[p.part + 1] <= p.version"
    " ) AS j ON true"
    " WHERE p.part >= 0 ORDER BY p.part, j.version"
)

#: :data:`CHANGES` as sent by :func:`._pg_wire.pipeline`: prepared once per connection.
CHANGES_SQL: Final = Sql.of(
    CHANGES,
    {
        "since": INT8_ARRAY,
        "kept": INT8,
        "rows": INT8,
        "one": INT8,
        "own": BYTEA_ARRAY,
        "mine": INT4_ARRAY,
        "notes": BOOL,
    },
    "gritwit_changes",
)

_STEP_CORE: Final = b"\x64core\x58\x20"  # the first key of a step, and its id's head
_STEP_TYPE: Final = b"\x64type\x64step"  # the second key, after the core's 32 bytes
_MAILBOX: Final = b"\xa2\x64type\x67mailbox"  # a mailbox's first bytes
#: A mailbox with ``base`` (OBJ-013): a map of 3, ``base`` and its id first (ENC-010),
#: then ``type: mailbox``.  Only the top of an outbox's chain (WIT-009.5) is read ahead:
#: the mailboxes under it are older steps' own, read by then.
_BASED_MAILBOX: Final = b"\xa3\x64base\x58\x20"
_BASED_TYPE: Final = b"\x64type\x67mailbox"


def keepable(data: bytes) -> bool:
    """Whether ``data`` is, by its first bytes, a step or a mailbox (never erased): a
    step is a map of 3 to 6 keys whose first is ``core`` and second ``type: step``; a
    mailbox a map of 2 whose first is ``type: mailbox``, or of 3 whose first is ``base``
    and second ``type: mailbox`` (OBJ-013).  A blob begins with its
    ``data`` key, so it is never taken for either."""
    if data.startswith(_MAILBOX):
        return True
    if data.startswith(_BASED_MAILBOX):  # the digest's 32 bytes, then the type
        return data[40:53] == _BASED_TYPE
    return (
        len(data) > 50
        and 0xA3 <= data[0] <= 0xA6
        and data[1:8] == _STEP_CORE
        and data[40:50] == _STEP_TYPE
    )


class ReadAhead:
    """Steps and mailboxes read ahead, by id, at most :data:`AHEAD_KEPT` bytes."""

    __slots__ = ("_bytes", "_guard", "_kept", "_own")

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._kept: dict[ObjectId, bytes] = {}
        self._bytes = 0
        self._own: list[bytes] = []

    def made(self, targets: Iterable[bytes]) -> None:
        """Remember the targets of swaps this process made: not read ahead (at most
        :data:`OWN_KEPT` until the next journal read; past it, read ahead as any)."""
        with self._guard:
            own = self._own
            for digest in targets:
                if len(own) >= OWN_KEPT:
                    break
                own.append(digest)

    def own(self) -> list[bytes]:
        """The targets :meth:`made` remembered, forgotten now (a journal read takes them)."""
        with self._guard:
            own, self._own = self._own, []
        return own

    def replace(self, found: Iterable[tuple[bytes | None, bytes | None]]) -> None:
        """Keep the steps and mailboxes of ``found`` (digest, bytes; ``None``: not read
        ahead) instead of what was kept, up to :data:`AHEAD_KEPT` bytes."""
        kept: dict[ObjectId, bytes] = {}
        size = 0
        for digest, data in found:
            if digest is None or data is None or size + len(data) > AHEAD_KEPT:
                continue
            data = bytes(data)
            if keepable(data):
                kept[ObjectId(bytes(digest))] = data
                size += len(data)
        with self._guard:
            self._kept, self._bytes = kept, size

    def take(self, oids: Iterable[ObjectId]) -> dict[ObjectId, bytes]:
        """The bytes kept of each of ``oids``, each served once (then forgotten)."""
        with self._guard:
            if not self._kept:
                return {}
            found = {oid: data for oid in oids if (data := self._kept.pop(oid, None)) is not None}
            self._bytes -= sum(len(data) for data in found.values())
        return found


def changes_call(
    since: Sequence[int],
    kept: int,
    ahead: ReadAhead,
    own: Iterable[bytes] = (),
    mine: frozenset[int] = ALL_PARTS,
) -> tuple[Sql, dict[str, object]]:
    """The journal read (:data:`CHANGES`) after the version ``since`` (a swap count per
    part), keeping the last ``kept`` swaps of a part, as a call of
    :func:`._pg_wire.pipeline`: the targets :meth:`ReadAhead.made` remembered, and
    ``own`` (a write's own, read after its ``COMMIT``), are not read ahead; only the
    parts ``mine`` are read (:mod:`._pg_notes`)."""
    params = {"since": list(since), "kept": kept, "rows": AHEAD_ROWS, "one": AHEAD_ONE}
    notes = len(mine) < len(ALL_PARTS)  # a reader of every part has the swaps themselves
    return CHANGES_SQL, {
        **params,
        "own": [*ahead.own(), *own],
        "mine": sorted(mine),
        "notes": notes,
    }


#: Journal rows read, notes among them, by every journal read of this process: what a
#: share's reader costs (:mod:`._pg_notes`), told by the tests and the benchmark tool.
ROWS_READ: Final = {"rows": 0, "notes": 0}


def changes_read(
    answer: pq.abc.PGresult, ahead: ReadAhead, mine: frozenset[int] = ALL_PARTS
) -> tuple[dict[int, int], list[tuple[str, ObjectId | None]], int]:
    """The answer to :func:`changes_call`: each part's version now, the swaps after
    ``since`` (part after part, each part's in order: name, new target), and the count
    of erasures; what it brought along goes to ``ahead`` (DUR-005.4, DUR-005.5).  A
    reader of some parts (``mine``) gets each ref's newest swap or note once
    (:func:`._pg_notes.latest`); one of every part reads no note."""
    now: dict[int, int] = {}
    rows: list[tuple[str, ObjectId | None, int, int, int | None]] = []
    found: list[tuple[bytes | None, bytes | None]] = []
    value = answer.get_value
    every = len(mine) == len(ALL_PARTS)
    notes = 0
    for row in range(answer.ntuples):
        part, newest = value(row, 0), value(row, 1)
        assert part is not None and newest is not None
        number = int.from_bytes(part, "big")
        now[number] = int.from_bytes(newest, "big")
        name = value(row, 2)
        if name is not None:
            origin = value(row, 8)
            notes += origin is not None  # none for a reader of every part (CHANGES)
            target = value(row, 3)
            rows.append(
                (
                    bytes(name).decode(),
                    None if target is None else ObjectId(bytes(target)),
                    number,
                    int.from_bytes(value(row, 9) or b"", "big"),
                    None if origin is None else int.from_bytes(origin, "big"),
                )
            )
            found += ((target, value(row, 5)), (value(row, 6), value(row, 7)))
    ROWS_READ["rows"] += len(rows)
    ROWS_READ["notes"] += notes
    ahead.replace(found)
    erased = value(0, 4)
    count = 0 if erased is None else int.from_bytes(erased, "big")
    if every:
        return now, [(name, target) for name, target, *_ in rows], count
    return now, latest(rows), count


def read_changes(
    conn: psycopg.Connection,
    since: Sequence[int],
    kept: int,
    ahead: ReadAhead,
    mine: frozenset[int] = ALL_PARTS,
) -> tuple[dict[int, int], list[tuple[str, ObjectId | None]], int]:
    """One journal read (:func:`changes_call`, :func:`changes_read`) on its own: one
    round trip (DUR-005.4, DUR-005.5); of the parts ``mine`` only."""
    (answer,) = _pg_wire.pipeline(conn, [changes_call(since, kept, ahead, mine=mine)])
    assert answer is not None
    return changes_read(answer, ahead, mine)


#: Every part's version now, and the count of erasures.
_VERSIONS: Final = (
    "SELECT part, version, (SELECT commits FROM gritwit_writer WHERE id = 3)"
    " FROM gritwit_parts WHERE part >= 0 ORDER BY part"
)


def read_versions(conn: psycopg.Connection) -> tuple[tuple[int, ...], int]:
    """Each part's version now, in part order, and the count of erasures: a reader's
    start, when it has no version the store reported (DUR-005.5)."""
    rows = conn.execute(_VERSIONS).fetchall()
    return tuple(int(v) for _, v, _ in rows), int(rows[0][2])

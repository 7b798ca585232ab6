"""Journal notes addressed to a part: a share reads its own parts only (DUR-005.5, RUN-020.7).

The journal is split into the 16 parts of the refs (:mod:`._pg_schema`), the parts a
share ``k/n`` with ``n`` dividing 16 divides actors by (RUN-021).  A runtime of such a
share runs the actors of the parts ``p`` with ``p % n == k`` only, yet it must learn
when a sender of another part sent to one of them (RUN-001.3, RUN-020.5).  A *note*
tells it: a journal row in a part other than its ref's own, repeating a swap made in
the same transaction — the ref's name, its new target — with ``origin``, the version
the swap was journaled at in the ref's own part.  A reader of some parts takes each
ref's row of highest origin (a ref's swaps are numbered in commit order in its own
part, so origins order them, whichever parts their notes are in); a reader of every
part skips notes, having the swaps themselves.

Which parts a swap notes:

* a writer that knows says so (:meth:`~gritwit.store.PostgresBackend.note`): the
  runtime's commits of its own transitions name the parts of the recipients whose
  outbox entries the step changed (the top of its outbox chain, WIT-009.5), and none
  for a step that kept its outbox;
* any other swap of a ``heads/`` or ``names/placement/`` ref notes **every** other part
  (:func:`default_parts`): a revert, a clear, a fork, an import, an erasure, a batch,
  a writer that is not a runtime (RUN-020.5) — rare writes, so noting them to all is
  cheap and needs no knowledge of what they changed;
* the outside's mailboxes (``names/outside-outbox/<h>``, ``<h>`` the recipients' own
  digit, RUN-003.4) and failure marks are in the part of the actors they concern, and
  note nothing.

An actor placed by key (RUN-021.6) in another part than its id's is not followed by
notes: its records are noted everywhere, and a runtime that learns of such an actor
reads every part from then on (:mod:`gritwit.runtime._catchup`).

Each note is journaled by :data:`NOTES`, in the swap's transaction, after the swap: it
takes its origin from the ref's newest row in its own part, and journals nothing when
that row is not the swap (a compare-and-swap that lost).  The parts noted are locked
with the swap's own, in ascending order, before anything is written (DUR-005.5).

**Notes nobody reads are not written** (DUR-005.5).  Each part's row has a flag, *read
by parts*, which a reader of some parts sets on all 16 rows in one transaction
(:data:`JOIN`, :meth:`~gritwit.store.PostgresBackend.read_by_parts`) before it reads
the versions it lists the refs at; no reader clears it.  A write journals the notes of
a swap only where the swap's own part's row, which it locked earlier in its
transaction, has the flag (read in :data:`NOTES` itself, and in
:data:`._pg_write_sql.WHOLE_JOURNAL`: no other statement).  A writer that took its
row before the reader's update commits before that update can take the row, so the
reader's listing, made after, holds its swaps; a writer that takes the row after reads
the flag in a later statement, whose snapshot holds the update at ``READ COMMITTED``
(at ``REPEATABLE READ`` and ``SERIALIZABLE`` its lock meets the update as a
serialization failure, and the write runs again, DUR-007.2).  A reader killed half-way
leaves flags set, or none (one transaction): notes written that nobody reads, never one
missed.  A part made before the flag reads it as set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import psycopg

from .._ids import ObjectId
from ._backend import Version
from ._pg_schema import GATE, PARTS, part_of
from ._pg_wire import BYTEA_ARRAY, INT4_ARRAY, Sql
from ._refs import HEADS_PREFIX, PLACEMENT_PREFIX

__all__ = [
    "ALL_PARTS",
    "JOIN",
    "NOTES_SQL",
    "Note",
    "Noting",
    "Said",
    "default_parts",
    "latest",
    "notes_call",
    "notes_of",
]

#: Every part.
ALL_PARTS: Final = frozenset(range(PARTS))
#: The refs whose swaps note every other part unless their writer says otherwise.
_BROADCAST: Final = (HEADS_PREFIX.encode(), PLACEMENT_PREFIX.encode())

#: A note's row: the ref's name, its new target, the part noted, the ref's own part.
Note = tuple[bytes, bytes | None, int, int]

#: The notes of a write, journaled after its swaps in its transaction (see the module).
NOTES: Final = """
WITH
nt AS (SELECT * FROM unnest(%(nname)s::bytea[], %(nnew)s::bytea[], %(npart)s::int[],
                            %(nown)s::int[]) WITH ORDINALITY AS nt (name, new, part, own, n)),
ok AS (
  SELECT nt.*, o.version AS origin FROM nt
  JOIN LATERAL (SELECT r.version, r.target FROM ref_journal_parts AS r
                WHERE r.part = nt.own AND r.name = nt.name
                ORDER BY r.version DESC LIMIT 1) AS o
    ON o.target IS NOT DISTINCT FROM nt.new
  WHERE EXISTS (SELECT 1 FROM gritwit_parts AS f WHERE f.part = nt.own AND f.read_by_parts)),
made AS (SELECT part, count(*) AS made FROM ok GROUP BY part),
writer AS (
  UPDATE gritwit_parts SET version = gritwit_parts.version + made.made FROM made
  WHERE gritwit_parts.part = made.part
  RETURNING gritwit_parts.part, gritwit_parts.version, made.made),
journal AS (
  INSERT INTO ref_journal_parts (part, version, name, target, origin)
  SELECT ok.part, writer.version - writer.made
         + row_number() OVER (PARTITION BY ok.part ORDER BY ok.n),
         ok.name, ok.new, ok.origin
  FROM ok JOIN writer ON writer.part = ok.part)
SELECT count(*) FROM writer"""
#: A reader that starts reading by parts: every part's flag set, in one statement (each
#: row's update waits for the writer that holds it, see the module).  It takes the locks
#: as a writer does (DUR-005.5): the gate shared, then the parts' rows in ascending order,
#: so that it and no writer wait for each other in a cycle.  Rows set already are
#: updated too, so that the reader waits for their writers as well.
JOIN: Final = (
    f"WITH g AS (SELECT 1 FROM gritwit_parts WHERE part = {GATE} FOR SHARE),"
    " l AS (SELECT part FROM gritwit_parts WHERE part >= 0 AND EXISTS (SELECT 1 FROM g)"
    " ORDER BY part FOR UPDATE)"
    " UPDATE gritwit_parts SET read_by_parts = true FROM l WHERE gritwit_parts.part = l.part"
)
NOTES_SQL: Final = Sql.of(
    NOTES,
    {"nname": BYTEA_ARRAY, "nnew": BYTEA_ARRAY, "npart": INT4_ARRAY, "nown": INT4_ARRAY},
    "gritwit_notes",
)


def default_parts(name: bytes) -> frozenset[int]:
    """The parts a swap of ``name`` notes when its writer did not say: every other part
    for a ``heads/`` or ``names/placement/`` ref, none for any other."""
    if name.startswith(_BROADCAST):
        return ALL_PARTS - {part_of(name)}
    return frozenset()


#: What a writer says of its next write: each ref's name → the new target it says it
#: of, and the parts that swap notes.
Said = Mapping[str, tuple[ObjectId | None, Iterable[int]]]


def notes_of(swaps: Iterable[tuple[bytes, bytes | None]], said: Said | None) -> list[Note]:
    """The notes of a write of ``swaps`` (a ref's name, its new target): each ref's parts
    as ``said`` names them for that very target, else :func:`default_parts`; never its
    own part."""
    notes: list[Note] = []
    for name, new in swaps:
        own = part_of(name)
        told = None if said is None else said.get(name.decode())
        parts = None
        if told is not None and (None if told[0] is None else told[0].digest) == new:
            parts = told[1]
        noted = default_parts(name) if parts is None else frozenset(parts) - {own}
        notes += [(name, new, part, own) for part in sorted(noted)]
    return notes


def notes_call(notes: Sequence[Note]) -> tuple[Sql, dict[str, object]]:
    """:data:`NOTES` for ``notes``, as a call of :func:`._pg_wire.pipeline`."""
    return NOTES_SQL, {
        "nname": [n[0] for n in notes],
        "nnew": [n[1] for n in notes],
        "npart": [n[2] for n in notes],
        "nown": [n[3] for n in notes],
    }


def latest(
    rows: Iterable[tuple[str, ObjectId | None, int, int, int | None]],
) -> list[tuple[str, ObjectId | None]]:
    """A reader of some parts: each ref's swap of highest origin, read from ``rows`` (name,
    target, part, version, origin — ``None`` for the swap's own row, whose origin is its
    version), each ref once, in the order first met."""
    best: dict[str, tuple[int, ObjectId | None]] = {}
    for name, target, _, version, origin in rows:
        at = version if origin is None else origin
        held = best.get(name)
        if held is None or at > held[0]:
            best[name] = (at, target)
    return [(name, target) for name, (_, target) in best.items()]


class Noting:
    """The parts the writes of each thread note, by ref name and target, and whether this
    process reads by parts yet (see the module)."""

    __slots__ = ("_local", "_unread")

    def __init__(self) -> None:
        self._local = threading.local()
        #: ``None``: not joined yet; else whether the swaps since a version read before
        #: joining are still to be answered unknown (the refs listed again).
        self._unread: bool | None = None

    @property
    def joined(self) -> bool:
        """Whether this process set the flags (:data:`JOIN`), as a reader of some parts."""
        return self._unread is not None

    @property
    def unread(self) -> bool:
        """Whether the next read by parts must list the refs (see :meth:`since`)."""
        return bool(self._unread)

    def since(
        self,
        conn: psycopg.Connection,
        version: Version | None,
        mine: frozenset[int],
        *,
        unread: bool = True,
    ) -> Version | None:
        """The version a read of the parts ``mine`` on ``conn`` (autocommit) reads after:
        ``version``, or ``None`` (the refs listed) when it is the first read of some parts
        since every part's flag was set.  Sets them (:data:`JOIN`) first, once, for a
        read of some parts or none (``unread``: the next such read lists the refs, as a
        version read before may lack notes skipped before the flags, DUR-005.5)."""
        if mine == ALL_PARTS:
            return version
        if self._unread is None:
            conn.execute(JOIN)
            self._unread = unread
        return None if self._unread else version

    def listed(self, mine: frozenset[int]) -> None:
        """A read of the parts ``mine`` was answered: if some, no later one lists."""
        if mine != ALL_PARTS and self._unread:
            self._unread = False

    def say(self, notes: Said) -> None:
        """This thread's next write notes each ref of ``notes`` in those parts only, when
        it swaps the ref to the target named with them."""
        self._local.said = notes

    def take(self) -> Said | None:
        """What this thread said last (``None``: nothing), kept: a write run again after a
        serialization failure (DUR-007.2) notes as its first attempt would have, and what
        is said of a ref applies only to a swap to the target named, so a later write of
        that swap notes the same parts, which are still its recipients'."""
        said: Said | None = getattr(self._local, "said", None)
        return said

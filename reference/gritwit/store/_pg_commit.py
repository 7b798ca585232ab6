"""A PostgreSQL write as one pipeline: one round trip to the server (DUR-005.4, DUR-005.5).

Every write of :class:`~gritwit.store.PostgresBackend` but erasure and a batch is a
set of objects to insert and a list of compare-and-swaps of distinct refs.  This
module sends that write in **one** round trip (one Sync): objects and at most one swap
as a pipeline of small statements in one transaction — ``BEGIN``, the gate, the part,
the objects, the swap with its step time (RUN-027.1), ``COMMIT`` — each planned as
cheaply as a statement of its own; several swaps (a whole group, RUN-017) as a
statement per table change — the locks, objects and updates of refs; the refs set from
unset; the refs deleted; the journal with the step times — where the first takes the
locks in common table expressions every other part of it reads first
(:data:`._pg_write_sql.WHOLE`).  The step times ride in a statement sent anyway, so a
write sends none for them (:data:`._pg_write_sql.STEP_TIMES` says why they stay exact).
No statement modifies one table twice (DUR-005.6: CockroachDB refuses it).  Either way
the write sits between a ``BEGIN`` and a ``COMMIT`` of its own: an explicit ``COMMIT``,
so that a commit the server refuses (``SERIALIZABLE``: "canceled on commit attempt") is
that statement's answer, not an answer to the Sync that psycopg does not expect (it
then cannot leave the pipeline: "cannot exit pipeline mode while busy", seen in the
kill family at ``SERIALIZABLE``).  The protocol's implicit transaction (the statements
up to a Sync, a second Sync before the wake-up and the read after) would save those two
statements, about 0.01 ms of the server's CPU and as much of the client's a write
(measured); it is not taken.  A refused commit would then be the Sync's answer, which
libpq 18 gives as an error before the Sync's own result (tried), but no other libpq a
psycopg wheel this package accepts may carry was; and what follows the first Sync —
the wake-up, the read — would run after a failed write, where an error now skips it.

* **Locks in one order** (DUR-005.5, :mod:`._pg_schema`).  The write takes the gate
  row ``FOR SHARE`` (erasure and batches take it ``FOR UPDATE``), then the rows of the
  parts of the refs it swaps, in ascending order (``ORDER BY part FOR UPDATE``, every
  row fetched; an objects-only write takes the part of its first id, to count its
  commit), and only then inserts its objects, in id order.  A writer that waits for a
  part's row has inserted nothing yet, and two writers inserting common ids insert them in one
  order, so no two writers wait for each other in a cycle; writers of different parts
  do not wait at all.  The first part's ``commits`` counts the commit.
* **Objects** come as two arrays (``unnest``) and are inserted unless their id is
  erased (RUN-011); a stored corrupt copy is mended (STO-002.3), equal bytes stay
  (STO-002.2).
* **Swaps** come as arrays: name, expected target, new target (``NULL``: unset or
  delete), part, numbered in their order.  A swap's new target must be stored and not
  erased (REF-003).  Each is conditional on the value compared (an ``UPDATE … WHERE
  target = expected``, an ``INSERT … ON CONFLICT DO NOTHING``, a ``DELETE … WHERE
  target = expected``), so it is a compare-and-swap for every concurrent writer
  (DUR-003); under ``REPEATABLE READ`` or ``SERIALIZABLE`` the server answers a race
  with a serialization failure, and the whole write is run again (:mod:`._pg_retry`).
* **The journal of each part** (RUN-003.1, RUN-020.5) is numbered from its row
  (``version``), raised by the swaps of that part made.  Only the holder of the part's
  row updates it, and under ``READ COMMITTED`` each statement after the lock sees the
  previous holder's commit, so a part's versions follow commit order without gaps: the
  argument of :mod:`._postgres`'s module holds for each part.  A part's journal is
  pruned by the write after the one that raised its version to a multiple of ``every``
  (:func:`due`): pruning and journaling are two changes of one table.
* **All or nothing** (``whole=True``): when any swap would not happen the statement
  that makes it fails (:data:`LOST`) and the server keeps nothing of the transaction; the
  caller falls back to a swap at a time (RUN-017.4 decides which members are lost).
* **A wake-up** (RUN-020.6): with ``notify``, a write that swapped refs ends its
  pipeline with a statement of its own, its own transaction after the write's
  ``COMMIT``, that runs ``pg_notify`` on the store's channel with
  ``synchronous_commit`` off for that transaction alone.  The server
  serializes the commits of notifying transactions on one lock, held through a
  synchronous commit's flush; outside the write's transaction, and not waiting for a
  flush, it is held for a moment only.  A notification lost in a crash costs a waiting
  runtime its timeout, never a message: it is a hint (RUN-003).
* **Sent on libpq's own calls** (:mod:`._pg_wire`): the statements' parameters in
  binary, each statement of a write prepared once per connection (the server plans it
  once: planning a whole write took about 0.4 ms of its CPU), the answers read in
  binary.  Through psycopg's cursors the client spent about 50 µs of Python per
  statement; and psycopg recorded a statement as prepared when it sent it, so after a
  serialization failure early in a pipeline (the server skipped the later preparation)
  it named a statement the server never made ("prepared statement _pg3_8 does not
  exist", seen in the kill family at ``SERIALIZABLE``).  A failed transaction is rolled
  back there too: psycopg deallocates every prepared statement after a ``ROLLBACK`` it sees.
* **Plans by key.**  Each existence check of an id or a name is a lookup by its key
  (``LATERAL … LIMIT 1``): a plan made once, while a new store's tables are a few pages,
  must stay right as they grow (an ``EXISTS`` in an ``OR`` scanned all of ``objects``).

Erasure (RUN-011), batches and the test hook that flips a bit keep their own
transaction, behind the gate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import psycopg
from psycopg import pq

from .._ids import ObjectId
from . import _backend, _pg_notes, _pg_wire, _pg_write_sql
from ._backend import CasResult, CasStatus
from ._pg_schema import part_of
from ._pg_wire import BOOL, BYTEA, BYTEA_ARRAY, INT4, INT4_ARRAY, INT8, TEXT, Sql
from ._pg_write_sql import SHARE_GATE
from ._refs import HEADS_PREFIX

__all__ = [
    "ERASED",
    "LOST",
    "Swap",
    "SwapsLost",
    "due",
    "insert",
    "journal_swaps",
    "run",
    "wake",
]

#: The text a whole write fails with when a swap would not happen: the statement casts
#: it to an integer, so the server raises ``invalid_text_representation`` and rolls
#: back everything the transaction did.
LOST: Final = "gritwit: a swap of this commit would not happen"

#: The text a write guarded by a count of erasures (``erased``) fails with when the
#: store's count moved past it: an erasure came after the writer's last read of the
#: count (RUN-011.3).  Cast to an integer, as :data:`LOST`.
ERASED: Final = "gritwit: an erasure came after the writer's read of the count"

#: A compare-and-swap: the ref's name, the target expected (``None``: unset) and the new
#: target (``None``: delete).
Swap = tuple[str, ObjectId | None, ObjectId | None]

_NONE: Final[Mapping[str, object]] = {}
_OBJECT_TYPES: Final = {"oid": BYTEA_ARRAY, "odata": BYTEA_ARRAY}
_WRITE_TYPES: Final = {"whole": BOOL, "lost": TEXT, "kept": INT8, "every": INT8}
_GUARD_SQL: Final = Sql.of(_pg_write_sql.GUARD, {"erased": INT8, "gone": TEXT}, "gritwit_guard")
_BEGIN_SQL: Final = Sql.of("BEGIN", {})
_COMMIT_SQL: Final = Sql.of("COMMIT", {})
_WAKE_SQL: Final = Sql.of(_pg_write_sql.WAKE, {"channel": TEXT})
#: The statements of a write, each prepared once per connection (:mod:`._pg_wire`).
_GATE_AND_PART_SQL: Final = Sql.of(
    _pg_write_sql.GATE_AND_PART,
    {"part": INT4, "kept": INT8, "every": INT8},
    "gritwit_gate_and_part",
)
_GATE_AND_PARTS_SQL: Final = Sql.of(
    _pg_write_sql.GATE_AND_PARTS,
    {"part": INT4, "parts": INT4_ARRAY, "kept": INT8, "every": INT8},
    "gritwit_gate_and_parts",
)
_INSERT_SQL: Final = Sql.of(_pg_write_sql.INSERT, _OBJECT_TYPES, "gritwit_insert")
_ARRAYS: Final = {"name": BYTEA_ARRAY, "old": BYTEA_ARRAY, "new": BYTEA_ARRAY}
_WHOLE_SQL: Final = Sql.of(
    _pg_write_sql.WHOLE,
    {
        **_OBJECT_TYPES,
        **_ARRAYS,
        "lost": TEXT,
        "kept": INT8,
        "every": INT8,
        "erased": INT8,
        "gone": TEXT,
        "part": INT4_ARRAY,
        "parts": INT4_ARRAY,
        "jpart": INT4_ARRAY,
    },
    "gritwit_whole",
)
_WHOLE_INSERT_SQL: Final = Sql.of(
    _pg_write_sql.WHOLE_INSERT, {**_ARRAYS, "lost": TEXT, "many": INT8}, "gritwit_whole_insert"
)
_WHOLE_DELETE_SQL: Final = Sql.of(
    _pg_write_sql.WHOLE_DELETE, {**_ARRAYS, "lost": TEXT, "many": INT8}, "gritwit_whole_delete"
)
_WHOLE_JOURNAL_SQL: Final = Sql.of(
    _pg_write_sql.WHOLE_JOURNAL,
    {
        **_ARRAYS,
        "part": INT4_ARRAY,
        "first": INT4,
        "npart": INT4_ARRAY,
        "nsrc": INT4_ARRAY,
        "many": INT8,
        "steps": BYTEA_ARRAY,
    },
    "gritwit_whole_journal",
)
_WHOLE_JOURNAL_PLAIN_SQL: Final = Sql.of(
    _pg_write_sql.WHOLE_JOURNAL_PLAIN,
    {**_ARRAYS, "part": INT4_ARRAY, "first": INT4, "steps": BYTEA_ARRAY},
    "gritwit_whole_journal_plain",
)
_SWAP_ONE_SQL: Final = {
    kind: Sql.of(
        _pg_write_sql.SWAP_ONE.format(change=change),
        {**_WRITE_TYPES, "name": BYTEA, "old": BYTEA, "new": BYTEA, "part": INT4, "step": BYTEA},
        f"gritwit_swap_{kind}",
    )
    for kind, change in _pg_write_sql.CHANGE.items()
}


def _sorted(objects: Sequence[tuple[ObjectId, bytes]]) -> dict[str, object]:
    """``objects`` as the arrays of :data:`_pg_write_sql.INSERT`: each id once (its first bytes), in
    id order (the order every writer inserts in)."""
    unique = {oid.digest: data for oid, data in reversed(objects)}
    ids = sorted(unique)
    return {"oid": ids, "odata": [bytes(unique[d]) for d in ids]}


def insert(conn: psycopg.Connection, objects: Sequence[tuple[ObjectId, bytes]]) -> set[bytes]:
    """Insert ``objects`` in one statement inside the caller's transaction (a batch's);
    the digests of those the store did not hold before (RUN-022.1)."""
    params = _sorted(objects)
    if not params["oid"]:
        return set()
    row = conn.execute(_pg_write_sql.INSERT, params, binary=True).fetchone()
    return _digests(None if row is None else row[0])


def journal_swaps(
    conn: psycopg.Connection,
    swaps: Sequence[tuple[bytes, bytes | None]],
    journal: tuple[int, int],
    said: _pg_notes.Said | None = None,
) -> None:
    """Journal ``swaps`` (a ref's name and new target), in order, each in its part, and
    their notes (as ``said``, else the defaults, :mod:`._pg_notes`), inside a batch's
    transaction, which holds the gate alone; and prune each part whose
    versions passed a multiple of ``journal[1]`` down to ``journal[0]`` rows."""
    if not swaps:
        return
    rows = conn.execute(
        _pg_write_sql.JOURNAL,
        {
            "name": [name for name, _ in swaps],
            "new": [target for _, target in swaps],
            "part": [part_of(name) for name, _ in swaps],
        },
        binary=True,
    ).fetchall()
    notes = _pg_notes.notes_of(swaps, said)  # what its writer said, else the defaults
    if notes:
        conn.execute(_pg_notes.NOTES, _pg_notes.notes_call(notes)[1], binary=True)
    heads = step_heads((name, ObjectId(new)) for name, new in swaps if new is not None)
    if heads is not None:  # RUN-027.1
        conn.execute(_pg_write_sql.STEP_TIMES, heads, binary=True)
    kept, every = journal
    for part, version, made in rows:
        if due(version - made, made, every):
            conn.execute(
                "DELETE FROM ref_journal_parts WHERE part = %s AND version <= %s",
                (part, version - kept),
            )


def step_heads(
    swaps: Iterable[tuple[bytes, ObjectId | None]],
) -> dict[str, object] | None:
    """The parameters of :data:`._pg_write_sql.STEP_TIMES` for the ``heads/`` refs among
    ``swaps`` (a ref's name and new target) given a step, ``None`` when there are none."""
    heads = _heads(swaps)
    if not heads:
        return None
    return {"name": [name for name, _ in heads], "new": [new for _, new in heads]}


#: The ``heads/`` prefix as a ref name is stored (bytes), and its length.
_HEADS: Final = HEADS_PREFIX.encode()
_HEADS_LEN: Final = len(_HEADS)


def _heads(swaps: Iterable[tuple[bytes, ObjectId | None]]) -> list[tuple[bytes, bytes]]:
    """The ``heads/`` refs among ``swaps`` given a step, with its digest: the steps whose
    time the write records (RUN-027.1)."""
    return [
        (name, new.digest) for name, new in swaps if new is not None and name[:_HEADS_LEN] == _HEADS
    ]


def due(start: int, made: int, every: int) -> bool:
    """Whether a write that raises a part's version from ``start`` by ``made`` prunes its
    journal: when ``start`` … ``start + made - 1`` holds a multiple of ``every``.  The
    write that reaches a multiple does not prune, the next one of that part does (a
    write of one swap prunes before it knows whether it swaps, down to ``start`` minus
    what is kept: :data:`_pg_write_sql.GATE_AND_PART`), so that a statement never both journals and
    prunes (DUR-005.6); a part keeps at least ``kept`` rows and at most ``kept + every``
    (RUN-003.1)."""
    return -(-(start + made) // every) != -(-start // every)


class SwapsLost(Exception):
    """A whole write (``whole=True``) not made: one of its swaps would not happen."""


def run(
    conn: psycopg.Connection,
    objects: Sequence[tuple[ObjectId, bytes]],
    swaps: Sequence[Swap],
    *,
    journal: tuple[int, int],
    whole: bool = False,
    notify: str | None = None,
    erased: int | None = None,
    follow: tuple[_pg_wire.Sql, Mapping[str, object]] | None = None,
    followed: list[pq.abc.PGresult] | None = None,
    notes: _pg_notes.Said | None = None,
) -> tuple[list[CasResult], set[bytes]]:
    """Insert ``objects`` and make ``swaps`` (distinct refs) in one transaction on
    ``conn``, in autocommit mode, sent as one pipeline: one round trip (DUR-005.4).

    Returns each swap's result in order, and the digests of the objects the store did not
    hold before (stored or erased: RUN-022.1), which it stored.  A swap's result is
    ``SWAPPED`` (the ref now holds the new target), ``MISSING_TARGET`` (REF-003) or
    ``CONFLICT`` (REF-004.3) with the value the ref held.  More than one swap needs
    ``whole``: then it raises :class:`SwapsLost` unless every swap happened, and nothing
    of the transaction is kept.  ``journal`` is the swaps each part's journal keeps at
    least and how often it is pruned (:data:`._postgres.JOURNAL_KEPT`,
    :data:`._postgres.JOURNAL_PRUNE_EVERY`).  A swap from unset to unset changes no row
    and is made by :func:`_swap_unset`.  ``notify``: the store's channel, woken after a
    commit that swapped refs (see the module).  ``erased``: the count of erasures the
    writer last read; the write is refused when the store's count is another
    (:class:`~gritwit.store.ErasedSince`, nothing kept, RUN-011.3).  ``follow``: a read
    sent after the write's ``COMMIT`` (and wake-up), in the same round trip; its answer
    is appended to ``followed`` when the write was made and the read answered (RUN-020.7).
    ``notes``: the parts each swapped ref notes (:mod:`._pg_notes`; a ref not named, or
    ``None``, notes its default parts).
    """
    names = [name.encode() for name, _, _ in swaps]
    if len(set(names)) != len(names) or (len(swaps) > 1 and not whole):
        raise ValueError("one statement swaps refs each at most once, several only whole")
    params = _sorted(objects)
    if any(old is None and new is None for _, old, new in swaps):
        if len(swaps) > 1:
            raise SwapsLost("a whole commit swaps no ref from unset to unset")
        return _swap_unset(conn, params, names[0], journal)  # neither guarded nor followed
    noted = _pg_notes.notes_of(
        zip(names, (None if new is None else new.digest for _, _, new in swaps), strict=True),
        notes,
    )
    parts = sorted({part_of(name) for name in names})
    if not parts:
        if not params["oid"]:
            return [], set()
        parts = [part_of(params["oid"][0])]  # type: ignore[index]
    calls = _calls(params, names, swaps, parts, journal, whole, notify, erased, noted)
    if follow is not None:
        calls.append(follow)
    try:
        answers = _pg_wire.pipeline(conn, calls, tail=0 if follow is None else 1)
    except psycopg.Error as failed:
        _end_failed(conn)
        if isinstance(failed, psycopg.errors.InvalidTextRepresentation):
            if whole and LOST in str(failed):
                raise SwapsLost(str(failed)) from None
            if ERASED in str(failed):
                raise _backend.ErasedSince("RUN-011.3: " + ERASED) from None
        raise
    if follow is not None and followed is not None and answers[-1] is not None:
        followed.append(answers[-1])
    guarded = 1 if erased is not None and len(swaps) <= 1 else 0
    # the answers: after BEGIN, the whole write (several swaps) or the gate and part, the
    # objects (when any) and the swap (when one)
    rows: list[tuple[bool, bool, bytes | None]] = []
    if len(swaps) > 1:  # whole: each swap made, or the pipeline failed (SwapsLost)
        answer = answers[1]
        assert answer is not None
        rows = [(True, True, None)] * len(swaps)
        fresh = _digests(_pg_wire.bytea_array(answer.get_value(0, 1)) if answer.ntuples else None)
    else:
        put = answers[2 + guarded] if params["oid"] else None
        fresh = _digests(None if put is None else _pg_wire.bytea_array(put.get_value(0, 0)))
        if swaps:
            one = answers[(3 if params["oid"] else 2) + guarded]
            assert one is not None
            rows.append(_swap_row(one, 0))
    results = []
    for (_, _, new), (swapped, present, current) in zip(swaps, rows, strict=True):
        held = None if current is None else ObjectId(current)
        if swapped:
            results.append(CasResult(CasStatus.SWAPPED, new))
        elif not present:
            results.append(CasResult(CasStatus.MISSING_TARGET, held))
        else:
            results.append(CasResult(CasStatus.CONFLICT, held))
    return results, fresh


def _swap_row(result: pq.abc.PGresult, row: int) -> tuple[bool, bool, bytes | None]:
    """A swap's answer in binary: swapped, target present, the ref's value."""
    current = result.get_value(row, 2)
    return (
        result.get_value(row, 0) == b"\x01",
        result.get_value(row, 1) == b"\x01",
        None if current is None else bytes(current),
    )


def _calls(
    params: dict[str, object],
    names: list[bytes],
    swaps: Sequence[Swap],
    parts: list[int],
    journal: tuple[int, int],
    whole: bool,
    notify: str | None,
    erased: int | None = None,
    notes: Sequence[_pg_notes.Note] = (),
) -> list[tuple[_pg_wire.Sql, Mapping[str, object]]]:
    """The statements of :func:`run`, in order: ``BEGIN``, the write (for several swaps
    :func:`_whole`'s; the gate and part, the erasure guard when ``erased``, the objects,
    the swap for one), ``COMMIT`` — an
    explicit one, so a commit the server refuses (``SERIALIZABLE``) is that statement's
    answer — and the wake-up."""
    calls: list[tuple[_pg_wire.Sql, Mapping[str, object]]] = [(_BEGIN_SQL, _NONE)]
    if len(swaps) > 1:  # a statement per table modified (DUR-005.6), the locks first
        calls.extend(_whole(params, names, swaps, parts, journal, erased, notes))
    elif notes:  # the parts noted locked with the swap's, in ascending order (DUR-005.5)
        every = sorted({*parts, *(n[2] for n in notes)})
        calls.append(
            (
                _GATE_AND_PARTS_SQL,
                {"part": parts[0], "parts": every, "kept": journal[0], "every": journal[1]},
            )
        )
    else:
        # small statements, each planned once: the gate, the part, the objects, the swap
        calls.append(
            (_GATE_AND_PART_SQL, {"part": parts[0], "kept": journal[0], "every": journal[1]})
        )
    if len(swaps) <= 1:
        if erased is not None:  # after the gate, which erasure takes alone (RUN-011.3)
            calls.append((_GUARD_SQL, {"erased": erased, "gone": ERASED}))
        if params["oid"]:
            calls.append((_INSERT_SQL, params))
        if swaps:
            calls.append(
                (_SWAP_ONE_SQL[_change(swaps[0])], _one(names[0], swaps[0], journal, whole))
            )
    if notes and len(swaps) <= 1:  # after the swap it repeats (a whole write's: its journal)
        calls.append(_pg_notes.notes_call(notes))
    calls.append((_COMMIT_SQL, _NONE))
    if notify is not None and swaps:
        wakes = wake_call(notify)
        if wakes is not None:
            calls.append(wakes)
    return calls


def wake(conn: psycopg.Connection, channel: str) -> None:
    """Notify ``channel`` in a statement of its own, its own transaction, that does not
    wait for its flush (``synchronous_commit`` off for that transaction alone, RUN-020.6):
    sent after a batch's commit."""
    conn.execute(_pg_write_sql.WAKE, {"channel": channel}, prepare=False)


def wake_call(channel: str) -> tuple[_pg_wire.Sql, Mapping[str, object]] | None:
    """:func:`wake` as the last statement of a write's pipeline (RUN-020.6)."""
    return _WAKE_SQL, {"channel": channel}


def _change(swap: Swap) -> str:
    _, old, new = swap
    return "insert" if old is None else "delete" if new is None else "update"


def _one(name: bytes, swap: Swap, journal: tuple[int, int], whole: bool) -> dict[str, object]:
    _, old, new = swap
    return {
        "step": next((step for _, step in _heads([(name, new)])), None),  # RUN-027.1
        "name": name,
        "old": None if old is None else old.digest,
        "new": None if new is None else new.digest,
        "part": part_of(name),
        "whole": whole,
        "lost": LOST,
        "kept": journal[0],
        "every": journal[1],
    }


def _whole(
    params: dict[str, object],
    names: list[bytes],
    swaps: Sequence[Swap],
    parts: list[int],
    journal: tuple[int, int],
    erased: int | None = None,
    notes: Sequence[_pg_notes.Note] = (),
) -> list[tuple[_pg_wire.Sql, Mapping[str, object]]]:
    """The statements of a whole write of several ``swaps``: the locks, objects and
    updates (:data:`_pg_write_sql.WHOLE`); the inserts and the deletes, when there are any; the
    journal.  Each fails the transaction unless all its swaps are made (:data:`LOST`)."""
    old = [None if old is None else old.digest for _, old, _ in swaps]
    new = [None if new is None else new.digest for _, _, new in swaps]
    part = [part_of(name) for name in names]
    if notes:  # the parts noted are locked too, in the one ascending order (DUR-005.5)
        parts = sorted({*parts, *(n[2] for n in notes)})
    calls: list[tuple[_pg_wire.Sql, Mapping[str, object]]] = [
        (
            _WHOLE_SQL,
            {
                **params,
                "name": names,
                "old": old,
                "new": new,
                "part": part,
                "parts": parts,
                "jpart": [*part, *(n[2] for n in notes)],
                "lost": LOST,
                "kept": journal[0],
                "every": journal[1],
                "erased": -1 if erased is None else erased,
                "gone": ERASED,
            },
        )
    ]
    for sql, kind in ((_WHOLE_INSERT_SQL, "insert"), (_WHOLE_DELETE_SQL, "delete")):
        mine = [i for i, swap in enumerate(swaps) if _change(swap) == kind]
        if mine:
            calls.append(
                (
                    sql,
                    {
                        "name": [names[i] for i in mine],
                        "old": [old[i] for i in mine],
                        "new": [new[i] for i in mine],
                        "lost": LOST,
                        "many": len(mine),
                    },
                )
            )
    place = {name: i for i, name in enumerate(names, 1)}  # each swap's, as ORDINALITY
    journaled = {
        "name": names,
        "new": new,
        "part": part,
        "first": min(part),  # a part it journals a swap in
        "npart": [n[2] for n in notes],
        "nsrc": [place[n[0]] for n in notes],
        "many": len(names),
        # RUN-027.1: every swap was made once the journal runs, or the write failed
        "steps": [step for _, step in _heads(zip(names, (n for _, _, n in swaps), strict=True))],
    }
    calls.append((_WHOLE_JOURNAL_SQL if notes else _WHOLE_JOURNAL_PLAIN_SQL, journaled))
    return calls


def _end_failed(conn: psycopg.Connection) -> None:
    """After an error in a pipeline's explicit transaction: the server skipped the rest
    (``COMMIT`` too) and keeps the transaction failed until a ``ROLLBACK``, which ends it
    with nothing kept."""
    _pg_wire.rollback(conn)  # not psycopg's: it would deallocate every prepared statement


def _digests(values: Sequence[bytes] | None) -> set[bytes]:
    return {bytes(digest) for digest in values or ()}


def _swap_unset(
    conn: psycopg.Connection,
    objects: dict[str, object],
    name: bytes,
    journal: tuple[int, int],
) -> tuple[list[CasResult], set[bytes]]:
    """A swap from unset to unset (it changes no ref, yet is journaled when the ref is
    unset, REF-004.2), with ``objects``, in one transaction of its own: rare enough to
    take a few round trips."""
    part = part_of(name)
    with conn.transaction():
        conn.execute(SHARE_GATE)
        conn.execute(_pg_write_sql.TAKE_PART, {"part": part})
        fresh = _digests(
            conn.execute(_pg_write_sql.INSERT, objects, binary=True).fetchone()[0]  # type: ignore[index]
            if objects["oid"]
            else None
        )
        row = conn.execute("SELECT target FROM refs WHERE name = %b", (name,)).fetchone()
        if row is not None:
            return [CasResult(CasStatus.CONFLICT, ObjectId(bytes(row[0])))], fresh
        journal_swaps(conn, [(name, None)], journal)
    return [CasResult(CasStatus.SWAPPED, None)], fresh

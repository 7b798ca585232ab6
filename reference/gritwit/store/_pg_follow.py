"""The journal read a write carries along: a run's catch-up in its commit's round trip (RUN-020.7).

A runtime catches up with the refs by reading the journal of swaps
(:meth:`~gritwit.store.PostgresBackend.refs_changed_since`, one round trip).  A run
that commits ends in a write, and another round trip: the journal read can ride on
it, sent after the write's ``COMMIT`` in the same pipeline (:mod:`._pg_commit`), so
that the next run starts from what it read and needs no read of its own
(:meth:`Follow.ask`, then the write, then :meth:`Follow.answer`).  A run that starts
from such a read skips erasures that returned after it: each write it makes until it
reads the journal again is guarded by the count of erasures that read brought, and
refused when the store's count is another (:class:`~gritwit.store.ErasedSince`,
RUN-011.3).

What a caller asks is its thread's, and taken by its next write of one or more swaps
(the runtime asks just before its group commit and takes the answer just after it, on
one thread); a write that fails, or whose read the server refused, leaves no answer,
and the caller reads on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import pq

from .._ids import ObjectId
from . import _pg_ahead, _pg_commit
from ._backend import CasResult, ErasedSince, Version
from ._pg_notes import ALL_PARTS
from ._pg_schema import PARTS

__all__ = ["Answer", "Follow", "changes_since", "journal_answer"]

#: A journal read's answer: the ref version now and the swaps since (``None``: unknown).
Answer = tuple[Version, list[tuple[str, ObjectId | None]] | None]


def journal_answer(
    version: Sequence[int],
    now: dict[int, int],
    swaps: list[tuple[str, ObjectId | None]],
    parts: int,
    kept: int,
    mine: frozenset[int] | None = None,
) -> Answer:
    """The answer to a read after ``version`` that found each part at ``now`` and
    ``swaps`` after it: the swaps unknown (``None``) when a part of ``version`` read
    (``mine``; ``None``: every part) is older than the ``kept`` swaps a part's journal
    keeps, or newer than the part now (a version this store never reported)."""
    vector = tuple(now[part] for part in range(parts))
    if not all(
        n - kept <= v <= n
        for p, (v, n) in enumerate(zip(version, vector, strict=True))
        if mine is None or p in mine
    ):
        return vector, None
    return vector, swaps


def changes_since(
    conn: psycopg.Connection,
    version: Version | None,
    ahead: _pg_ahead.ReadAhead,
    kept: int,
    mine: frozenset[int] = ALL_PARTS,
) -> tuple[Answer, int]:
    """The ref version now, and the swaps after ``version`` (``None``: unknown), read on
    ``conn`` alone; and the count of erasures, read with them.

    A version is a vector: the swaps journaled so far in each part (DUR-005.5).  The
    swaps come part after part, each part's in order, each as the ref's name and its
    new target, a name again each time it was swapped again (a ref is in one part, so
    its swaps are in order); they are unknown for ``version`` ``None``, one this store
    never reported, or one of whose parts read is older than the ``kept`` swaps the
    journal keeps.  Only the parts ``mine`` are read: then each ref comes once, at its
    newest swap or note (:mod:`._pg_notes`).  One ``SELECT``, so one snapshot (see
    :mod:`._pg_ahead`): the version and the swaps agree; the count of erasures is read
    in it so that a runtime that takes the heads it caught up with as its transitions'
    hints checks their blobs against every erasure before it (RUN-011.3, DUR-005.4).
    """
    if not isinstance(version, tuple) or len(version) != PARTS or min(version) < 0:
        vector, erased = _pg_ahead.read_versions(conn)  # none it could have reported
        return (vector, None), erased
    # one statement, on libpq's own calls, answered in binary (DUR-005.4)
    now, swaps, erased = _pg_ahead.read_changes(conn, version, kept, ahead, mine)
    return journal_answer(version, now, swaps, PARTS, kept, mine), erased


class Follow:
    """What the next write of each thread reads along, and its answer; ``ahead``: the
    backend's read-ahead, ``saw``: takes the count of erasures a read found."""

    __slots__ = ("_ahead", "_local", "_saw")

    def __init__(self, ahead: _pg_ahead.ReadAhead, saw: Callable[[int], None]) -> None:
        self._local = threading.local()
        self._ahead = ahead
        self._saw = saw

    def ask(
        self, version: Version | None, erased: int | None, mine: frozenset[int] = ALL_PARTS
    ) -> None:
        """This thread's next write reads the journal after ``version`` along, of the parts
        ``mine`` (:mod:`._pg_notes`); it and every later write of this thread until
        :meth:`answer` is refused when the store's count of erasures is not ``erased``
        (``None``: not guarded)."""
        self._local.asked = (version, erased)
        self._local.mine = mine
        self._local.answer = None

    def _take(self) -> tuple[Version | None, int | None]:
        """What was asked (the version, the erasure count): the read taken by a write,
        the guard kept for the commit's other writes."""
        asked: tuple[Version | None, int | None] | None = getattr(self._local, "asked", None)
        if asked is None:
            return None, None
        self._local.asked = (None, asked[1])
        return asked

    def check(self, conn: psycopg.Connection) -> None:
        """Inside a write transaction that holds the gate alone (a batch): refuse it when
        the count of erasures is not the one this thread's writes are guarded by."""
        asked: tuple[Version | None, int | None] | None = getattr(self._local, "asked", None)
        if asked is not None and asked[1] is not None:
            row = conn.execute("SELECT commits FROM gritwit_writer WHERE id = 3").fetchone()
            if row is None or int(row[0]) != asked[1]:
                raise ErasedSince("RUN-011.3: " + _pg_commit.ERASED)

    def answer(self) -> Answer | None:
        """The answer of the last write that read the journal along, taken (``None``:
        none did since :meth:`ask`); what was asked is dropped."""
        answer: Answer | None = getattr(self._local, "answer", None)
        self._local.asked = self._local.answer = None
        return answer

    def run(
        self,
        conn: psycopg.Connection,
        rows: Sequence[tuple[ObjectId, bytes]],
        swaps: Sequence[_pg_commit.Swap],
        *,
        journal: tuple[int, int],
        **options: Any,
    ) -> tuple[list[CasResult], set[bytes]]:
        """:func:`._pg_commit.run` on ``conn`` with the journal read and the erasure guard
        this thread asked for, if any (:meth:`ask`; ``journal`` as that function's)."""
        since, erased = self._take()
        if not isinstance(since, tuple) or len(since) != PARTS or min(since) < 0:
            return _pg_commit.run(conn, rows, swaps, journal=journal, erased=erased, **options)
        own = [new.digest for _, _, new in swaps if new is not None]
        mine: frozenset[int] = getattr(self._local, "mine", ALL_PARTS)
        call = _pg_ahead.changes_call(since, journal[0], self._ahead, own, mine)
        found: list[pq.abc.PGresult] = []
        done = _pg_commit.run(
            conn,
            rows,
            swaps,
            journal=journal,
            erased=erased,
            follow=call,
            followed=found,
            **options,
        )
        if found:
            now, changed, count = _pg_ahead.changes_read(found[0], self._ahead, mine)
            self._saw(count)
            self._local.answer = journal_answer(since, now, changed, PARTS, journal[0], mine)
        return done

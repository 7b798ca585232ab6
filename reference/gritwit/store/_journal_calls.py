"""A store's calls about its journal of swaps: what moved, read alone or along with a
write, and what a write notes (RUN-003.1, RUN-020.7, :mod:`._pg_notes`).

A part of :class:`~gritwit.store.Store`, apart so that each module has one job: every
call asks the backend where it has the call (PostgreSQL, SQLite), and answers for it
where it has not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .._ids import ObjectId
from ._backend import Version

if TYPE_CHECKING:
    from ._backend import Backend

__all__ = ["JournalCalls"]


class JournalCalls:
    """The journal calls of :class:`~gritwit.store.Store` (its ``backend`` and ``notes``)."""

    __slots__ = ()
    if TYPE_CHECKING:
        backend: Backend
        notes: bool

    def refs_changed_since(
        self, version: Version | None, parts: frozenset[int] | None = None
    ) -> tuple[Version | None, list[tuple[str, ObjectId | None]] | None]:
        """The ref version now and the swaps since ``version`` (name, new target or
        ``None``: deleted, in swap order), where the backend keeps a journal of swaps
        (every built-in one); else ``(None, None)``.  For a reader that keeps state derived
        from refs (the runtime's routing index, RUN-003.1).  ``None`` swaps: unknown, list
        them (no ``version``, or one older than the journal keeps).  One snapshot, for
        other processes' swaps as for this one's (:class:`~gritwit.store.Backend`'s module).
        ``parts``: a backend that notes (PostgreSQL) reads only those journal parts.
        """
        journal = getattr(self.backend, "refs_changed_since", None)
        if journal is None:
            return None, None
        noted = parts is not None and self.notes
        changes: tuple[Version, list[tuple[str, ObjectId | None]] | None] = (
            journal(version, parts) if noted else journal(version)
        )
        return changes

    def follow_journal(
        self, version: Version | None, erased: int | None, parts: frozenset[int] | None = None
    ) -> bool:
        """Whether the backend reads the journal along with a write (PostgreSQL, RUN-020.7):
        then this thread's next write of swaps reads what moved after ``version``
        (:meth:`followed`; of ``parts``, as :meth:`refs_changed_since`), refused
        (:class:`~gritwit.store.ErasedSince`) when the count of erasures is not ``erased``
        (RUN-011.3)."""
        follow = getattr(self.backend, "follow", None)
        if follow is not None:
            follow(version, erased, parts) if parts is not None and self.notes else follow(
                version, erased
            )
        return follow is not None

    def read_by_parts(self) -> None:
        """This process reads the journal by parts (``parts`` of :meth:`refs_changed_since`)
        from now on: where the backend notes (PostgreSQL), every part's writers journal
        their notes from now, which they skip while no reader reads by parts (DUR-005.5).
        Called before the version a first read by parts starts from is read."""
        if self.notes:
            self.backend.read_by_parts()  # type: ignore[attr-defined]

    def note_next(self, said: Mapping[str, tuple[ObjectId | None, Iterable[int]]]) -> None:
        """This thread's next write notes each ref ``said`` names, swapped to the target
        named, in those journal parts only, where the backend notes (PostgreSQL)."""
        if self.notes:
            self.backend.note(said)  # type: ignore[attr-defined]

    def followed(self) -> tuple[Version, list[tuple[str, ObjectId | None]] | None] | None:
        """What the journal read the last write carried along answered (``None``: none)."""
        followed = getattr(self.backend, "followed", None)
        return None if followed is None else followed()

"""The byte-level storage contract under a :class:`~gritwit.store.Store` (chapter *store and refs*).

A backend stores opaque bytes under an :class:`~gritwit.ObjectId` and a small
table of refs.  It knows nothing about encodings, hashes or ref-name grammar:
those rules live in :class:`~gritwit.store.Store`, once, for every backend.
What a backend must guarantee is the atomicity the rules rely on:

* :meth:`Backend.insert` is idempotent and never replaces the bytes of an object
  (STO-002, STO-006), except a corrupt copy, which it mends (STO-002.3);
* :meth:`Backend.cas_ref` compares, checks that the new target is present and
  swaps in **one** atomic step for every concurrent writer of the store
  (REF-003, REF-004, DUR-003);
* a durable backend keeps every insert and swap that returned across a process
  kill, each all-or-nothing (DUR-001, DUR-002).

The protocol is small on purpose, so that a distributed key-value store with a
conditional write could implement it.  A backend MAY also offer
``insert_many(items)`` — :meth:`Backend.insert` of each ``(oid, data)`` pair,
in one transaction where it has them; :meth:`~gritwit.store.Store.put_objects`
uses it when present (both built-in backends do).

A backend MAY also offer ``batch()``: a context manager giving a
:class:`BackendBatch` whose inserts and swaps all run in **one** write
transaction, committed (one sync on a durable backend) when the block ends and
rolled back if it raises.  Each swap keeps its own compare-and-swap semantics:
one that conflicts changes nothing and the others still apply (REF-004).  The
runtime's group commit uses it (RUN-017); both built-in backends offer it.

A backend MAY also offer ``contains_many(digests)``: the set of those digests under
which anything is stored, bytes or a tombstone — :meth:`Backend.contains` of many ids
in one read.  The runtime asks it which objects of its steps are new, to count the
bytes they add (RUN-022.1, RUN-023.1); every built-in backend offers it.

A backend MAY also offer ``read_many(oids)``: a dict of the bytes stored under each of
``oids``, absent ones (never stored, or erased) omitted — :meth:`Backend.read` of many ids
in a few reads; ``read_pages(oids)``, the same as an iterator of such dicts, each page
bounded by count and by bytes (``gritwit.store._paging.plan_pages``: an object of up to
80 MiB is a page alone), so a reader holds one page at a time; and
``tombstones_many(oids)``, the reasons of the erased ones among ``oids``
(:meth:`Backend.tombstone` of many).  Like :meth:`Backend.read`, they return bytes as
stored, unchecked: :meth:`~gritwit.store.Store.get_many` and
:meth:`~gritwit.store.Store.get_each` re-hash each (STO-004).  ``runtime verify``,
:meth:`~gritwit.store.Store.verify` and an actor's export read through them (RUN-009,
RUN-010); every built-in backend offers all three (memory: ``read_many`` and
``tombstones_many``).

A backend MAY also keep a journal of swaps and offer ``refs_changed_since(version)``,
returning ``(version_now, swaps)``: ``swaps`` lists every successful swap after
``version``, each ref's in commit order, each as the ref's name and its new target (``None``:
deleted), or is ``None`` when the backend cannot say (``version`` ``None``, one it
never reported, or older than the journal keeps).  A swap that conflicts or names an
absent target is not journaled; a batch's swaps are journaled in its transaction, so
they appear when it commits and never if it rolls back.  The version and the swaps
are read at one moment, and versions are prefix-closed: a later call never reveals
a swap at or below a version already reported.  A :data:`Version` is opaque to the
caller: an integer (memory, SQLite: one journal) or a vector of integers (PostgreSQL:
a journal per part of the refs, DUR-005.5).  The runtime's routing index reads it
to catch up with what moved instead of listing every ref (RUN-003.1); every
built-in backend keeps one (memory, SQLite, PostgreSQL).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from .._errors import StoreBusy
from .._ids import ObjectId

__all__ = [
    "Backend",
    "BackendBatch",
    "BatchAborted",
    "CasResult",
    "CasStatus",
    "ErasedSince",
    "Version",
]

#: A journal's version (``refs_changed_since``): an integer, or one per journal part.
Version = int | tuple[int, ...]


class ErasedSince(Exception):
    """A write guarded by the count of erasures its writer last read, not made: the
    store's count moved since, so a blob the writer read may be erased (RUN-011.3).
    Nothing of the write is kept."""


class BatchAborted(StoreBusy):
    """A batch the server aborted for a serialization failure or a deadlock, in its block
    or at its ``COMMIT`` (DUR-007.2): nothing of it was kept, and, its body being the
    caller's, the store did not run it again: ``store-busy`` (DUR-007.3) unless the
    caller runs it again as a new write, as a runtime's group commit does (RUN-017.4)."""


class CasStatus(enum.Enum):
    """How a :meth:`Backend.cas_ref` ended."""

    #: The ref held ``expected`` and now holds ``new``.
    SWAPPED = "swapped"
    #: The ref did not hold ``expected``; nothing changed (REF-004).
    CONFLICT = "conflict"
    #: ``new`` is not a stored object; nothing changed (REF-003).
    MISSING_TARGET = "missing-target"


@dataclass(frozen=True, slots=True)
class CasResult:
    """Outcome of a compare-and-swap, and the ref's value after it."""

    status: CasStatus
    current: ObjectId | None


class Backend(Protocol):
    """Bytes by id, and refs changed only by compare-and-swap."""

    def insert(self, oid: ObjectId, data: bytes) -> None:
        """Store ``data`` (whose hash is ``oid``) under ``oid``, unless ``oid`` is erased.

        Bytes already stored under ``oid`` that differ from ``data`` are a corrupt copy
        (they cannot hash to ``oid``) and are replaced by ``data`` (STO-002.3); equal
        bytes stay as they are (STO-002.2).
        """
        ...

    def read(self, oid: ObjectId) -> bytes | None:
        """The bytes stored under ``oid``, or ``None``."""
        ...

    def contains(self, oid: ObjectId) -> bool:
        """Whether anything is stored under ``oid``, bytes or a tombstone (RUN-011)."""
        ...

    def ids(self) -> Iterator[ObjectId]:
        """Every stored id, in byte order (ID-005)."""
        ...

    def erase(self, oid: ObjectId, reason: str) -> bool:
        """Atomically drop the bytes under ``oid`` and keep a tombstone with ``reason``
        (RUN-011).  Returns whether bytes were dropped (``False``: absent or already
        erased, nothing changes).  An erased id stays erased: a later
        :meth:`insert` of it stores nothing.
        """
        ...

    def tombstone(self, oid: ObjectId) -> str | None:
        """The reason ``oid`` was erased, or ``None`` when it was not (RUN-011)."""
        ...

    def get_ref(self, name: str) -> ObjectId | None:
        """The target of ref ``name``, or ``None`` when it is not set."""
        ...

    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """Atomically: if ``new`` is set and not stored, report ``MISSING_TARGET``;
        else if the ref holds ``expected`` (``None``: unset), set it to ``new``
        (``None``: delete it); else report ``CONFLICT``.  The result carries the
        value the ref holds afterwards.
        """
        ...

    def list_refs(self, prefix: str) -> list[tuple[str, ObjectId]]:
        """Refs whose name starts with ``prefix``, in bytewise name order (REF-006).

        All as they were at one moment, between swaps, never some before a swap and
        some after it: the runtime's routing index lists every head at once and
        relies on it (RUN-003.1).
        """
        ...

    def close(self) -> None:
        """Release resources; later calls raise :class:`ValueError`."""
        ...


class BackendBatch(Protocol):
    """Inserts and swaps inside one write transaction of a backend (see the module, RUN-017)."""

    def insert_many(self, items: Iterable[tuple[ObjectId, bytes]]) -> None:
        """:meth:`Backend.insert` of each ``(oid, data)`` item, inside the transaction."""
        ...

    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """:meth:`Backend.cas_ref` inside the transaction: it sees the batch's earlier writes."""
        ...

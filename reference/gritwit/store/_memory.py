"""An in-memory :class:`~gritwit.store.Backend`: two dicts behind one lock.

Nothing survives the process; it exists for tests and for callers that want the
store's rules without a file.  Every method holds the lock for its whole body,
so :meth:`MemoryBackend.cas_ref` is atomic for every thread of the process
(DUR-003); other processes cannot see this store at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Final, Self

from .._ids import ObjectId
from ._backend import CasResult, CasStatus
from ._paging import plan_pages
from ._refs import HEADS_PREFIX

__all__ = ["JOURNAL_KEPT", "MemoryBackend", "MemoryBatch"]

#: Most ref names the journal of swaps keeps (:meth:`MemoryBackend.refs_changed_since`).
JOURNAL_KEPT = 4096
#: The error of a call on a closed store (the hot methods test ``_closed`` inline).
CLOSED: Final = "the store is closed"
#: The length of the ``heads/`` prefix, sliced in a commit's loop.
_HEADS_LEN: Final = len(HEADS_PREFIX)
_new_id = tuple.__new__  # as ObjectId._trusted, without its frame


class MemoryBackend:
    """Objects and refs in process memory (not durable)."""

    __slots__ = (
        "_closed",
        "_journal",
        "_journal_start",
        "_lock",
        "_objects",
        "_refs",
        "_times",
        "_tombstones",
    )

    #: Its writes report which objects it did not hold (``fresh``, RUN-022.1): an insert
    #: sees whether an id has bytes or a tombstone as it writes, so a runtime counting
    #: what it adds reads nothing more.
    reports_fresh: Final = True

    def __init__(self) -> None:
        # re-entrant: a batch holds it, and the store's checks inside the batch read
        # through the backend (``Store.batch`` then a swap to an object stored before)
        self._lock = threading.RLock()
        self._objects: dict[bytes, bytes] = {}
        self._refs: dict[str, bytes] = {}
        self._tombstones: dict[bytes, str] = {}
        self._closed = False
        #: The refs swapped, in order, each with its new target (``None``: deleted): swap
        #: number ``_journal_start + i`` is ``_journal[i]``; the oldest half is dropped
        #: beyond :data:`JOURNAL_KEPT`.
        self._journal: list[tuple[str, ObjectId | None]] = []
        self._journal_start = 0
        #: Each step's time (RUN-027.1): when a swap first made it a head here.
        self._times: dict[bytes, float] = {}

    def refs_changed_since(
        self, version: int | None
    ) -> tuple[int, list[tuple[str, ObjectId | None]] | None]:
        """The ref version now, and the swaps after ``version`` (``None``: unknown).

        A version counts the swaps made so far.  The swaps come in order, each as
        the ref's name and its new target, a name again each time it was swapped
        again; they are unknown for ``version`` ``None``, or one older than the
        journal kept.
        """
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            start, journal = self._journal_start, self._journal
            now = start + len(journal)
            if version is None or not start <= version <= now:
                return now, None
            return now, journal[version - start :]

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(CLOSED)

    def insert(self, oid: ObjectId, data: bytes) -> None:
        with self._lock:
            self._check_open()
            # An erased id stays erased (RUN-011); absent bytes or a corrupt copy are
            # (re)written, the latter mended (STO-002.3).
            if oid.digest not in self._tombstones and self._objects.get(oid.digest) != data:
                self._objects[oid.digest] = data

    def insert_many(
        self, items: Iterable[tuple[ObjectId, bytes]], fresh: set[bytes] | None = None
    ) -> None:
        """:meth:`insert` of each item, under one acquisition of the lock; ``fresh``, when
        given, gets the digests of those it held neither as bytes nor erased (RUN-022.1)."""
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            self._insert_items(items, fresh)

    def _insert_items(
        self, items: Iterable[tuple[ObjectId, bytes]], fresh: set[bytes] | None = None
    ) -> None:
        """Insert objects; the caller holds the lock.  Erased ids stay erased (RUN-011);
        ``fresh`` as :meth:`insert_many`'s."""
        objects, tombstones = self._objects, self._tombstones
        for oid, data in items:
            digest = oid[0]  # oid.digest, without the property's call
            if digest in tombstones:
                continue
            held = objects.get(digest)
            if held is None:
                objects[digest] = data
                if fresh is not None:
                    fresh.add(digest)
            elif held != data:
                objects[digest] = data  # a corrupt copy mended (STO-002.3): held, not fresh

    def read(self, oid: ObjectId) -> bytes | None:
        """Exactly the bytes inserted under ``oid``, or ``None`` (STO-003.1)."""
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            return self._objects.get(oid.digest)

    def contains(self, oid: ObjectId) -> bool:
        """Whether ``oid`` has bytes or a tombstone (STO-005.1, RUN-011)."""
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            return oid.digest in self._objects or oid.digest in self._tombstones

    def contains_many(self, digests: Iterable[bytes]) -> set[bytes]:
        """The digests of ``digests`` with bytes or a tombstone (RUN-022.1), in one hold."""
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            objects, tombstones = self._objects, self._tombstones
            return {d for d in digests if d in objects or d in tombstones}

    def erase(self, oid: ObjectId, reason: str) -> bool:
        with self._lock:
            self._check_open()
            if self._objects.pop(oid.digest, None) is None:
                return False
            self._tombstones[oid.digest] = reason
            return True

    def erasures(self) -> int:
        """How many objects were ever erased: tombstones are never removed (RUN-011), so
        the count moves with every erasure, and a blob the runtime's cache found without a
        tombstone is not asked again until it does (RUN-011.3, :meth:`Store.erasures`)."""
        return len(self._tombstones)

    def erasure_counter(self) -> Callable[[], int]:
        """:meth:`erasures` as a callable of the dict's own: the same count, without a Python
        frame (the runtime's cache asks it at each read of a cached blob, RUN-011.3)."""
        return self._tombstones.__len__

    def tombstone(self, oid: ObjectId) -> str | None:
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            return self._tombstones.get(oid.digest)

    def ids(self) -> Iterator[ObjectId]:
        with self._lock:
            self._check_open()
            snapshot = sorted(self._objects)
        return (ObjectId(digest) for digest in snapshot)

    def get_ref(self, name: str) -> ObjectId | None:
        """The target of ref ``name``, or ``None`` when it is not set (REF-005)."""
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            target = self._refs.get(name)
        # a digest it was given: made as ObjectId._trusted makes it, without its frame
        return None if target is None else _new_id(ObjectId, (target,))

    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """The swap under the lock, atomic for every thread of the process (DUR-003)."""
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            return self._swap(name, expected, new)

    def insert_many_then_cas(
        self,
        items: Iterable[tuple[ObjectId, bytes]],
        name: str,
        expected: ObjectId | None,
        new: ObjectId | None,
        fresh: set[bytes] | None = None,
        wake: bool = True,  # no one to wake (RUN-020.6)
    ) -> CasResult:
        """:meth:`insert_many`, then :meth:`cas_ref`, under one acquisition of the lock (RUN-001).

        The objects are kept when the swap fails, as two separate calls would keep them.
        ``fresh`` as :meth:`insert_many`'s.
        """
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            self._insert_items(items, fresh)
            return self._swap(name, expected, new)

    def commit_all(
        self,
        items: Iterable[tuple[ObjectId, bytes]],
        swaps: Iterable[tuple[str, ObjectId | None, ObjectId | None]],
        fresh: set[bytes] | None = None,
        wake: bool = True,  # no one to wake (RUN-020.6)
    ) -> bool:
        """Insert ``items`` and make every swap of ``swaps`` (distinct refs, each new target
        among ``items``), under one hold of the lock, or nothing: ``False`` when any swap
        would not happen, and nothing is stored (RUN-017.2).  The caller then commits a
        swap at a time (:meth:`~gritwit.store.Store.commit_all`).  ``fresh`` as
        :meth:`insert_many`'s, when it made them."""
        planned = list(swaps)
        with self._lock:
            if self._closed:
                raise ValueError(CLOSED)
            refs, tombstones = self._refs, self._tombstones
            for name, expected, new in planned:  # ids' digests as [0], not .digest's call
                if refs.get(name) != (None if expected is None else expected[0]):
                    return False
                if new is not None and new[0] in tombstones:  # would be missing (REF-003)
                    return False
            self._insert_items(items, fresh)  # one frame a commit, not one an object
            journal, times, now = self._journal, self._times, time.time()
            for name, _, new in planned:  # as _swap, SWAPPED: checked above, targets inserted
                if new is None:  # _set(name, new), without its frame
                    refs.pop(name, None)
                else:
                    refs[name] = new[0]  # its digest
                    if name[:_HEADS_LEN] == HEADS_PREFIX and new[0] not in times:  # RUN-027.1
                        times[new[0]] = now
                journal.append((name, new))
                if len(journal) > JOURNAL_KEPT:  # as _set trims it
                    half = len(journal) // 2
                    del journal[:half]
                    self._journal_start += half
            return True

    def batch(self) -> MemoryBatch:
        """Many inserts and swaps under one acquisition of the lock (RUN-017): ``with`` it."""
        return MemoryBatch(self)

    def _swap(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """The compare-and-swap of ``name``; the caller holds the lock.

        A missing target fails (REF-003.1); a ref holding ``expected`` becomes ``new``
        (REF-004.2); any other value is a conflict and nothing changes (REF-004.3).
        """
        raw = self._refs.get(name)
        current = None if raw is None else ObjectId._trusted(raw)  # a digest it was given
        if new is not None and new.digest not in self._objects:
            return CasResult(CasStatus.MISSING_TARGET, current)
        if current != expected:
            return CasResult(CasStatus.CONFLICT, current)
        self._set(name, new)
        return CasResult(CasStatus.SWAPPED, new)

    def _set(self, name: str, new: ObjectId | None) -> None:
        """Set ``name`` to ``new`` (``None``: delete it) and journal it; the caller holds
        the lock and checked the swap (REF-004.2)."""
        if new is None:
            self._refs.pop(name, None)
        else:
            self._refs[name] = new[0]  # its digest
            if name.startswith(HEADS_PREFIX):  # RUN-027.1: the first time it is a head here
                self._times.setdefault(new[0], time.time())
        journal = self._journal
        journal.append((name, new))
        if len(journal) > JOURNAL_KEPT:
            half = len(journal) // 2
            del journal[:half]
            self._journal_start += half

    def step_times(self, oids: Iterable[ObjectId]) -> dict[ObjectId, float]:
        """The recorded time of each of ``oids`` that has one (RUN-027.1)."""
        with self._lock:
            times = self._times
            return {oid: times[oid.digest] for oid in oids if oid.digest in times}

    def list_refs(self, prefix: str) -> list[tuple[str, ObjectId]]:
        """Refs whose name starts with ``prefix``, in bytewise name order (REF-006)."""
        with self._lock:
            self._check_open()
            found = [(name, t) for name, t in self._refs.items() if name.startswith(prefix)]
        found.sort(key=lambda item: item[0].encode("utf-8"))
        return [(name, ObjectId(target)) for name, target in found]

    def read_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, bytes]:
        """The bytes stored under each of ``oids``, absent ones omitted (STO-003.1), in one hold."""
        with self._lock:
            self._check_open()
            objects = self._objects
            return {oid: objects[oid.digest] for oid in oids if oid.digest in objects}

    def read_pages(self, oids: Iterable[ObjectId]) -> Iterator[dict[ObjectId, bytes]]:
        """:meth:`read_many` a page at a time, each bounded by count and bytes as the
        durable backends' are (:func:`~gritwit.store._paging.plan_pages`)."""
        with self._lock:
            self._check_open()
            objects = self._objects
            sizes = [
                (oid.digest, len(objects[oid.digest])) for oid in oids if oid.digest in objects
            ]
        for page in plan_pages(sizes):
            yield self.read_many(ObjectId(digest) for digest in page)

    def starts(
        self, digests: list[bytes], prefix: int, whole: int
    ) -> dict[bytes, tuple[int, bytes]]:
        """The length of the bytes stored under each of ``digests`` and the bytes
        themselves where they are at most ``whole``, else their first ``prefix`` bytes;
        absent ones omitted; in one hold (a read-ahead plans by them)."""
        with self._lock:
            self._check_open()
            objects = self._objects
            held = [(d, objects[d]) for d in digests if d in objects]
        return {d: (len(data), data if len(data) <= whole else data[:prefix]) for d, data in held}

    def tombstones_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, str]:
        """Why each erased id of ``oids`` was erased (RUN-011); others omitted, in one hold."""
        with self._lock:
            self._check_open()
            tombstones = self._tombstones
            return {oid: tombstones[oid.digest] for oid in oids if oid.digest in tombstones}

    def close(self) -> None:
        with self._lock:
            self._closed = True


class MemoryBatch:
    """The writes of :meth:`MemoryBackend.batch`; the backend's lock is held inside ``with``."""

    __slots__ = ("_backend",)

    def __init__(self, backend: MemoryBackend) -> None:
        self._backend = backend

    def __enter__(self) -> Self:
        backend = self._backend
        backend._lock.acquire()
        try:
            backend._check_open()
        except BaseException:
            backend._lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._backend._lock.release()

    def insert_many(
        self, items: Iterable[tuple[ObjectId, bytes]], fresh: set[bytes] | None = None
    ) -> None:
        """Insert objects; erased ids stay erased (RUN-011), corrupt copies are mended;
        ``fresh`` as :meth:`MemoryBackend.insert_many`'s."""
        self._backend._insert_items(items, fresh)

    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId | None) -> CasResult:
        """The compare-and-swap of ``name``; it sees this batch's earlier inserts and swaps."""
        return self._backend._swap(name, expected, new)

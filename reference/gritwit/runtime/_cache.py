"""Decoded objects by id, in front of a store: what the runtime reads most (RUN-001, RUN-013).

Objects are immutable and named by the hash of their bytes (ID-001), so a
decoded object kept under its id is the object any later read of that id would
return: the cache can never answer differently from the store, only faster.
Two things can still change what a read of an id *does*, and both are honoured:

* erasure (RUN-011) applies to blobs only, so a cached blob is handed out only
  while the store has no tombstone for it; otherwise the read goes to the store
  and fails ``erased`` as it would without the cache.  Where the store counts
  erasures (:meth:`~gritwit.store.Store.erasures`: PostgreSQL's, read with every
  head read; the memory store's, its count of tombstones) a
  blob it found without a tombstone is not asked again until the count moves, nor is
  a blob the runtime's own commit stored as new (the store reported it *fresh*,
  RUN-022.1: it held neither bytes nor a tombstone, and an erasure after the commit
  moves the count past any value the runtime read before it) or one the store just
  read out: so a counter stepped again reads its own state in no round trip;
* nothing is cached that the store did not accept: objects enter on a read that
  the store re-hashed (STO-004), or right after the runtime stored them itself;
* the objects of an open commit group (RUN-017) are *pinned*: served from here,
  never dropped, until the group is committed (then kept as any stored object)
  or abandoned (then forgotten), since the store does not have them yet.

Eviction of an actor (RUN-012) does not touch this cache: it holds objects, not
actors, and a restore reads the actor's head ref and head step as RUN-013 says —
from here when the step is still cached, which returns the very same step.
Entries beyond ``capacity`` objects, or beyond ``max_bytes`` of blob data in
total, are dropped oldest first; a blob larger than ``max_bytes`` is not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter

from .._codec import decode_object
from .._errors import GritError, RefConflict
from .._ids import ObjectId
from .._objects import Blob, GritObject, Tree
from ..store import Store
from ..wit import Assembled

__all__ = ["CAPACITY", "MAX_BYTES", "ObjectCache"]

_second = itemgetter(1)  # an encoding's id

#: Default number of decoded objects kept.
CAPACITY = 65_536
#: Default bound of the blob data kept, in bytes (Wasm image chunks are 64 KiB each).
MAX_BYTES = 64 * 1024 * 1024


class ObjectCache:
    """An :class:`~gritwit.wit.ObjectReader` over ``store`` that keeps decoded objects."""

    __slots__ = (
        "_bytes",
        "_clean",
        "_clean_at",
        "_lock",
        "_objects",
        "_pinned",
        "_present",
        "_store",
        "capacity",
        "max_bytes",
    )

    def __init__(self, store: Store, capacity: int = CAPACITY, max_bytes: int = MAX_BYTES) -> None:
        self._store = store
        #: Oldest first.  An ``OrderedDict``: a plain dict pops its first key in time
        #: growing with the keys deleted before it (58 µs per insert once full, here).
        self._objects: OrderedDict[ObjectId, GritObject] = OrderedDict()
        #: Objects of the open commit group, not yet stored (RUN-017).
        self._pinned: dict[ObjectId, GritObject] = {}
        self._bytes = 0
        #: Blobs the store said were not erased while its erasure count was ``_clean_at``.
        self._clean: set[ObjectId] = set()
        self._clean_at: int | None = None
        #: Ids the store said it has (stored or erased): it never stops having one (objects
        #: are never deleted, an erased one keeps its tombstone, RUN-011.4), so not asked again.
        self._present: set[ObjectId] = set()
        #: Most blob data kept, in bytes; the oldest entries go first.
        self.max_bytes = max_bytes
        # Transitions in worker threads read through the cache too (RUN-005).
        self._lock = threading.Lock()
        #: Most objects kept; the oldest entry goes first.
        self.capacity = capacity

    def get_object(self, oid: ObjectId) -> GritObject:
        """The object stored under ``oid``; an erased blob fails ``erased``.

        STO-003, STO-004, RUN-011.3.
        """
        obj = self._objects.get(oid)
        if obj is None:
            obj = self._pinned.get(oid)
        if obj is not None:
            if type(obj) is not Blob:
                return obj
            count = self._store.erasure_count
            if count is None:  # asked each time (RUN-011.3)
                if self._store.tombstone(oid) is None:
                    return obj
            elif (count() == self._clean_at and oid in self._clean) or self._not_erased(oid):
                return obj  # the count has not moved since it was found clean, or asked
        obj = self._store.get_object(oid)  # raises not-found, erased, corrupt-object
        self._keep(oid, obj)
        return obj

    def read_ahead(self, oids: Sequence[ObjectId], budget: int) -> dict[ObjectId, GritObject]:
        """Objects of ``oids`` as :meth:`get_object` gives each, read together: those held
        here (up to and with the first tree held), a held blob only where the store has no
        tombstone for it (RUN-011.3: asked for all of them in one read where it counts no
        erasures), and the store's read-ahead of the others, kept as a read is
        (:mod:`gritwit.wit._ahead`: a core's walk, SBX-006.15).  An erased blob is left
        out: its own read fails ``erased``."""
        objects, pinned = self._objects, self._pinned
        if objects.keys().isdisjoint(oids) and pinned.keys().isdisjoint(oids):
            read = self._store.read_ahead(oids, budget)  # none held: the store's, as below
            self._keep_many(read.items())
            return read
        found: dict[ObjectId, GritObject] = {}
        rest: list[ObjectId] = []
        blobs: list[ObjectId] = []
        for oid in oids:
            obj = objects.get(oid)
            if obj is None:
                obj = pinned.get(oid)
            if obj is None:
                rest.append(oid)
                continue
            found[oid] = obj
            if type(obj) is Blob:
                blobs.append(oid)
            elif type(obj) is Tree:
                break
        if blobs:
            count = self._store.erasure_count
            seen = None if count is None else count()
            clean = self._clean if seen is not None and seen == self._clean_at else set()
            asked = [oid for oid in blobs if oid not in clean]
            for oid in self._store.erased_among(asked) if asked else ():
                del found[oid]
        if rest:
            read = self._store.read_ahead(rest, budget)
            self._keep_many(read.items())
            found.update(read)
        return found

    def known_clean(self, oids: Iterable[ObjectId]) -> None:
        """Record the cached blobs of ``oids`` as not erased at the store's erasure count as
        last read (RUN-011.3): blobs this runtime's commit just stored as new (the store
        reported them fresh, RUN-022.1), which had no tombstone when stored.  A later
        erasure of one moves the count beyond any value read before the commit, so the
        record is dropped before it could answer wrongly."""
        count = self._store.erasure_count
        seen = None if count is None else count()
        if seen is None:
            return
        objects = self._objects
        with self._lock:
            if seen != self._clean_at:
                self._clean, self._clean_at = set(), seen
            clean = self._clean
            for oid in oids:
                if len(clean) >= self.capacity:
                    break
                if type(objects.get(oid)) is Blob:
                    clean.add(oid)

    def _not_erased(self, oid: ObjectId) -> bool:
        """Whether cached blob ``oid`` has no tombstone (RUN-011.3).

        Known without a read when the store counts erasures (:meth:`Store.erasures`)
        and the count has not moved since the store last answered so; else asked.
        """
        count = self._store.erasure_count
        seen = None if count is None else count()
        if seen is not None and seen == self._clean_at and oid in self._clean:
            return True
        if self._store.tombstone(oid) is not None:
            return False
        if seen is not None:
            with self._lock:
                if seen != self._clean_at:
                    self._clean, self._clean_at = set(), seen
                if len(self._clean) < self.capacity:
                    self._clean.add(oid)
        return True

    def has(self, oid: ObjectId) -> bool:
        """Whether ``oid`` is stored or erased (STO-005, RUN-011.4).

        Never true for an object the store lacks: a step naming one is
        ``invalid-transition`` (WIT-007.3), on the runtime as under the executor.
        """
        if oid in self._objects or oid in self._pinned or oid in self._present:
            return True
        if not self._store.has(oid):
            return False
        present = self._present
        if len(present) >= self.capacity:
            present.clear()  # bounded as the objects kept; asked again after
        present.add(oid)
        return True

    def put_objects(self, objects: Iterable[GritObject]) -> list[ObjectId]:
        """Store ``objects`` in one write (:meth:`Store.put_objects`) and keep them."""
        kept = tuple(objects)
        ids = self._store.put_objects(kept)
        for oid, obj in zip(ids, kept, strict=True):
            self._keep(oid, obj)
        return ids

    def commit_assembled(
        self,
        built: Assembled,
        ref: str,
        expected: ObjectId | None,
        fresh: set[ObjectId] | None = None,
    ) -> None:
        """Store a transition's objects, then swap ``ref`` to its step, and keep them.

        RUN-001.1, RUN-001.2.

        One write for both where the store can (:meth:`Store.put_encoded_then_cas`);
        raises :class:`~gritwit.RefConflict` as the swap alone would.  ``fresh`` as
        :meth:`Store.put_encoded_then_cas`'s (RUN-022.1).
        """
        try:
            self._store.put_encoded_then_cas(
                built.encodings,
                ref,
                expected,
                built.step_id,
                target=built.step,
                fresh=fresh,
            )
        except RefConflict:  # the objects were stored all the same: keep them
            self._keep_all(built)
            raise
        self._keep_all(built)

    def pin(self, built: Assembled) -> None:
        """Serve a transition's objects from memory until its group is committed (RUN-017)."""
        pinned, objects = self._pinned, built.objects
        for i, encoded in enumerate(built.encodings):  # one object each; no zip's keywords
            pinned[encoded[1]] = objects[i]  # indexed: unpacking a tuple subclass takes an iterator

    def pin_objects(self, objects: Mapping[ObjectId, GritObject]) -> None:
        """Serve ``objects`` (sends of the open group, RUN-019.2) from memory until it is
        committed."""
        self._pinned.update(objects)

    def remote(self) -> bool:
        """Whether the store is a server's (:meth:`Store.remote`): reads are batched."""
        return self._store.is_remote

    def prefetch(self, oids: Iterable[ObjectId]) -> dict[ObjectId, GritObject]:
        """Read the objects of ``oids`` this cache lacks in pages, where the store is a
        server's (:meth:`Store.remote`: a read is a round trip, DUR-005.4), and keep them;
        every object of ``oids`` it holds afterwards.  An id the store fails on is left
        out: its own read later fails as it would have (STO-003, STO-004, RUN-011)."""
        wanted = list(dict.fromkeys(oids))
        held: dict[ObjectId, GritObject] = {}
        missing = []
        for oid in wanted:
            obj = self._objects.get(oid) or self._pinned.get(oid)
            if obj is None:
                missing.append(oid)
            else:
                held[oid] = obj
        if missing and self._store.is_remote:
            found = [(o, obj) for o, obj in self._store.get_objects_each(missing)
                     if isinstance(obj, GritObject) and type(obj) is not Blob]  # fmt: skip
            self._keep_many(found)
            held.update(found)
        return held

    def prefetch_skimming(
        self, oids: Iterable[ObjectId], skim: Callable[[ObjectId, bytes], bool]
    ) -> dict[ObjectId, GritObject]:
        """:meth:`prefetch`, on any store, except that an object this cache lacks whose
        bytes, re-hashed by the store (STO-004.1), ``skim`` takes (answers true) is
        neither decoded nor kept: the catch-up learnt what it needed from its bytes
        (several runtimes, :mod:`._moved`)."""
        held: dict[ObjectId, GritObject] = {}
        missing = []
        for oid in dict.fromkeys(oids):
            obj = self._objects.get(oid) or self._pinned.get(oid)
            if obj is None:
                missing.append(oid)
            else:
                held[oid] = obj
        found = []
        for oid, data in self._store.get_each(missing) if missing else ():
            if isinstance(data, GritError) or skim(oid, data):
                continue  # an id the store fails on: its own read later fails as it would
            try:
                obj = decode_object(data)
            except GritError:  # its own read later fails as it would (STO-004.2)
                continue
            if type(obj) is not Blob:
                found.append((oid, obj))
        self._keep_many(found)
        held.update(found)
        return held

    def pinned_ids(self) -> Iterable[ObjectId]:
        """The ids of the open group's objects: stored when it commits (RUN-017, RUN-022.1)."""
        return self._pinned.keys()

    def release(self, *, stored: bool) -> None:
        """End every pin of :meth:`pin`: the open group was committed or abandoned (RUN-017).

        Its objects stay as cached ones if they were ``stored``, else they are forgotten.
        """
        pinned, self._pinned = self._pinned, {}
        if stored:
            self._keep_many(pinned.items())

    def _keep_all(self, built: Assembled) -> None:
        self._keep_many(zip(map(_second, built.encodings), built.objects, strict=True))

    def _keep(self, oid: ObjectId, obj: GritObject) -> None:
        self._keep_many(((oid, obj),))

    def _keep_many(self, items: Iterable[tuple[ObjectId, GritObject]]) -> None:
        objects, capacity, max_bytes = self._objects, self.capacity, self.max_bytes
        if capacity <= 0:
            return
        # All kept first, then the oldest dropped until both bounds hold: the newest ones
        # that fit, as dropping the oldest before each one kept leaves them.  Gate figure:
        # the cache's part of a walk of a flat core of 2**18 distinct 3-byte blobs read
        # ahead into a cache of 65 536 took 0.25 s of CPU dropping before each one,
        # 0.13 s so (load 3 on 2 cores).
        with self._lock:
            held = self._bytes
            for oid, obj in items:
                if oid in objects:
                    continue
                if type(obj) is Blob:  # a blob's data counts (max_bytes)
                    size = len(obj.data)
                    if size > max_bytes:
                        continue
                    held += size
                objects[oid] = obj
            while objects and (len(objects) > capacity or held > max_bytes):
                oldest = objects.popitem(last=False)[1]
                if type(oldest) is Blob:  # a blob's data counts (max_bytes)
                    held -= len(oldest.data)
            self._bytes = held

"""The object store and its refs (chapter *store and refs*), over any :class:`Backend`.

:class:`Store` holds every rule of the chapter; backends only move bytes.

* ``put`` strictly decodes first, so only valid canonical objects are ever
  stored (STO-001.1, STO-001.2), under the BLAKE3 id of their bytes (STO-002.1);
* ``get`` re-hashes what the backend returns and never hands out bytes that do
  not match their id (STO-003.1, STO-004.1, STO-004.2);
* refs change only through :meth:`Store.cas_ref` (REF-004.1), whose target must
  be present (REF-003.1) and, for ``heads/<actor>``, be a step of that actor
  (REF-002.1), checked in the order of REF-007.1.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from types import TracebackType
from typing import Self

import blake3

from .._codec import Encoded, decode_object, encode_with_id, object_id
from .._errors import CorruptObject, Erased, GritError, ObjectNotFound
from .._ids import ObjectId
from .._objects import GritObject, Step
from ._backend import Backend
from ._batch import (
    StoreBatch,
    _checked,
    _names_its_actor,
    _plain_swap,
    _raise_unless_swapped,
)
from ._journal_calls import JournalCalls
from ._memory import MemoryBackend
from ._paging import checked_each, chunks, decoded_each, read_ahead, tombstones_of
from ._refs import (
    _ACTORS,
    _VALID,
    HEADS_PREFIX,
    check_head_target,
    check_ref_name,
    head_actor,
)
from ._url import open_backend

__all__ = ["Store", "VerifyReport"]

_first = itemgetter(0)  # an (id, bytes) item's id


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What :meth:`Store.verify` found (DUR-002.1, DUR-002.2)."""

    objects: int
    refs: int
    #: Stored objects whose bytes do not re-hash to their id or do not decode.
    corrupt: tuple[ObjectId, ...]
    #: Refs whose target is not stored (REF-003.1).
    dangling: tuple[str, ...]
    #: Refs with a bad name (REF-001.1) or a ``heads/`` ref not at its actor's step (REF-002.1).
    invalid_refs: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.corrupt or self.dangling or self.invalid_refs)


@dataclass(frozen=True, slots=True)
class Store(JournalCalls):
    """Content-addressed objects plus compare-and-swap refs over ``backend``."""

    backend: Backend
    #: What the backend offers beyond :class:`Backend`, looked up once, for callers on the
    #: hot path (an attribute, not a call): whether each call is a round trip to a server
    #: (:meth:`remote`), whether writes report their fresh ids (:meth:`reports_fresh`),
    #: whether :meth:`commit_all` can commit, whether it journals notes (:meth:`note_next`),
    #: and the backend's count of erasures
    #: (:meth:`erasures`), ``None`` where it keeps none.
    is_remote: bool = field(init=False, repr=False, compare=False)
    tells_fresh: bool = field(init=False, repr=False, compare=False)
    commits_whole: bool = field(init=False, repr=False, compare=False)
    notes: bool = field(init=False, repr=False, compare=False)
    erasure_count: Callable[[], int | None] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        backend = self.backend
        object.__setattr__(self, "is_remote", getattr(backend, "remote", False) is True)
        object.__setattr__(self, "tells_fresh", getattr(backend, "reports_fresh", False) is True)
        object.__setattr__(self, "commits_whole", hasattr(backend, "commit_all"))
        object.__setattr__(self, "notes", hasattr(backend, "note"))
        counter = getattr(backend, "erasure_counter", None)  # the count without a frame
        count = counter() if counter is not None else getattr(backend, "erasures", None)
        object.__setattr__(self, "erasure_count", count)

    @classmethod
    def memory(cls) -> Self:
        """A store in process memory (not durable)."""
        return cls(MemoryBackend())

    @classmethod
    def open(cls, location: str | os.PathLike[str], *, create: bool = True) -> Self:
        """The durable store ``location`` names, created if absent (DUR-001 … DUR-005).

        A string starting ``postgresql://`` or ``postgres://`` is a PostgreSQL
        database (DUR-005; the extra ``gritwit[postgres]``, else
        :class:`~gritwit.store.MissingExtra`); ``create=False`` then refuses one
        without a store's tables.  Anything else is a directory, which holds one
        SQLite file.
        """
        return cls(open_backend(location, create=create))

    # --- objects -------------------------------------------------------------------------

    def put(self, data: bytes) -> ObjectId:
        """Store the encoded object ``data``; return its id (STO-001.1, STO-002.1).

        ``data`` is strictly decoded first; bytes it rejects raise that decode or
        validation error and nothing is stored (STO-001.2).  Putting the same bytes
        again is a no-op returning the same id (STO-002.2); what is stored is what
        ``get`` returns (STO-003.1).
        """
        data = bytes(data)
        decode_object(data)  # STO-001.1: raises before anything is stored (STO-001.2)
        oid = ObjectId(blake3.blake3(data).digest())
        self.backend.insert(oid, data)
        return oid

    def put_object(self, obj: GritObject) -> ObjectId:
        """Encode ``obj`` canonically and store it under its id (STO-002.1)."""
        data, oid = encode_with_id(obj)
        self.backend.insert(oid, data)
        return oid

    def put_objects(self, objects: Iterable[GritObject]) -> list[ObjectId]:
        """Encode every object canonically and store them all in one backend write (STO-002.1).

        A backend with ``insert_many`` (both built-in ones) takes them in one
        transaction, so the durable store syncs once for all of them; any other
        backend gets one :meth:`Backend.insert` each.  Returns the ids, in order.
        """
        encoded = [encode_with_id(obj) for obj in objects]
        self.put_encoded(encoded)
        return [oid for _, oid in encoded]

    def put_encoded(self, encodings: Iterable[tuple[bytes, ObjectId]]) -> None:
        """Store objects already encoded, in one write, without decoding them again.

        For callers that hold the canonical encodings (a transition's objects,
        :class:`~gritwit.wit.Assembled`, a bundle's decoded objects).  No object is
        ever stored under another id (STO-002.1): a pair made by
        :func:`~gritwit._codec.encode_with_id` (an :class:`~gritwit._codec.Encoded`)
        carries the hash of its bytes already, any other pair is hashed and
        checked here.  A mismatch stores nothing.
        """
        self._insert(_checked(encodings))

    def put_encoded_then_cas(
        self,
        encodings: Iterable[tuple[bytes, ObjectId]],
        name: str,
        expected: ObjectId | None,
        new: ObjectId,
        *,
        target: GritObject,
        fresh: set[ObjectId] | None = None,
        wake: bool = True,
    ) -> None:
        """:meth:`put_encoded`, then :meth:`cas_ref` of ``name`` to ``new`` (RUN-001).

        ``fresh``, where the backend :meth:`reports_fresh`, gets the ids of the objects
        the store did not hold (RUN-022.1), once they are stored (a conflict too).
        ``wake=False``: the swap wakes no runtime waiting for swaps (RUN-020.6; the
        caller makes work for no other runtime).

        The same checks and errors as the two calls in turn, in one commit where
        the backend can (``insert_many_then_cas``, both built-in ones), objects
        first.  ``target`` is the object the caller encoded and stored under
        ``new`` (it must be among ``encodings``): it is not encoded or read back,
        only checked for REF-002.1 when ``name`` is a ``heads/`` ref; presence
        (REF-003.1) is checked by the swap itself.
        """
        items = _checked(encodings)
        check_ref_name(name)
        if name.startswith(HEADS_PREFIX) and not _names_its_actor(name, target):
            self._insert(items, fresh)
            self.cas_ref(name, expected, new)  # REF-002.2, raised as REF-007.1 orders it
            return
        combined = getattr(self.backend, "insert_many_then_cas", None)
        if combined is None:
            self._insert(items)
            result = self.backend.cas_ref(name, expected, new)
        elif fresh is not None and self.reports_fresh():
            added: set[bytes] = set()
            if wake:
                result = combined(items, name, expected, new, fresh=added)
            else:  # RUN-020.6: a backend with no wake-ups takes the keyword and ignores it
                result = combined(items, name, expected, new, fresh=added, wake=False)
            fresh.update([oid for oid, _ in items if oid.digest in added])
        elif wake:
            result = combined(items, name, expected, new)
        else:
            result = combined(items, name, expected, new, wake=False)
        _raise_unless_swapped(result, name, expected, new)

    def reports_fresh(self) -> bool:
        """Whether this store's writes tell which objects it did not hold (their ``fresh``,
        RUN-022.1), so that a caller counting what it adds needs no read first."""
        return self.tells_fresh

    def commit_all(
        self,
        encodings: Iterable[tuple[bytes, ObjectId]],
        swaps: Iterable[tuple[str, ObjectId | None, ObjectId, GritObject]],
        fresh: set[ObjectId] | None = None,
        wake: bool = True,
    ) -> bool:
        """Store ``encodings`` and make every swap of ``swaps`` in one commit, or nothing.

        Each swap is a ref's name, the target expected (``None``: unset), the new
        target and the object the caller encoded under it (among ``encodings``).  For a
        backend with ``commit_all`` (PostgreSQL: one statement, one round trip,
        DUR-005.4) whose every swap is one :meth:`batch` would make without reading the
        store back — distinct valid names, each new target among ``encodings`` and, for a
        ``heads/`` ref, a step of its actor (REF-002.1) — the backend makes them all or
        none.  Returns whether it made them; ``False`` (nothing stored) also when any
        would not happen or the swaps are not such, and the caller commits as
        :meth:`batch` does, a swap at a time, with that method's errors (RUN-017.2).
        ``fresh`` as :meth:`put_encoded_then_cas`'s, when it made them; ``wake`` as its.
        """
        if not self.commits_whole:
            return False
        whole = self.backend.commit_all  # type: ignore[attr-defined]
        items = []  # _checked(encodings), its frame only for a pair hashed here
        for pair in encodings:
            if type(pair) is Encoded:  # indexed: unpacking a tuple subclass takes an iterator
                items.append((pair[1], pair[0]))
                continue
            items += _checked((pair,))  # STO-002.1
        put = set(map(_first, items))  # the ids put: no comprehension's function each time
        planned: list[tuple[str, ObjectId | None, ObjectId | None]] = []
        names: set[str] = set()
        for name, expected, new, target in swaps:
            if name in names or new not in put:
                return False
            # _plain_swap(name, target), without its frames for a heads/ name found valid
            # and parsed before (check_ref_name's and head_actor's memories)
            valid = type(name) is str and name in _VALID
            actor = _ACTORS.get(name) if valid else None
            if actor is not None:
                if type(target) is not Step or target.actor != actor:
                    return False
            elif (not valid or name.startswith(HEADS_PREFIX)) and not _plain_swap(name, target):
                return False  # (a valid names/ ref is plain)
            names.add(name)
            planned.append((name, expected, new))
        if fresh is None or not self.tells_fresh:  # reports_fresh(), without its frame
            made: bool = whole(items, planned) if wake else whole(items, planned, wake=False)
            return made
        added: set[bytes] = set()
        if not whole(items, planned, fresh=added, wake=wake):
            return False
        for oid, _ in items:  # a loop: no comprehension's function made each time
            if oid[0] in added:  # its digest
                fresh.add(oid)
        return True

    @contextlib.contextmanager
    def batch(self) -> Iterator[StoreBatch]:
        """Many :meth:`put_encoded` and :meth:`cas_ref` calls committed together (RUN-017).

        On a backend with ``batch()`` (both built-in ones) every write of the block
        is in one transaction — one sync on the durable store — committed when the
        block ends, nothing of it kept if the block raises.  On any other backend
        each call is written as it is made, in the block's order.  Either way every
        swap is its own compare-and-swap (REF-004): one that raises
        :class:`~gritwit.RefConflict` changes nothing and the block goes on.
        """
        opener = getattr(self.backend, "batch", None)
        if opener is None:
            yield StoreBatch(self, None)
            return
        with opener() as writes:
            yield StoreBatch(self, writes)

    def _insert(
        self, items: list[tuple[ObjectId, bytes]], fresh: set[ObjectId] | None = None
    ) -> None:
        """Insert checked items in one backend write where the backend offers one;
        ``fresh`` as :meth:`put_encoded_then_cas`'s."""
        insert_many = getattr(self.backend, "insert_many", None)
        if insert_many is None:
            for oid, data in items:
                self.backend.insert(oid, data)
        elif fresh is not None and self.reports_fresh():
            added: set[bytes] = set()
            insert_many(items, fresh=added)
            fresh.update(oid for oid, _ in items if oid.digest in added)
        else:
            insert_many(items)

    def _check_not_erased(self, oid: ObjectId) -> None:
        """An absent object that was erased is reported as erased (RUN-011)."""
        reason = self.backend.tombstone(oid)
        if reason is not None:
            raise Erased("RUN-011", f"object {oid} was erased: {reason}")

    def get(self, oid: ObjectId) -> bytes:
        """The bytes stored under ``oid`` (STO-003.1), re-hashed before return (STO-004.1)."""
        data = self.backend.read(oid)
        if data is None:
            self._check_not_erased(oid)
            raise ObjectNotFound("STO-003.2", f"no object {oid}")
        actual = blake3.blake3(data).digest()
        if actual != oid.digest:
            raise CorruptObject("STO-004.2", f"object {oid} re-hashes to {actual.hex()}")
        return data

    def get_object(self, oid: ObjectId) -> GritObject:
        """The object stored under ``oid`` (STO-003.1, STO-004.2)."""
        data = self.get(oid)
        try:
            return decode_object(data)
        except GritError as exc:  # only bytes written around put() can get here
            raise CorruptObject("STO-004.2", f"object {oid} does not decode: {exc}") from exc

    def has(self, oid: ObjectId) -> bool:
        """Whether ``oid`` is stored or erased (STO-005.1, RUN-011); never fails (STO-005.2)."""
        return self.backend.contains(oid)

    def held(self, oids: Iterable[ObjectId]) -> set[ObjectId]:
        """The ids of ``oids`` that :meth:`has` answers true for (stored or erased), in one
        backend read where the backend offers ``contains_many`` (RUN-022.1)."""
        wanted = list(oids)
        many = getattr(self.backend, "contains_many", None)
        if many is None:
            return {oid for oid in wanted if self.backend.contains(oid)}
        found = many([oid.digest for oid in wanted])
        return {oid for oid in wanted if oid.digest in found}

    def wait_for_swaps(self, timeout: float, gather: float = 0.0) -> bool:
        """Wait at most ``timeout`` seconds for another writer's swap, where the backend
        is woken by them (PostgreSQL: ``LISTEN``/``NOTIFY``, RUN-020.6): ``True`` when one
        may have come, after ``gather`` seconds more from it in which the wake-ups that
        come are taken too (RUN-020.8); elsewhere sleep ``timeout`` and answer ``False``
        (poll).  A hint: what moved is read from the refs, never from the wake-up
        (RUN-003)."""
        wait = getattr(self.backend, "wait_for_swaps", None)
        if wait is None:
            time.sleep(timeout)
            return False
        return bool(wait(timeout, gather) if gather else wait(timeout))

    def erasures(self) -> int | None:
        """The store's count of erasures as last read, where the backend keeps one
        (PostgreSQL: with each ref read; memory: its tombstones), without a read;
        ``None`` where it does not (SQLite: another process may erase).

        While it is unchanged, an object known not to be erased is still not erased
        (RUN-011.3): the runtime's cache checks its blobs' tombstones only when it moved.
        """
        count = self.erasure_count
        return None if count is None else count()

    def tombstone(self, oid: ObjectId) -> str | None:
        """Why ``oid`` was erased, or ``None`` if it was not (RUN-011)."""
        return self.backend.tombstone(oid)

    def iter_ids(self) -> Iterator[ObjectId]:
        """Every id with stored bytes, in byte order (ID-005); erased ids are not listed."""
        return self.backend.ids()

    def get_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, bytes]:
        """:meth:`get` of each id of ``oids``, read in pages where the backend offers
        ``read_pages`` or ``read_many`` (every built-in one), each re-hashed (STO-003.1,
        STO-004.1).

        Raises what :meth:`get` would raise for the first id of ``oids``, in their
        order, that it would fail on: ``corrupt-object`` (STO-004.2), ``erased``
        (RUN-011), ``not-found`` (STO-003.2).  Holds every object asked for: a caller
        walking a whole store asks a page at a time, or uses :meth:`get_each`.
        """
        wanted = list(dict.fromkeys(oids))
        found: dict[ObjectId, bytes] = {}
        failed: dict[ObjectId, GritError] = {}
        for oid, outcome in checked_each(self.backend, wanted):
            if isinstance(outcome, GritError):
                failed[oid] = outcome
            else:
                found[oid] = outcome
        if failed:
            raise next(failed[oid] for oid in wanted if oid in failed)
        return found

    def read_ahead(self, oids: Sequence[ObjectId], budget: int) -> dict[ObjectId, GritObject]:
        """Objects of ``oids`` from the first, read in pages as :meth:`get_object` reads
        each, up to one it would fail on, a tree, or the object that takes the bytes read
        past ``budget`` (:func:`~gritwit.store._paging.read_ahead`: a core's walk,
        SBX-006.15, SBX-006.16)."""
        return read_ahead(self.backend, oids, budget)

    def erased_among(self, oids: Iterable[ObjectId]) -> set[ObjectId]:
        """The ids of ``oids`` that have a tombstone (RUN-011), in one read a page where
        the backend offers ``tombstones_many``."""
        return set(tombstones_of(self.backend, list(oids)))

    def get_each(self, oids: Iterable[ObjectId]) -> Iterator[tuple[ObjectId, bytes | GritError]]:
        """Each id of ``oids`` once with what :meth:`get` gives for it: its re-hashed bytes
        or the error it would raise, not raised (STO-004.2, RUN-011, STO-003.2).  Read a
        page at a time (bounded by count and bytes), so a caller that keeps no bytes
        holds one page; stored ids come first, page by page, absent ones last."""
        return checked_each(self.backend, oids)

    def get_objects_each(
        self, oids: Iterable[ObjectId]
    ) -> Iterator[tuple[ObjectId, GritObject | GritError]]:
        """:meth:`get_each`, decoded: each id's object or the error :meth:`get_object`
        would raise for it, not raised (STO-003.1, STO-004.2)."""
        return decoded_each(self.backend, oids)

    # --- refs ----------------------------------------------------------------------------

    def get_ref(self, name: str) -> ObjectId | None:
        """The target of ref ``name``, or ``None`` when unset (REF-005); name first (REF-007.2)."""
        # a name found valid before is not checked again: check_ref_name's own fast path,
        # without its frame (a runtime reads the same few refs every transition)
        valid = type(name) is str and name in _VALID
        return self.backend.get_ref(name if valid else check_ref_name(name))

    def cas_ref(
        self,
        name: str,
        expected: ObjectId | None,
        new: ObjectId | None,
        *,
        target: GritObject | None = None,
    ) -> None:
        """Set ref ``name`` to ``new`` if it holds ``expected`` (REF-004.1 … REF-004.3, REF-007.1).

        ``None`` as ``expected`` means "unset"; ``None`` as ``new`` deletes the
        ref.  Checks, in order: the name (``invalid-ref-name``), that ``new`` is
        stored (``not-found``), that a ``heads/<actor>`` target is a step of
        ``<actor>`` (``invalid-ref-target``), then the swap itself, atomic with a
        second presence check; on a mismatch it raises :class:`~gritwit.RefConflict`
        (``ref-conflict``) with ``.current`` and changes nothing.

        ``target``, when given, is the object the caller stored under ``new``: if
        it encodes to ``new`` and passes the ``heads/`` check, the object is not
        read back (the swap still checks its presence atomically); otherwise the
        checks run as without it, so the errors and their order are the same.
        """
        check_ref_name(name)
        if new is not None and target is not None and _known_head_target(name, new, target):
            pass  # REF-002.1 already holds; REF-003.1 is checked by the swap itself
        elif new is not None:
            if not self.backend.contains(new):
                raise ObjectNotFound("REF-003.2", f"{name} cannot point at absent object {new}")
            actor = head_actor(name)
            if actor is not None:
                check_head_target(name, actor, self.get_object(new))
        _raise_unless_swapped(self.backend.cas_ref(name, expected, new), name, expected, new)

    def remote(self) -> bool:
        """Whether each backend call is a round trip to a server (DUR-005.4)."""
        return self.is_remote

    def get_refs(self, names: list[str]) -> dict[str, ObjectId] | None:
        """The targets of the refs of ``names`` that are set, in one backend read where the
        backend offers ``get_refs`` (PostgreSQL); ``None`` where it does not, and nothing is
        read.  Each name is checked first (REF-007.2).  For a reader that takes the
        answers as hints (the runtime's transitions, RUN-020.1, DUR-005.4)."""
        many = getattr(self.backend, "get_refs", None)
        if many is None:
            return None
        for name in names:
            check_ref_name(name)
        found: dict[str, ObjectId] = many(names)
        return found

    def list_refs(self, prefix: str = "") -> list[str]:
        """Names of refs starting with any ``prefix`` (REF-007.3), in bytewise order (REF-006)."""
        return [name for name, _ in self.list_ref_targets(prefix)]

    def list_ref_targets(self, prefix: str = "") -> list[tuple[str, ObjectId]]:
        """``(name, target)`` of each ref starting with ``prefix``, in bytewise order (REF-006).

        One backend read for all of them, where :meth:`get_ref` per name would be one each.
        Ref names are ASCII (REF-001), so a prefix that is not — a lone surrogate
        included — names none and the backend is not asked (REF-007.4).
        """
        if not prefix.isascii():
            return []
        return self.backend.list_refs(prefix)

    # --- whole-store checks and lifetime -------------------------------------------------

    def verify(self, progress: Callable[[int], object] = lambda objects: None) -> VerifyReport:
        """Re-hash and decode every object and check every ref (DUR-002.1, DUR-002.2).

        Objects are read a page of ids at a time (:meth:`get_objects_each`), refs'
        targets a page of refs at a time (:meth:`held`): a few statements per thousand
        objects, one page in memory.  ``progress`` is told the objects checked a page.
        """
        corrupt: list[ObjectId] = []
        objects = 0
        for page in chunks(self.backend.ids(), VERIFY_PAGE):
            objects += len(page)
            progress(objects)
            bad: set[ObjectId] = set()
            for oid, outcome in self.get_objects_each(page):
                if isinstance(outcome, (CorruptObject, ObjectNotFound)):
                    bad.add(oid)
                elif isinstance(outcome, GritError):
                    raise outcome  # erased since it was listed: as get_object raises it
            corrupt.extend(oid for oid in page if oid in bad)
        dangling: list[str] = []
        invalid: list[str] = []
        refs = self.backend.list_refs("")
        for chunk in chunks(refs, VERIFY_PAGE):
            present = self.held(target for _, target in chunk)
            steps = dict(self.get_objects_each(t for n, t in chunk if _a_head(n) and t in present))
            for name, target in chunk:
                if target not in present:
                    dangling.append(name)
                    continue
                try:
                    check_ref_name(name)
                    actor = head_actor(name)
                    if actor is not None:
                        step = steps[target]
                        if isinstance(step, GritError):
                            raise step
                        check_head_target(name, actor, step)
                except GritError:
                    invalid.append(name)
        return VerifyReport(objects, len(refs), tuple(corrupt), tuple(dangling), tuple(invalid))

    def close(self) -> None:
        """Release the backend; later calls raise :class:`ValueError`."""
        self.backend.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _is_head_target(name: str, actor: ObjectId, target: GritObject) -> bool:
    """Whether ``target`` may be the target of ``heads/<actor>`` ``name`` (REF-002.1)."""
    try:
        check_head_target(name, actor, target)
    except GritError:
        return False
    return True


def _known_head_target(name: str, new: ObjectId, target: GritObject) -> bool:
    """Whether ``target`` is the object ``new`` names and satisfies REF-002.1 for ``name``."""
    actor = head_actor(name)
    if actor is not None and not _is_head_target(name, actor, target):
        return False
    return object_id(target) == new


#: Ids (and refs) :meth:`Store.verify` checks a page at a time.
VERIFY_PAGE = 1000


def _a_head(name: str) -> bool:
    """Whether ``name`` is a valid ``heads/<actor>`` ref name (REF-001.1, REF-002.1)."""
    try:
        check_ref_name(name)
        return head_actor(name) is not None
    except GritError:
        return False

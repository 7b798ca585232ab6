"""Reading many objects in pages bounded by count and by bytes (STO-003, STO-004, RUN-010).

A backend's ``read_pages`` plans its pages here: at most :data:`READ_PAGE_IDS` ids a
page and, past a page's first object, no more than :data:`READ_PAGE_BYTES` bytes, so
host memory holds one page at a time whatever the objects' sizes (one may hold
80 MiB, RUN-022).  :func:`checked_each` turns pages of raw bytes into what
:meth:`~gritwit.store.Store.get` would give for each id — the bytes, or the error it
would raise — re-hashing every object (STO-004.1, STO-004.2) and asking for the
tombstones of absent ids together (RUN-011).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import blake3

from .._codec import decode_bare_blob, decode_object
from .._errors import CorruptObject, Erased, GritError, ObjectNotFound
from .._ids import ObjectId
from .._objects import GritObject, Tree

__all__ = [
    "READ_PAGE_BYTES",
    "READ_PAGE_IDS",
    "checked_each",
    "chunks",
    "decoded_each",
    "plan_pages",
    "read_ahead",
    "tombstones_of",
]

#: Most ids one page of a paged read asks for.
READ_PAGE_IDS = 1000
#: Bytes past which a page takes no further object (a larger object is a page alone).
READ_PAGE_BYTES = 32 * 1024 * 1024

_T = TypeVar("_T")


def chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """``items`` in consecutive lists of ``size`` (the last may be shorter)."""
    chunk: list[_T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def plan_pages(sizes: Iterable[tuple[bytes, int]]) -> list[list[bytes]]:
    """Group ``(digest, size)`` pairs, in order, into pages of at most :data:`READ_PAGE_IDS`
    ids whose sizes add up to at most :data:`READ_PAGE_BYTES`, except a page's first."""
    pages: list[list[bytes]] = []
    page: list[bytes] = []
    total = 0
    for digest, size in sizes:
        if page and (len(page) >= READ_PAGE_IDS or total + size > READ_PAGE_BYTES):
            pages.append(page)
            page, total = [], 0
        page.append(digest)
        total += size
    if page:
        pages.append(page)
    return pages


def _raw_pages(backend: Any, wanted: Sequence[ObjectId]) -> Iterator[dict[ObjectId, bytes]]:
    """The backend's pages of stored bytes: ``read_pages``, else ``read_many`` of a
    count-bounded chunk, else :meth:`~gritwit.store.Backend.read` of each."""
    pages = getattr(backend, "read_pages", None)
    if pages is not None:
        yield from pages(wanted)
        return
    many = getattr(backend, "read_many", None)
    for chunk in chunks(wanted, READ_PAGE_IDS):
        if many is not None:
            yield many(chunk)
            continue
        found = {}
        for oid in chunk:
            data = backend.read(oid)
            if data is not None:
                found[oid] = data
        yield found


def tombstones_of(backend: Any, absent: list[ObjectId]) -> dict[ObjectId, str]:
    """Why each erased id of ``absent`` was erased, in one read a page where offered."""
    many = getattr(backend, "tombstones_many", None)
    if many is not None:
        found: dict[ObjectId, str] = {}
        for chunk in chunks(absent, READ_PAGE_IDS):
            found.update(many(chunk))
        return found
    reasons = ((oid, backend.tombstone(oid)) for oid in absent)
    return {oid: reason for oid, reason in reasons if reason is not None}


def checked_each(
    backend: Any, oids: Iterable[ObjectId]
) -> Iterator[tuple[ObjectId, bytes | GritError]]:
    """Each id of ``oids`` once, with its re-hashed bytes or the error ``Store.get`` would
    raise for it, unraised: ``corrupt-object`` (STO-004.2), ``erased`` (RUN-011) or
    ``not-found`` (STO-003.2).  Stored ids come page by page, absent ones last."""
    wanted = list(dict.fromkeys(oids))
    seen: set[ObjectId] = set()
    for page in _raw_pages(backend, wanted):
        for oid, data in page.items():
            seen.add(oid)
            actual = blake3.blake3(data).digest()
            if actual != oid.digest:
                yield oid, CorruptObject("STO-004.2", f"object {oid} re-hashes to {actual.hex()}")
            else:
                yield oid, data
    absent = [oid for oid in wanted if oid not in seen]
    reasons = tombstones_of(backend, absent) if absent else {}
    for oid in absent:
        reason = reasons.get(oid)
        if reason is not None:
            yield oid, Erased("RUN-011", f"object {oid} was erased: {reason}")
        else:
            yield oid, ObjectNotFound("STO-003.2", f"no object {oid}")


def decoded_each(
    backend: Any, oids: Iterable[ObjectId]
) -> Iterator[tuple[ObjectId, GritObject | GritError]]:
    """:func:`checked_each`, decoded: each id's object or the error ``Store.get_object``
    would raise for it (a stored object that does not decode: ``corrupt-object``)."""
    for oid, outcome in checked_each(backend, oids):
        if isinstance(outcome, GritError):
            yield oid, outcome
            continue
        try:
            yield oid, decode_object(outcome)
        except GritError as exc:  # only bytes written around put() can get here
            yield oid, CorruptObject("STO-004.2", f"object {oid} does not decode: {exc}")


#: How every tree's canonical encoding starts (ENC-010: ``type`` sorts before
#: ``entries``): a read-ahead ends its plan at an object that starts so.
TREE_START = b"\xa2\x64type\x64tree"


#: Objects of at most this many bytes a read-ahead takes whole in the read that plans
#: it: past a stop it has read at most the rest of its ids' small objects (a walk asks
#: for 4 096 ids at most: 4 MiB), never held; a larger object is read only when the plan
#: takes it.
SMALL = 1024


def read_ahead(backend: Any, oids: Sequence[ObjectId], budget: int) -> dict[ObjectId, GritObject]:
    """Objects of ``oids`` read as ``Store.get_object`` reads each (re-hashed, STO-004.1,
    and strictly decoded), a page at a time: a walk over a core reads its next entries
    together (SBX-006.15), not one query each.

    Taken in order from the first id and stopping *before* one the backend does not hold
    (absent or erased: its own read says which, STO-003.2, RUN-011) or whose bytes do not
    re-hash or decode (its own read refuses it, STO-004.2), and *after* a tree (whose
    entries the walk counts before it reads on) or the object that takes the bytes read
    past ``budget`` (SBX-006.16: a walk holds at most its bound plus one object).  The
    backend's ``starts`` gives each object's length and, for a small one, its bytes (for
    a larger one its first bytes, which tell a tree): a larger object past a stop is never
    read, and one that is is read alone, its bytes dropped once decoded.  A backend
    without ``starts`` and ``read_many`` reads nothing ahead (``{}``): the walk then reads
    object by object.
    """
    found: dict[ObjectId, GritObject] = {}
    starts = getattr(backend, "starts", None)
    many = getattr(backend, "read_many", None)
    if starts is None or many is None or not oids:
        return found
    heads = starts([oid[0] for oid in oids], len(TREE_START), SMALL)
    # the plan: each id's bytes when small, else None (read alone when its turn comes)
    planned: list[tuple[ObjectId, bytes | None]] = []
    spent = 0
    for oid in oids:
        head = heads.get(oid[0])
        if head is None:
            break
        size, start = head
        planned.append((oid, None if size > SMALL else start))
        spent += size
        if spent > budget or start.startswith(TREE_START):
            break
    hashed = blake3.blake3
    for oid, data in planned:
        if data is None:  # a larger object: its bytes are held only until decoded
            data = many([oid]).get(oid)
        if data is None or hashed(data).digest() != oid[0]:
            return found
        bare = decode_bare_blob(data)  # a core's file: most of what a walk reads
        if bare is not None:
            found[oid] = bare
            continue
        try:
            obj = decode_object(data)
        except GritError:
            return found
        found[oid] = obj
        if type(obj) is Tree:
            return found
    return found

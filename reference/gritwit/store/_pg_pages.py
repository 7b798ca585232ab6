"""A PostgreSQL store's reads in pages: ``runtime verify`` and the runtime's listings
(DUR-005.4: a few statements for thousands of objects, not one each).

Each function takes the backend's pooled connection (``connection``: a context manager
that lends one) and holds no transaction open between its pages.  Each page is one
statement, its own transaction, run again when the server refuses it with ``40001`` or
``40P01`` (DUR-007.2: at ``SERIALIZABLE`` a read-only transaction can be canceled too).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import psycopg

from .._ids import ObjectId
from . import _paging
from ._pg_ahead import ReadAhead
from ._pg_retry import retrying

__all__ = ["Start", "ids", "read_pages", "starts", "tombstones_many"]

#: A stored object's length and its bytes, or their first bytes (:func:`starts`).
Start = tuple[int, bytes]
#: Lends a pooled connection of the store.
Connect = Callable[[], contextlib.AbstractContextManager[psycopg.Connection]]
#: Ids one statement of :func:`ids` reads.
_ID_PAGE: Final = 512
#: Ids whose tombstones one statement of :func:`tombstones_many` reads.
_PLAN_IDS: Final = 4096
#: A page of :func:`read_pages`: the bytes of the first row in id order and of
#: those whose running size stays within ``budget``; the others' ids, without bytes.
_PAGE: Final = (
    "SELECT id, CASE WHEN n = 1 OR total <= %(budget)s THEN data END FROM"
    " (SELECT id, data, row_number() OVER w AS n, sum(octet_length(data)) OVER w AS total"
    " FROM objects WHERE id = ANY(%(ids)b) WINDOW w AS (ORDER BY id)) AS page"
)
#: Each id's length, and its bytes where they are at most ``whole``, else its first
#: ``prefix`` bytes (:func:`starts`).
_STARTS: Final = (
    "SELECT id, octet_length(data), CASE WHEN octet_length(data) <= %(whole)s THEN data"
    " ELSE substring(data FROM 1 FOR %(prefix)s) END FROM objects WHERE id = ANY(%(ids)b)"
)
_TIMES: Final = "SELECT step, at FROM step_times WHERE step = ANY(%b)"
_REASONS: Final = "SELECT id, reason FROM tombstones WHERE id = ANY(%b)"


def _rows(connection: Connect, sql: str, params: Any) -> list[tuple[Any, ...]]:
    """One page: ``sql``'s rows, the statement run again on a serialization failure or
    a deadlock (DUR-007.2)."""
    return retrying(lambda: _page(connection, sql, params))


def _page(connection: Connect, sql: str, params: Any) -> list[tuple[Any, ...]]:
    with connection() as conn:
        return conn.execute(sql, params).fetchall()


def ids(connection: Connect) -> Iterator[ObjectId]:
    """Every stored id in byte order (ID-005): ``bytea`` sorts bytewise."""
    last = b""
    while True:  # keyset pages: no transaction stays open between yields
        rows = _rows(
            connection,
            "SELECT id FROM objects WHERE id > %b ORDER BY id LIMIT %s",
            (last, _ID_PAGE),
        )
        for (digest,) in rows:
            yield ObjectId(bytes(digest))
        if len(rows) < _ID_PAGE:
            return
        last = bytes(rows[-1][0])


def read_pages(
    connection: Connect, read_ahead: ReadAhead, oids: Iterable[ObjectId]
) -> Iterator[dict[ObjectId, bytes]]:
    """The bytes stored under each of ``oids``, absent ones omitted (STO-003.1), a page
    at a time, each bounded by count and bytes (:data:`~gritwit.store._paging.READ_PAGE_IDS`,
    :data:`~gritwit.store._paging.READ_PAGE_BYTES`).

    One ``SELECT … WHERE id = ANY(…)`` a page: in id order, a running sum of
    ``octet_length(data)`` decides which rows carry their bytes — the first always
    (an object larger than the bound is a page alone), then those within the bound;
    the others come back without bytes and are asked again in the next statement.
    A few statements for thousands of objects, where a read of each would be
    one each; no transaction stays open between pages.
    """
    asked = list(dict.fromkeys(oids))
    ahead = read_ahead.take(asked)  # read with the journal (:mod:`._pg_ahead`)
    if ahead:
        yield ahead
    wanted = [oid.digest for oid in asked if oid not in ahead]
    while wanted:
        ask, wanted = wanted[: _paging.READ_PAGE_IDS], wanted[_paging.READ_PAGE_IDS :]
        rows = _rows(connection, _PAGE, {"ids": ask, "budget": _paging.READ_PAGE_BYTES})
        page: dict[ObjectId, bytes] = {}
        later: list[bytes] = []
        for digest, data in rows:
            if data is None:
                later.append(bytes(digest))
            else:
                page[ObjectId(bytes(digest))] = bytes(data)
        wanted = later + wanted
        yield page


def starts(
    connection: Connect, digests: list[bytes], prefix: int, whole: int
) -> dict[bytes, Start]:
    """The length of the bytes stored under each of ``digests`` and the bytes themselves
    where they are at most ``whole``, else their first ``prefix`` bytes; absent ones
    omitted (:func:`~gritwit.store._paging.read_ahead`: a core's walk plans its next
    entries and takes the small ones in the same read, SBX-006.15).  One ``SELECT`` per
    :data:`_PLAN_IDS` ids, where a walk without it read each object in a statement of
    its own."""
    found: dict[bytes, Start] = {}
    for start in range(0, len(digests), _PLAN_IDS):
        ask = {"ids": digests[start : start + _PLAN_IDS], "prefix": prefix, "whole": whole}
        rows = _rows(connection, _STARTS, ask)
        found.update((bytes(d), (int(n), bytes(data))) for d, n, data in rows)
    return found


def tombstones_many(connection: Connect, oids: Iterable[ObjectId]) -> dict[ObjectId, str]:
    """Why each erased id of ``oids`` was erased (RUN-011), others omitted: one
    ``SELECT`` per :data:`_PLAN_IDS` ids."""
    wanted = [oid.digest for oid in dict.fromkeys(oids)]
    found: dict[ObjectId, str] = {}
    for start in range(0, len(wanted), _PLAN_IDS):
        rows = _rows(connection, _REASONS, (wanted[start : start + _PLAN_IDS],))
        found.update(
            (ObjectId(bytes(d)), bytes(reason).decode("utf-8", "surrogatepass"))
            for d, reason in rows
        )
    return found


def step_times(connection: Connect, oids: Iterable[ObjectId]) -> dict[ObjectId, float]:
    """The recorded step time of each of ``oids`` that has one (RUN-027.1), others
    omitted: one ``SELECT`` per :data:`_PLAN_IDS` ids."""
    wanted = [oid.digest for oid in dict.fromkeys(oids)]
    found: dict[ObjectId, float] = {}
    for start in range(0, len(wanted), _PLAN_IDS):
        rows = _rows(connection, _TIMES, (wanted[start : start + _PLAN_IDS],))
        found.update((ObjectId(bytes(d)), float(at)) for d, at in rows)
    return found

"""Statements sent as one pipeline on libpq's own calls, parameters and answers in binary.

A write of :mod:`._pg_commit` is a few statements sent together and answered at once:
one round trip (DUR-005.4).  Sent through psycopg's cursors each statement cost the
client about 50 µs of Python (a cursor, the query's conversion, each parameter dumped,
arrays of ``bytea`` escaped as text and parsed again by the server); on the connection's
``pgconn`` (libpq's calls, psycopg's C implementation) a statement is one call with its
parameters already bytes (measured in the PostgreSQL guide).

* :class:`Sql` is a statement written with psycopg's named placeholders (``%(x)s``),
  turned once into ``$n`` with each parameter's type: ``bytea``, ``bytea[]``, ``int4``,
  ``int4[]``, ``int8``, ``bool``, ``text``.  A named one is prepared once per connection,
  by a ``Parse`` sent at the head of the first pipeline that uses it: nothing before it in
  the pipeline can fail, so it is never skipped, and it is recorded as prepared only once
  the server answered it.  (psycopg's own preparation records a statement prepared when
  it sends it; when an earlier statement failed, the server skipped it, and the next run
  named a statement that did not exist: "prepared statement _pg3_8 does not exist".)
* :func:`pipeline` sends them with one ``Sync`` and reads every answer; the first error
  the server answered is raised, as psycopg raises it (:func:`psycopg.errors.error_from_result`:
  a serialization failure is :class:`psycopg.errors.SerializationFailure`), after every
  answer was read, so the connection leaves pipeline mode idle (or in a failed transaction,
  which the caller rolls back).  A connection that failed on the way (sent or read) is
  closed: the pool does not take it back (:mod:`._pg_faults` names the fault).
"""

from __future__ import annotations

import functools
import re
import struct
import weakref
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import psycopg
from psycopg import generators, pq

__all__ = [
    "BOOL",
    "BYTEA",
    "BYTEA_ARRAY",
    "INT4",
    "INT4_ARRAY",
    "INT8",
    "INT8_ARRAY",
    "TEXT",
    "Sql",
    "bytea_array",
    "integer",
    "pipeline",
    "rollback",
]

BOOL: Final = 16
BYTEA: Final = 17
INT8: Final = 20
INT4: Final = 23
TEXT: Final = 25
INT4_ARRAY: Final = 1007
INT8_ARRAY: Final = 1016
BYTEA_ARRAY: Final = 1001

_PLACEHOLDER: Final = re.compile(r"%%|%\((\w+)\)[sb]")
_OK: Final = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)
_ERROR: Final = pq.ExecStatus.FATAL_ERROR
_SYNC: Final = pq.ExecStatus.PIPELINE_SYNC
_HEAD: Final = struct.Struct("!iiiii")
_INT4: Final = struct.Struct("!i")
_INT8: Final = struct.Struct("!q")
_EMPTY: Final = struct.Struct("!iii")
_NULL: Final = b"\xff\xff\xff\xff"


@dataclass(frozen=True)
class Sql:
    """A statement and its parameters' names and types, in ``$n`` order.

    ``name``: prepared under it once per connection (``None``: sent unnamed, planned
    each time)."""

    text: bytes
    params: tuple[str, ...]
    types: tuple[int, ...]
    name: bytes | None = None

    @classmethod
    def of(cls, text: str, types: Mapping[str, int], name: str | None = None) -> Sql:
        """``text`` with psycopg's placeholders (``%(x)s``, ``%(x)b``, ``%%``), each
        parameter's type in ``types``."""
        order: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(0) == "%%":
                return "%"
            key = match.group(1)
            if key not in order:
                order.append(key)
            return f"${order.index(key) + 1}"

        converted = _PLACEHOLDER.sub(number, text)
        missing = set(order) - set(types)
        if missing:
            raise ValueError(f"no type for parameters {sorted(missing)}")
        return cls(
            converted.encode(),
            tuple(order),
            tuple(types[key] for key in order),
            None if name is None else name.encode(),
        )

    def values(self, params: Mapping[str, object]) -> list[bytes | None]:
        """``params`` as the binary values of this statement's parameters."""
        return [_dump(params[key], oid) for key, oid in zip(self.params, self.types, strict=True)]


def _dump(value: object, oid: int) -> bytes | None:
    if value is None:
        return None
    if oid == BYTEA:
        return bytes(value)  # type: ignore[call-overload,no-any-return]
    if oid == INT4:
        return _INT4.pack(value)
    if oid == INT8:
        return _INT8.pack(value)
    if oid == BOOL:
        return b"\x01" if value else b"\x00"
    if oid == TEXT:
        return str(value).encode()
    if oid == BYTEA_ARRAY:
        return _array(value, BYTEA)  # type: ignore[arg-type]
    if oid == INT4_ARRAY:
        return _array([None if v is None else _INT4.pack(v) for v in value], INT4)  # type: ignore[attr-defined]
    if oid == INT8_ARRAY:
        return _array([None if v is None else _INT8.pack(v) for v in value], INT8)  # type: ignore[attr-defined]
    raise ValueError(f"no binary form for type {oid}")


def _array(items: Sequence[bytes | None], element: int) -> bytes:
    """A one-dimensional array in PostgreSQL's binary form (``array_send``)."""
    if not items:
        return _EMPTY.pack(0, 0, element)
    head = _HEAD.pack(1, None in items, element, len(items), 1)
    # one join of each item behind its length, not two appends an item: a write dumps a
    # dozen arrays a transition; ten arrays of a whole write's sizes took 16.4 µs rather
    # than 20.0 (timeit, side by side)
    sized = [_NULL if item is None else _INT4.pack(len(item)) + item for item in items]
    return head + b"".join(sized)


def integer(value: bytes | None) -> int | None:
    """An ``int2``, ``int4`` or ``int8`` in binary form (``NULL``: ``None``)."""
    return None if value is None else int.from_bytes(value, "big", signed=True)


def bytea_array(value: bytes | None) -> list[bytes]:
    """The elements of a one-dimensional ``bytea[]`` in binary form (``NULL``: none)."""
    if value is None:
        return []
    view = memoryview(value)
    ndim, _, _ = struct.unpack_from("!iii", view, 0)
    if ndim == 0:
        return []
    (count,) = _INT4.unpack_from(view, 12)
    at, out = 12 + 8 * ndim, []
    for _ in range(count):
        (size,) = _INT4.unpack_from(view, at)
        at += 4
        if size >= 0:
            out.append(bytes(view[at : at + size]))
            at += size
    return out


_ROLLBACK: Final = Sql(b"ROLLBACK", (), ())

#: The statements prepared on each connection, by name.
_PREPARED: weakref.WeakKeyDictionary[psycopg.Connection, set[bytes]] = weakref.WeakKeyDictionary()


def pipeline(
    conn: psycopg.Connection,
    calls: Sequence[tuple[Sql, Mapping[str, object]]],
    *,
    tail: int = 0,
) -> list[pq.abc.PGresult | None]:
    """Send ``calls`` (each a statement and its parameters) on ``conn`` as one pipeline
    with one ``Sync``; each one's answer, in order (``None``: skipped after an error).

    Raises the first error the server answered, once every answer was read, but for
    an error of one of the last ``tail`` calls (reads after the write's ``COMMIT``, whose
    failure leaves the write made): that call's answer is ``None``, as those after it.  ``conn`` is
    in autocommit mode and idle; it is idle again after (or in a failed transaction the
    caller's statements opened), or closed when it failed on the way.

    psycopg sends ``DEALLOCATE ALL`` after a ``ROLLBACK`` it ran or saw (its own prepared
    statements may name dropped objects), which drops these statements too: a pipeline
    that names one the server no longer has (or prepares one it has) is rolled back —
    nothing of it was kept — the statements the server holds are read, and it is sent
    again once.  Roll back with :func:`rollback`, which psycopg does not see."""
    try:
        return _pipeline(conn, calls, tail)
    except (psycopg.errors.InvalidSqlStatementName, psycopg.errors.DuplicatePreparedStatement):
        rollback(conn)
        held = conn.execute(
            "SELECT name FROM pg_prepared_statements WHERE name LIKE 'gritwit\\_%%'",
            prepare=False,
        ).fetchall()
        _PREPARED[conn] = {str(name).encode() for (name,) in held}
        return _pipeline(conn, calls, tail)


def rollback(conn: psycopg.Connection) -> None:
    """End ``conn``'s failed transaction, if it has one, keeping nothing of it: sent here
    rather than through psycopg, which would then deallocate every prepared statement."""
    if not conn.closed and conn.info.transaction_status == pq.TransactionStatus.INERROR:
        _pipeline(conn, [(_ROLLBACK, {})])


def _pipeline(
    conn: psycopg.Connection, calls: Sequence[tuple[Sql, Mapping[str, object]]], tail: int = 0
) -> list[pq.abc.PGresult | None]:
    pg = conn.pgconn
    prepared = _PREPARED.setdefault(conn, set())
    queue: deque[Callable[[], None]] = deque()
    parsing: list[bytes] = []
    for sql, _ in calls:
        if sql.name is not None and sql.name not in prepared and sql.name not in parsing:
            parsing.append(sql.name)
            queue.append(
                functools.partial(pg.send_prepare, sql.name, sql.text, param_types=sql.types)
            )
    formats = (1,) * max((len(sql.types) for sql, _ in calls), default=0)
    for sql, params in calls:
        values = sql.values(params)
        if sql.name is not None:
            queue.append(
                functools.partial(
                    pg.send_query_prepared,
                    sql.name,
                    values,
                    param_formats=formats[: len(values)],
                    result_format=1,
                )
            )
        else:
            queue.append(
                functools.partial(
                    pg.send_query_params,
                    sql.text,
                    values,
                    param_types=sql.types,
                    param_formats=formats[: len(values)],
                    result_format=1,
                )
            )
    queue.append(pg.pipeline_sync)
    answers: list[pq.abc.PGresult] = []
    try:
        pg.enter_pipeline_mode()
        try:
            synced = False
            # every statement sent, the answers that came meanwhile read; then the rest,
            # waiting to read only (pipeline_communicate waits to write too: it would spin)
            for results in conn.wait(generators.pipeline_communicate(pg, queue)):
                synced = _take(results, answers) or synced
            # pipeline_communicate stops once the last statement is queued, not sent: a
            # large one (a bundle's objects) still waits in libpq's buffer, and reading
            # first would wait for answers to what the server never got
            conn.wait(generators.send(pg))
            while not synced:
                results = conn.wait(generators.fetch_many(pg))
                if not results:
                    raise psycopg.OperationalError("the server answered no Sync")
                synced = _take(results, answers)
        finally:
            if pg.pipeline_status != pq.PipelineStatus.OFF and not pg.is_busy():
                pg.exit_pipeline_mode()
    except BaseException:
        conn.close()  # left mid-pipeline: no one may use it again
        raise
    failure: psycopg.Error | None = None
    out: list[pq.abc.PGresult | None] = []
    for index, result in enumerate(answers):
        status = result.status
        if index < len(parsing):
            if status == pq.ExecStatus.COMMAND_OK:
                prepared.add(parsing[index])
            elif failure is None and status == _ERROR:
                failure = psycopg.errors.error_from_result(result, encoding=conn.info.encoding)
            continue
        if status in _OK:
            out.append(result)
            continue
        out.append(None)
        if failure is None and status == _ERROR and len(out) <= len(calls) - tail:
            failure = psycopg.errors.error_from_result(result, encoding=conn.info.encoding)
    if failure is not None:
        raise failure
    return out


def _take(results: list[pq.abc.PGresult], answers: list[pq.abc.PGresult]) -> bool:
    """Keep one statement's answer (its last result); whether it was the ``Sync``'s."""
    last = results[-1]
    if last.status == _SYNC:
        return True
    answers.append(last)
    return False

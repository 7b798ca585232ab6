"""The PostgreSQL backend's faults, by their own names (DUR-006).

A fault of the medium — a server that is down, a connection it ended — is not the
reference's bug, so it must not reach the adapter as ``internal`` (ADP-007).  This
module turns psycopg's exceptions into the store's classes, at the three places the
backend (:mod:`gritwit.store._postgres`) makes or uses a connection:

* :func:`connecting` around a connection attempt: any :class:`psycopg.OperationalError`
  is ``store-unavailable`` (DUR-006.1) — nothing was sent;
* :func:`reading` around what is done on a connection outside a write transaction: a
  lost connection is ``store-unavailable`` — a read writes nothing;
* :func:`writing` around a write transaction, its ``COMMIT`` included: a connection lost
  once its first statement went out is ``outcome-unknown`` (DUR-006.2).  Conservatively
  so: a statement sent before the ``COMMIT`` was lost with the connection, and the server
  rolls such a transaction back, but a pipeline may send the ``COMMIT`` with the rest.
  The reference gives up on a write only when the server ended the connection (it has
  no time-out of its own on a write), and a server that ended the session has decided
  the transaction: committed or rolled back (DUR-006.3).

:func:`stale` is the transparent retry DUR-006.1 recommends for pooled connections: an
idle connection never has anything to read (the backend does not ``LISTEN``), so one
whose socket is readable was closed by the server meanwhile (a terminated backend, a
restart) and is replaced by a new one before anything is sent on it — for reads and
writes alike, since nothing of either was sent yet.
"""

from __future__ import annotations

import contextlib
import select
from collections.abc import Iterator
from typing import Final

import psycopg

from .._errors import OutcomeUnknown, StoreUnavailable

__all__ = ["connecting", "lost", "reading", "stale", "writing"]

#: SQLSTATEs of a connection the server ended: class 08 (connection exception) and the
#: shutdowns of class 57 (admin shutdown, crash shutdown, cannot connect now).
_ENDED: Final = ("57P01", "57P02", "57P03")
_CLOSED_TEXT: Final = ("server closed the connection", "the connection is closed", "terminating")


def lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection to the server is gone (DUR-006)."""
    if not isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    state = getattr(exc, "sqlstate", None) or ""
    if state.startswith("08") or state in _ENDED:
        return True
    text = str(exc).lower()
    return any(phrase in text for phrase in _CLOSED_TEXT)


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


@contextlib.contextmanager
def connecting() -> Iterator[None]:
    """A connection attempt: refused, timed out or rejected → ``store-unavailable``."""
    try:
        yield
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(
            "DUR-006.1", f"cannot connect to the store's server: {_reason(exc)}"
        ) from exc


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Work on a connection that wrote nothing: a lost connection → ``store-unavailable``."""
    try:
        yield
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        if not lost(exc):
            raise
        raise StoreUnavailable(
            "DUR-006.1", f"the connection to the store's server was lost: {_reason(exc)}"
        ) from exc


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """A write transaction, ``COMMIT`` included: a lost connection → ``outcome-unknown``."""
    try:
        yield
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        if not lost(exc):
            raise
        raise OutcomeUnknown(
            "DUR-006.2",
            "the connection to the store's server was lost after the write was sent: it may "
            f"or may not have committed (settle it by reading, RUN-019.6): {_reason(exc)}",
        ) from exc


def stale(conn: psycopg.Connection) -> bool:
    """Whether a pooled, idle ``conn`` is closed or was closed by the server meanwhile: its
    socket has something to read (the server's farewell, or end of file)."""
    if conn.closed or conn.broken:
        return True
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return True
    return bool(readable)

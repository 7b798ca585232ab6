"""A PostgreSQL store's wake-ups (RUN-020.6): one connection that listens on the store's
channel, made at the first wait, its own part of the backend.

A wake-up is a hint: one may be lost (a writer killed after its commit), and one comes
for this process's own swaps too.  Where the engine has no notifications (``channel``
``None``: no ``pg_notify``, as on CockroachDB and YugabyteDB before v2025.2.3) a wait
sleeps and answers ``False``: the caller polls.  So it does, from then on, where the
server refuses ``LISTEN`` itself (CockroachDB answers it ``0A000``; a hot standby, an
engine with ``pg_notify`` and no ``LISTEN``): a refusal is not a fault of the store, and
the runtime must still run within its interval what a wake-up would have told it of
(RUN-020.6).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import psycopg.sql

from . import _pg_faults

__all__ = ["Listener"]


class Listener:
    """The listening connection of a store whose wake-up channel is ``channel``."""

    __slots__ = ("_channel", "_closed", "_conn", "_connect", "_guard", "received")

    def __init__(self, connect: Callable[[], psycopg.Connection], channel: str | None) -> None:
        self._connect = connect
        self._channel = channel
        self._guard = threading.Lock()
        self._conn: psycopg.Connection | None = None
        self._closed = False
        #: Notifications the waits took, one for each commit they heard of (tests and
        #: tools count the wake-ups a gathering window took in with it, RUN-020.8).
        self.received = 0

    def wait(self, timeout: float, gather: float = 0.0) -> bool:
        """Wait at most ``timeout`` seconds for a notification that a writer swapped refs
        (RUN-020.6): ``True`` when one came (or had come since the last wait), ``False``
        at the timeout.  Where the engine has no notifications (CockroachDB, YugabyteDB)
        it sleeps ``timeout`` and answers ``False``: the caller polls.  A hint only: a
        notification may be lost (a writer killed after its commit), and one comes for
        this process's own swaps too.

        Once woken, it waits ``gather`` seconds more from that first wake-up and takes
        every notification that comes in them (RUN-020.8): the caller's next run reads
        all their commits at once and commits its work for them in one group.  The
        window is not lengthened by what comes in it; what comes after it wakes the
        next wait."""
        listener = self._listening()
        if listener is None:
            time.sleep(timeout)
            return False
        try:
            woken = False
            for _ in listener.notifies(timeout=timeout, stop_after=1):
                woken, self.received = True, self.received + 1
            if woken:  # those within the window (0: those come already): one wake-up for all
                for _ in listener.notifies(timeout=gather):
                    self.received += 1
        except psycopg.OperationalError:  # the listener's connection died: poll next time
            with self._guard:
                self._conn = None
            listener.close()
            return True
        return woken

    def _listening(self) -> psycopg.Connection | None:
        """The listener's connection, listening from its first call on."""
        if self._channel is None:
            return None
        with self._guard:
            if self._closed:
                raise ValueError("the store is closed")
            listener = self._conn
        if listener is None:
            listener = self._connect()
            try:
                listener.execute(
                    psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(self._channel))
                )
            except psycopg.Error as refused:
                listener.close()
                if not _pg_faults.lost(refused):  # refused: poll from now on (RUN-020.6)
                    with self._guard:
                        self._channel = None
                return None  # (the server went away: the next wait tries again)
            with self._guard:
                self._conn = listener
        return listener

    @property
    def listening(self) -> bool:
        """Whether waits can be woken: ``False`` where the engine has no notifications or
        refused ``LISTEN`` (the caller polls, RUN-020.6)."""
        return self._channel is not None

    def close(self) -> None:
        """Close the listening connection; a later wait raises ``ValueError``."""
        with self._guard:
            self._closed = True
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

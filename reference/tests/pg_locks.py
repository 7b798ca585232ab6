"""Who waits for a lock on a throwaway PostgreSQL server, seen from the server itself, for
the tests of the store's parts and gate (DUR-005.5).

A test that asks whether one writer waits for another reads the waiter's row of
``pg_stat_activity`` rather than timing it: :func:`waits_or_ends` answers as soon as the
server shows the backend waiting for a lock, or its thread ends first.  :data:`WAIT_LIMIT`
only bounds a hang.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from gritwit.store._pg_schema import part_of
from gritwit.store._postgres import PostgresBackend
from gritwit.store._store_options import split_options

__all__ = ["WAIT_LIMIT", "in_thread", "names_in", "pid_of", "waits_or_ends"]

#: Seconds a wait may take before the test calls it a hang (a bound, never a timing).
WAIT_LIMIT = 60.0


def names_in(part: int, count: int, prefix: str = "names/p") -> list[str]:
    """``count`` ref names whose part is ``part``."""
    found: list[str] = []
    i = 0
    while len(found) < count:
        name = f"{prefix}{i}"
        if part_of(name.encode()) == part:
            found.append(name)
        i += 1
    return found


def pid_of(backend: PostgresBackend) -> int:
    """The server pid of the connection the backend's next call takes (its pool's last)."""
    with backend._connection() as conn:
        return int(conn.info.backend_pid)


def waits_or_ends(url: str, pid: int, thread: threading.Thread) -> bool:
    """``True`` once backend ``pid`` waits for a lock, ``False`` once ``thread`` ended
    without that: whichever the server shows first."""
    plain, _ = split_options(url)
    deadline = time.monotonic() + WAIT_LIMIT
    with psycopg.connect(plain, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if not thread.is_alive():
                return False
            row = conn.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
            if row is not None and row[0] == "Lock":
                return True
            time.sleep(0.01)
    raise AssertionError(f"backend {pid} neither waited nor ended within {WAIT_LIMIT} s")


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """``call()`` started in a thread of its own; the list gets its result or its error."""
    done: list[Any] = []

    def run() -> None:
        try:
            done.append(call())
        except BaseException as exc:  # the test reads it
            done.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done

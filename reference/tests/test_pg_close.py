"""Closing a PostgreSQL store ends its listening connection too (RUN-020.6, DUR-005).

A store that waited for swaps holds a connection that ``LISTEN``\\s on its channel
(RUN-020.6) besides its pool.  Closed, it must hand every connection back to the
server, the listener's included, and a later wait is refused rather than opening one
again.  Checked from the server's side: ``pg_stat_activity`` no longer lists the
listener's backend.
"""

from __future__ import annotations

import time

import psycopg
import pytest

from gritwit.store import Store
from gritwit.store._postgres import PostgresBackend

#: Seconds the server may take to see a closed client's connection go: a bound on a hang.
_GONE_WITHIN = 10.0


def _alive(pg_url: str, pid: int) -> bool:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
    return row is not None and int(row[0]) > 0


@pytest.mark.req("RUN-020.6", "DUR-005")
def test_a_closed_store_ends_its_listening_connection(pg_url: str) -> None:
    store = Store.open(pg_url)
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    assert not store.wait_for_swaps(0.01), "RUN-020.6: nobody swapped, the wait timed out"
    listener = backend._listener._conn
    assert listener is not None, "RUN-020.6: the wait opened a listening connection"
    pid = listener.info.backend_pid
    assert _alive(pg_url, pid), "RUN-020.6: the server lists the listener's backend"
    store.close()
    deadline = time.monotonic() + _GONE_WITHIN
    while _alive(pg_url, pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pg_url, pid), (
        f"DUR-005: the closed store's listening connection (backend {pid}) was ended,"
        f" yet the server still lists it after {_GONE_WITHIN} s"
    )
    with pytest.raises(ValueError, match="closed"):
        backend.wait_for_swaps(0.01)

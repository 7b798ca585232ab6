"""A PostgreSQL store acknowledges a write only once the server flushed it (DUR-005.7).

A database, a role or a server may default to ``synchronous_commit = off``: a commit then
returns before its WAL reaches the disk, and a crash of the server loses commits it had
acknowledged (3 to 6 acknowledged sends were lost at the first failover of a copy whose
sessions ran so).  The store opened such a database without a word.  Every session of
the store now runs with ``synchronous_commit`` ``on`` where it would be ``off``; a
stricter value (``remote_apply``, for a standby's sake, DUR-010.1) is left as it is.
"""

from __future__ import annotations

import psycopg
import pytest
from pg_server import Cluster

import gritwit as g
from gritwit.store import Store, create_schema
from gritwit.store._postgres import PostgresBackend


def _database_defaulting_to(cluster: Cluster, value: str) -> str:
    """A new database whose sessions default to ``synchronous_commit = value``."""
    url = cluster.create_database()
    with psycopg.connect(url, autocommit=True) as conn:
        name = conn.execute("SELECT current_database()").fetchone()
        assert name is not None
        conn.execute(f'ALTER DATABASE "{name[0]}" SET synchronous_commit = {value}')
    return create_schema(url)


@pytest.mark.req("DUR-005.7", "DUR-005.1")
def test_a_database_defaulting_to_asynchronous_commits_is_written_synchronously(
    pg_cluster: Cluster,
) -> None:
    url = _database_defaulting_to(pg_cluster, "off")
    with psycopg.connect(url, autocommit=True) as plain:  # what the database gives a session
        shown = plain.execute("SHOW synchronous_commit").fetchone()
        assert shown is not None and shown[0] == "off"
    backend = PostgresBackend(url)
    try:
        assert backend.settings()["synchronous_commit"] == "on"
        store = Store(backend)
        blob = g.Blob(data=b"acknowledged, so flushed")
        store.put_object(blob)  # a write on a connection of the store's own
        with backend._connection() as conn:  # every connection it makes, not the first one
            row = conn.execute("SHOW synchronous_commit").fetchone()
            assert row is not None and row[0] == "on"
    finally:
        backend.close()


@pytest.mark.req("DUR-005.7", "DUR-010.1")
def test_a_stricter_commit_setting_is_left_as_it_is(pg_cluster: Cluster) -> None:
    url = _database_defaulting_to(pg_cluster, "remote_apply")
    backend = PostgresBackend(url)
    try:
        assert backend.settings()["synchronous_commit"] == "remote_apply"
    finally:
        backend.close()

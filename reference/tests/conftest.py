"""Shared test configuration: hypothesis profiles (style guide rule 11).

``ci`` is the default, fast enough for every push; ``deep`` finds more.  Both
are chosen by the one switch in ``profiles.py``::

    GRITWIT_PROFILE=deep python -m pytest     # also raises the crash tests' kill counts

``GRITWIT_HYPOTHESIS_PROFILE=deep`` still selects the hypothesis profile alone.

Also the fixtures of the PostgreSQL store's tests (DUR-005): ``pg_cluster``, a
throwaway cluster per session (``pg_server.py``), ``pg_database`` and ``pg_url``,
a fresh schema per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings
from pg_server import Cluster, session_cluster
from profiles import hypothesis_profile

if TYPE_CHECKING:
    from gritwit.store import Store

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(hypothesis_profile())


# --- a throwaway PostgreSQL cluster (pg_server.py), for the PostgreSQL store's tests -------


def _unavailable(reason: str) -> None:
    """Skip, or fail in CI (``CI`` set), where ``.ci/run`` installs the server."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway cluster per test session (per xdist worker), stopped at the end."""
    cluster = session_cluster(_unavailable)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_database(pg_cluster: Cluster) -> str:
    """The connection string of one database of the session's cluster."""
    return pg_cluster.create_database()


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """A connection string whose ``search_path`` is a schema of this test's own: a new,
    empty PostgreSQL store for each test."""
    from gritwit.store import create_schema

    return create_schema(pg_database)


@pytest.fixture
def two(pg_url: str) -> Iterator[tuple[Store, Store]]:
    """Two handles on one new PostgreSQL store, as two processes would hold."""
    from gritwit.store import Store

    a, b = Store.open(pg_url), Store.open(pg_url)
    try:
        yield a, b
    finally:
        a.close()
        b.close()

"""The throwaway PostgreSQL cluster of the PostgreSQL store's tests (DUR-005).

The code lives in :mod:`gritwit_conformance.pg_cluster`, where ``gritwit mutate`` starts
the same cluster for the ``postgres`` group's mutants; this module keeps the names the
tests import (``from pg_server import Cluster``).  A test that changes a setting of the
search (``DEBIAN_ROOT``) patches that module, whose functions read it.
"""

from __future__ import annotations

from gritwit_conformance.pg_cluster import (
    BIN_VARIABLE,
    DEBIAN_ROOT,
    INSTALL_HINT,
    START_LIMIT,
    STOP_LIMIT,
    Cluster,
    ClusterUnavailable,
    as_user,
    die_with_parent,
    find_binaries,
    server_user,
    session_cluster,
    skip_reason,
    start_cluster,
)

__all__ = [
    "BIN_VARIABLE",
    "DEBIAN_ROOT",
    "INSTALL_HINT",
    "START_LIMIT",
    "STOP_LIMIT",
    "Cluster",
    "ClusterUnavailable",
    "as_user",
    "die_with_parent",
    "find_binaries",
    "server_user",
    "session_cluster",
    "skip_reason",
    "start_cluster",
]

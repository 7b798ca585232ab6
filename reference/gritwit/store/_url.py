"""Where a durable store lives: a directory (SQLite) or a PostgreSQL URL (DUR-005).

:func:`open_backend` is what :meth:`~gritwit.store.Store.open` calls: a string
that starts with ``postgresql://`` or ``postgres://`` opens
:class:`~gritwit.store._postgres.PostgresBackend` (the optional extra
``gritwit[postgres]``), anything else a :class:`~gritwit.store.SqliteBackend` in
that directory.  psycopg is imported only then, so the embedded default needs
no server and no extra; without it, :class:`MissingExtra` says in one line what
to install.  A directory may end with ``?gritwit_durability=process`` (DUR-009,
:func:`~gritwit.store._store_options.split_directory`): the SQLite store then
survives the process's crash but not a power loss's.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final

from ._sqlite import SqliteBackend
from ._store_options import split_directory

if TYPE_CHECKING:
    from ._backend import Backend
    from ._postgres import PostgresBackend

__all__ = [
    "STORE_URL_SCHEMES",
    "MissingExtra",
    "StoreUnreachable",
    "create_schema",
    "is_store_url",
    "open_backend",
    "probe_server",
]

#: The URL schemes of a PostgreSQL store, as libpq reads them.
STORE_URL_SCHEMES: Final = ("postgresql://", "postgres://")
INSTALL_POSTGRES: Final = "pip install 'gritwit[postgres]'"


class MissingExtra(ImportError):
    """A PostgreSQL store was asked for without psycopg installed (DUR-005)."""

    def __init__(self) -> None:
        super().__init__(f"a postgresql:// store needs psycopg 3: {INSTALL_POSTGRES}")


class StoreUnreachable(Exception):
    """The PostgreSQL server a store URL names did not accept a connection (DUR-005)."""


def is_store_url(location: object) -> bool:
    """Whether ``location`` names a PostgreSQL store (DUR-005) rather than a directory.

    Only a ``str`` can be one: a :class:`~pathlib.Path` is always a directory.
    """
    return isinstance(location, str) and location.lower().startswith(STORE_URL_SCHEMES)


def _postgres() -> type[PostgresBackend]:
    try:
        from ._postgres import PostgresBackend
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.split(".")[0] == "psycopg":
            raise MissingExtra() from None
        raise
    return PostgresBackend


def open_backend(location: str | os.PathLike[str], *, create: bool = True) -> Backend:
    """The durable backend ``location`` names: a PostgreSQL URL, else a directory.

    ``create=False`` refuses a database without the store's tables
    (:class:`~gritwit.store._postgres.NoStore`); a directory is always created.
    """
    if is_store_url(location):
        assert isinstance(location, str)
        return _postgres()(location, create=create)
    if isinstance(location, str):
        directory, durability = split_directory(location)
        return SqliteBackend(directory, durability=durability)
    return SqliteBackend(location)


def create_schema(conninfo: str, schema: str | None = None) -> str:
    """Make a schema (a fresh ``gw_…`` name unless ``schema`` is given) in the database
    ``conninfo`` names, and return a connection string whose ``search_path`` is it:
    a new, empty PostgreSQL store (DUR-005)."""
    _postgres()
    from ._postgres import create_schema as create

    return create(conninfo, schema)


def probe_server(url: str) -> None:
    """Connect to ``url`` once: :class:`MissingExtra` without psycopg, :class:`StoreUnreachable`
    (one line, the server's reason) when the server cannot be reached or refuses, and
    :class:`ValueError` when libpq cannot read the URL."""
    _postgres()
    import psycopg

    from ._store_options import split_options

    try:
        plain, _ = split_options(url)  # a bad store option is a ValueError, one line too
        psycopg.connect(plain, connect_timeout=10).close()
    except psycopg.OperationalError as exc:  # refused, absent, timed out (DUR-006.1)
        reason = " ".join(str(exc).split())[:300]
        raise StoreUnreachable(f"cannot connect to the store's server: {reason}") from None
    except psycopg.Error as exc:  # libpq could not read the URL: the caller's mistake
        reason = " ".join(str(exc).split())[:300]
        raise ValueError(f"not a connection URL libpq reads: {reason}") from None

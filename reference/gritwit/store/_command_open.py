"""Opening the store a command line names: the store, or one line and an exit status.

Every command that takes a store — ``gritwit runtime``, ``gritwit actor``, ``gritwit
serve``, ``gritwit sandbox actor|send|cat`` — opens it here, so a directory and a
``postgresql://`` URL (DUR-005) are read the same way by all of them and each refusal
is the same line with the same exit status:

* :data:`EXIT_USAGE` (2): no store there (a mistyped path must not silently become a
  new, empty store: ``--create`` asks for one), a path that is a file, a URL libpq
  cannot read, a missing extra, a schema the URL names that does not exist (with the
  ``CREATE SCHEMA`` that makes it; ``--create`` makes it), the server's own refusal;
* :data:`EXIT_STORE_UNAVAILABLE` (4): the server cannot be reached (``store-unavailable``,
  DUR-006.1): nothing was written;
* :data:`EXIT_OUTCOME_UNKNOWN` (5): a write's outcome is unknown (``outcome-unknown``,
  DUR-006.2), raised later by the command's own writes, not here.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

from .._errors import OutcomeUnknown, StoreUnavailable
from ._sqlite import DB_FILENAME
from ._store import Store
from ._store_options import split_directory
from ._url import MissingExtra, StoreUnreachable, create_schema, is_store_url, probe_server

__all__ = [
    "EXIT_OUTCOME_UNKNOWN",
    "EXIT_STORE_UNAVAILABLE",
    "EXIT_USAGE",
    "StoreRefused",
    "open_store_for_command",
    "reporting_store_faults",
    "store_location",
]

#: Exit status of a command given bad input, a store included.
EXIT_USAGE: Final = 2
#: Exit status when the store could not be reached (``store-unavailable``, DUR-006.1).
EXIT_STORE_UNAVAILABLE: Final = 4
#: Exit status when a write's outcome is unknown (``outcome-unknown``, DUR-006.2).
EXIT_OUTCOME_UNKNOWN: Final = 5


class StoreRefused(Exception):
    """The store named cannot be opened: :attr:`line` says why in one line, :attr:`status`
    is the command's exit status (:data:`EXIT_USAGE` or :data:`EXIT_STORE_UNAVAILABLE`)."""

    def __init__(self, line: str, status: int = EXIT_USAGE) -> None:
        super().__init__(line)
        self.line = " ".join(line.split())  # one line, whatever the server's text held
        self.status = status


def store_location(option: str | None, positional: str | None) -> str:
    """The store a command names: ``--store STORE``, as every verb takes it, or the
    positional ``DIR`` that older scripts give (kept working, deprecated in the help);
    :class:`~gritwit.store.StoreRefused` (exit 2) for neither, or for two that differ."""
    if option is not None and positional is not None and option != positional:
        raise StoreRefused(
            f"two stores named: --store {option!r:.80} and {positional!r:.80}; name one, "
            "with --store"
        )
    location = option if option is not None else positional
    if location is None:
        raise StoreRefused("no store named: pass --store STORE (a directory or a URL)")
    return location


def open_store_for_command(
    location: str | os.PathLike[str], *, create: bool = False, offers_create: bool = True
) -> Store:
    """The durable store ``location`` names (a directory, or a ``postgresql://`` URL,
    DUR-005), else :class:`StoreRefused`; ``create`` makes an empty one where none is.
    ``offers_create``: whether the command has ``--create``, which its refusals name."""
    hint = ", or pass --create to make one" if offers_create else ""
    if is_store_url(location):
        assert isinstance(location, str)
        return _open_url(location, create, hint)
    try:
        directory, durability = split_directory(str(location))
    except ValueError as exc:
        raise StoreRefused(str(exc)) from None
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise StoreRefused(f"{folder} is not a directory")
    if not (folder / DB_FILENAME).is_file() and not create:
        raise StoreRefused(
            f"{folder} is not a gritwit store (no {DB_FILENAME} in it); check the path{hint}"
        )
    try:
        return Store.open(str(location) if durability != "power" else folder)
    except (sqlite3.Error, OSError) as exc:
        raise StoreRefused(f"cannot open the store in {folder}: {exc}") from None


def _open_url(url: str, create: bool, hint: str) -> Store:
    try:
        probe_server(url)
    except StoreUnreachable as exc:
        unavailable = f"store-unavailable: {exc} (DUR-006.1)"
        raise StoreRefused(unavailable, EXIT_STORE_UNAVAILABLE) from None
    except (MissingExtra, ValueError) as exc:
        raise StoreRefused(str(exc)) from None
    from ._pg_session import NoSchema  # psycopg is there: the probe found it

    try:
        try:
            return Store.open(url, create=create)
        except NoSchema as exc:
            if not create:
                raise StoreRefused(f"{exc}{hint.replace('one', 'it')}") from None
            create_schema(url, exc.schema)  # a name with_schema refuses: ValueError
            return Store.open(url, create=True)
    except StoreUnavailable as exc:  # the server went away after the probe
        raise StoreRefused(f"store-unavailable: {exc.detail}", EXIT_STORE_UNAVAILABLE) from None
    except StoreRefused:
        raise
    except LookupError as exc:  # NoStore: no tables in the URL's schema
        raise StoreRefused(f"{exc}; check the URL{hint}") from None
    except ValueError as exc:
        raise StoreRefused(f"cannot make the store's schema: {exc}") from None
    except Exception as exc:  # the server's own refusal (permissions, a read-only replica)
        raise StoreRefused(f"cannot open the store: {type(exc).__name__}: {exc}") from None


def reporting_store_faults(command: str, action: Callable[[], int]) -> int:
    """``action()``'s exit status; a store that cannot be opened, reached or settled is
    one line on stderr, ``COMMAND: why``, and its own status: the refusal's
    (:class:`StoreRefused`), :data:`EXIT_STORE_UNAVAILABLE` (DUR-006.1: nothing was
    written) or :data:`EXIT_OUTCOME_UNKNOWN` (DUR-006.2: read the store to settle it).
    Every command that opens a store reports them so."""
    try:
        return action()
    except StoreRefused as exc:
        print(f"{command}: {exc.line}", file=sys.stderr)
        return exc.status
    except StoreUnavailable as exc:
        print(f"{command}: store-unavailable: {exc.detail}", file=sys.stderr)
        return EXIT_STORE_UNAVAILABLE
    except OutcomeUnknown as exc:
        print(f"{command}: outcome-unknown: {exc.detail}", file=sys.stderr)
        return EXIT_OUTCOME_UNKNOWN

"""The store options a PostgreSQL store URL may carry (DUR-007, DUR-008).

Pure string work, no psycopg.  A store URL may add, among libpq's own parameters,
parameters whose names start ``gritwit_``; libpq refuses parameters it does not know,
so :func:`split_options` takes them out before a connection is made and returns them
as :class:`StoreOptions`:

* ``gritwit_isolation`` — the isolation level of every transaction of the store:
  ``read-committed`` (the default), ``repeatable-read`` or ``serializable``
  (DUR-007);
* ``gritwit_max_write_bytes`` — the most object bytes one write may hold, an integer
  from 1 to 2⁵³ − 1; a write holding more is refused before anything of it is sent
  (DUR-008).  Unset: :data:`DEFAULT_MAX_WRITE_BYTES`, 64 MiB, the most CockroachDB
  takes in one write by default (a store meant for one engine only may raise it).

Any other ``gritwit_`` parameter, or a value outside these, is a :class:`ValueError`
naming the parameter: a misspelt option never passes silently.

A SQLite store's directory may carry one option the same way, after a ``?``
(:func:`split_directory`): ``gritwit_durability`` — ``power`` (the default: a write
that returned survives a power loss, DUR-004) or ``process`` (it survives the
process's crash, ``SIGKILL`` included, but the last writes may be lost on a power
loss, DUR-009).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from .._errors import WriteTooLarge

if TYPE_CHECKING:
    from .._ids import ObjectId

__all__ = [
    "DEFAULT_MAX_WRITE_BYTES",
    "DURABILITIES",
    "ISOLATION_LEVELS",
    "MAX_WRITE_BYTES_LIMIT",
    "StoreOptions",
    "UnsettledWarning",
    "bounded_write",
    "split_directory",
    "split_options",
]

#: The isolation levels ``gritwit_isolation`` takes, and the SQL name of each (DUR-007).
ISOLATION_LEVELS: Final = {
    "read-committed": "READ COMMITTED",
    "repeatable-read": "REPEATABLE READ",
    "serializable": "SERIALIZABLE",
}
#: ``gritwit_max_write_bytes`` unset (DUR-008): 64 MiB, CockroachDB's
#: ``kv.raft.command.max_size`` by default, so that a store moved to it keeps working.
DEFAULT_MAX_WRITE_BYTES: Final = 64 * 2**20
#: The largest ``gritwit_max_write_bytes``: 2⁵³ − 1, as for RUN-022.2's bounds.
MAX_WRITE_BYTES_LIMIT: Final = 2**53 - 1
_PREFIX: Final = "gritwit_"
#: The durabilities ``gritwit_durability`` takes, for a SQLite store (DUR-004, DUR-009).
DURABILITIES: Final = ("power", "process")


class UnsettledWarning(UserWarning):
    """DUR-006.5: the store's server cannot end a write whose client is gone, so a write
    answered ``outcome-unknown`` may still commit after a client read the store to settle
    it (RUN-019.6).  Given when such a store is opened; the text names what is missing."""


@dataclass(frozen=True)
class StoreOptions:
    """The ``gritwit_`` parameters of a store URL, defaults filled in (DUR-007, DUR-008)."""

    #: A key of :data:`ISOLATION_LEVELS`.
    isolation: str = "read-committed"
    #: The most object bytes one write may hold (DUR-008); ``None``: no bound.
    max_write_bytes: int | None = DEFAULT_MAX_WRITE_BYTES

    @property
    def isolation_sql(self) -> str:
        """The level as SQL names it (``SET SESSION CHARACTERISTICS AS TRANSACTION …``)."""
        return ISOLATION_LEVELS[self.isolation]


def split_options(conninfo: str) -> tuple[str, StoreOptions]:
    """``conninfo`` without its ``gritwit_`` parameters, and those parameters read.

    Only a URL (``postgresql://…``) can carry them; a ``key=value`` string is returned
    as it is, with the defaults.  The other parameters keep their order and values.
    """
    if "://" not in conninfo:
        return conninfo, StoreOptions()
    parts = urlsplit(conninfo)
    query = parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in query if k.startswith(_PREFIX)}
    if not ours:
        return conninfo, StoreOptions()
    others = [(k, v) for k, v in query if not k.startswith(_PREFIX)]
    options = _read(ours)
    return urlunsplit(parts._replace(query=urlencode(others, quote_via=quote))), options


def _read(params: dict[str, str]) -> StoreOptions:
    _known_only(
        params,
        ("gritwit_isolation", "gritwit_max_write_bytes"),
        "give gritwit_isolation or gritwit_max_write_bytes (DUR-007, DUR-008)",
    )
    isolation = _one_of(params, "gritwit_isolation", "read-committed", ISOLATION_LEVELS, "DUR-007")
    limit = params.get("gritwit_max_write_bytes")
    if limit is None:
        return StoreOptions(isolation=isolation)
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_WRITE_BYTES_LIMIT:
        raise ValueError(
            f"gritwit_max_write_bytes={limit[:40]!r}: give an integer from 1 to 2**53 - 1 (DUR-008)"
        )
    return StoreOptions(isolation=isolation, max_write_bytes=int(limit))


def split_directory(location: str) -> tuple[str, str]:
    """A SQLite store's directory and its durability (DUR-009): ``location`` up to its last
    ``?`` when what follows is ``gritwit_`` parameters, else all of it with ``power``."""
    directory, mark, query = location.rpartition("?")
    if not mark or not query.startswith(_PREFIX):
        return location, "power"
    params = dict(parse_qsl(query, keep_blank_values=True))
    _known_only(
        params, ("gritwit_durability",), "a store directory takes gritwit_durability (DUR-009)"
    )
    return directory, _one_of(params, "gritwit_durability", "power", DURABILITIES, "DUR-009")


def _known_only(params: dict[str, str], known: tuple[str, ...], hint: str) -> None:
    """Refuse the first (in order) of ``params`` not ``known``, saying ``hint``."""
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"unknown store option {unknown[0][:40]!r}: {hint}")


def _one_of(
    params: dict[str, str], key: str, default: str, allowed: Collection[str], clause: str
) -> str:
    """``params[key]`` (``default`` when absent), one of ``allowed``, else refused by ``clause``."""
    value = params.get(key, default)
    if value not in allowed:
        raise ValueError(f"{key}={value[:40]!r}: give one of {', '.join(allowed)} ({clause})")
    return value


def bounded_write(
    limit: int | None, items: Iterable[tuple[ObjectId, bytes]], held: int = 0
) -> tuple[list[tuple[ObjectId, bytes]], int]:
    """``items`` as a list and the object bytes of the write with them: ``held`` (what the
    write holds already) plus their data's length; :class:`~gritwit.WriteTooLarge` when
    that passes ``limit`` (DUR-008), before the caller sends any of them."""
    listed = list(items)
    total = held + sum(len(data) for _, data in listed)
    if limit is not None and total > limit:
        raise WriteTooLarge(
            "DUR-008.1",
            f"one write of {total} object bytes is more than the store's"
            f" gritwit_max_write_bytes={limit}; nothing of it was kept",
        )
    return listed, total

"""Where the reference adapter keeps the durable store of a harness ``path`` (ADP-010.6).

By default a ``path`` holds its store: one SQLite file in the directory.  With
``gritwit adapter --store-url URL`` (or ``GRITWIT_STORE_URL``) every durable
store is a schema of the PostgreSQL database ``URL`` names (DUR-005): the first
open of a ``path`` makes a fresh schema ``gw_<hex>`` and writes its name to
``<path>/gritwit.postgres``; every later open of the same ``path`` — by
``store-open``, ``store-reopen``, ``rt-open`` or a durable ``perf-run``, in this
adapter process or another — reads the name back and opens that schema.  So one
path is one store and a new, empty directory a new, empty store (ADP-010.6), and
the file holds only the schema's name, never the URL (which may carry a password).

With a URL the adapter claims the features ``store-server`` and ``write-limit``
(ADP-022): :meth:`StoreLocations.server` is the ``store_server`` of ``hello``, and
:meth:`StoreLocations.open_via` opens a path's store through the harness's fault proxy
(``via``) and with a write bound of its own (``max_write_bytes``, DUR-008).
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..store import Store, create_schema
from ._args import BadRequest, _durable_store

__all__ = ["MARKER", "STORE_URL_VARIABLE", "StoreLocations"]

#: The file in a ``path`` that names its schema.
MARKER: Final = "gritwit.postgres"
#: The environment variable ``gritwit adapter`` reads when ``--store-url`` is not given.
STORE_URL_VARIABLE: Final = "GRITWIT_STORE_URL"
_SCHEMA: Final = re.compile(r"gw_[0-9a-f]{24}")


class StoreLocations:
    """Opens the durable store of a ``path``: in the directory, or a schema of ``url``."""

    __slots__ = ("url",)

    def __init__(self, url: str | None = None) -> None:
        #: The PostgreSQL database every durable store is a schema of, or ``None``: SQLite.
        self.url = url

    def open(self, path: Path) -> Store:
        """The durable store of ``path``; a path no store can be opened in is ``bad-request``."""
        if self.url is None:
            return _durable_store(path)
        try:
            return Store.open(create_schema(self.url, self._schema(path)))
        except (OSError, ValueError) as exc:  # too long, a file, unwritable, a bad marker
            raise BadRequest(
                f"cannot open a store in {str(path)!r:.80}: {type(exc).__name__}"
            ) from exc

    def server(self) -> str | None:
        """Where the PostgreSQL server of the URL listens, as ``hello``'s ``store_server``
        (ADP-022.1): ``HOST:PORT``, or a Unix socket's path when the host is a directory;
        ``None`` without a URL (SQLite: no server)."""
        if self.url is None:
            return None
        parts = urlsplit(self.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        host = query.get("host") or parts.hostname or "/var/run/postgresql"  # libpq's default
        port = query.get("port") or (str(parts.port) if parts.port else "5432")
        if host.startswith("/"):
            return f"{host}/.s.PGSQL.{port}"
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def open_via(self, path: Path, via: str | None, max_write_bytes: int | None) -> Store:
        """The durable store of ``path`` reached through ``via`` (``127.0.0.1:PORT``, the
        harness's proxy, ADP-022.2) and bounded by ``max_write_bytes`` (ADP-022.4), either
        ``None`` to keep the URL's own."""
        if self.url is None:
            raise BadRequest("via and max_write_bytes need a store server (ADP-022)")
        parts = urlsplit(self.url)
        dropped = {"host", "hostaddr", "port"} if via is not None else set()
        if max_write_bytes is not None:
            dropped.add("gritwit_max_write_bytes")
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k not in dropped]  # fmt: skip
        netloc = parts.netloc
        if via is not None:
            user = parts.netloc.rpartition("@")[0]
            netloc = f"{user}@{via}" if user else via
        if max_write_bytes is not None:
            query.append(("gritwit_max_write_bytes", str(max_write_bytes)))
        url = urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, quote_via=quote)))
        return StoreLocations(url).open(path)

    @staticmethod
    def _schema(path: Path) -> str:
        """The schema ``path`` names, chosen and recorded now if it names none yet."""
        marker = path / MARKER
        if not marker.exists():
            path.mkdir(parents=True, exist_ok=True)
            draft = path / f".{MARKER}.{uuid.uuid4().hex}"
            with open(draft, "w", encoding="ascii") as out:
                out.write(f"gw_{uuid.uuid4().hex[:24]}\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(draft, marker)  # first writer wins; a racing open reads its name
            except FileExistsError:
                pass
            finally:
                draft.unlink()
            with contextlib.suppress(OSError):
                folder = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(folder)
                finally:
                    os.close(folder)
        name = marker.read_text(encoding="ascii").strip()
        if not _SCHEMA.fullmatch(name):
            raise ValueError(f"{marker} does not name a schema gw_<24 hex>")
        return name

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
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path
from typing import Final

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

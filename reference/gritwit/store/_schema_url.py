"""A PostgreSQL connection URL scoped to one schema: one store of many in a database (DUR-005).

Pure string work, no psycopg: :func:`with_schema` puts a schema first on the URL's
``search_path`` through libpq's ``options`` parameter (``-csearch_path=…``), which the
server reads at connection start (tested on PostgreSQL only).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

__all__ = ["with_schema"]

#: A schema name :func:`with_schema` accepts: a plain lower-case SQL identifier.
_SCHEMA_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``schema`` first on its ``search_path`` (libpq's ``options``), so the
    store's tables are made and found there; other options in ``url`` are kept."""
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"schema name {schema!r:.80} is not a plain lower-case identifier")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    others = [(k, v) for k, v in query if k != "options"]
    options = " ".join([*(v for k, v in query if k == "options"), f"-csearch_path={schema}"])
    new_query = urlencode([*others, ("options", options)], quote_via=quote)
    return urlunsplit(parts._replace(query=new_query))

"""What the engines that scale out refuse in a statement, read from what a server logged.

CockroachDB refuses a statement that modifies one table more than once — two of
``INSERT … ON CONFLICT``, ``UPSERT``, ``UPDATE`` or ``DELETE`` of it, in common table
expressions or not — with SQLSTATE ``0A000`` unless the cluster setting
``sql.multiple_modifications_of_table.enabled`` is on (cockroachdb/cockroach#71595,
21.2 and later).  DUR-005.6 asks that no statement the store sends do so.

* :func:`modified` counts, for each table a statement names after ``INSERT INTO``,
  ``UPSERT INTO``, ``UPDATE``, ``DELETE FROM`` or ``MERGE INTO``, how often it does so;
  a row lock (``FOR UPDATE``, ``FOR NO KEY UPDATE``) and an upsert's own ``DO UPDATE``
  are not modifications.  Stricter than CockroachDB by one case: two plain
  ``INSERT``\\ s of one table count too (no statement of the store needs that).
* :func:`twice`: the tables a statement modifies more than once.
* :func:`logged` reads the statements out of a server log written with
  ``log_statement = all`` (the default ``log_line_prefix``): simple queries
  (``statement:``) and the extended protocol's executions (``execute <name>:``).
* :func:`log_statements` makes a database's new sessions log every statement, without
  their parameters (a write's arrays of object bytes would fill the log).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

__all__ = ["log_statements", "logged", "modified", "twice"]

_STRING: Final = re.compile(r"'(?:[^']|'')*'")
_LINE_COMMENT: Final = re.compile(r"--[^\n]*")
_BLOCK_COMMENT: Final = re.compile(r"/\*.*?\*/", re.S)
_SPACE: Final = re.compile(r"\s+")
#: A modification of the table named after it; not a lock (``FOR UPDATE``, ``FOR NO KEY
#: UPDATE``), an upsert's ``DO UPDATE`` or a foreign key's ``ON UPDATE``/``ON DELETE``.
_MODIFIES: Final = re.compile(
    r"(?<![\w])(?<!FOR )(?<!DO )(?<!KEY )(?<!ON )"
    r"(?:INSERT INTO|UPSERT INTO|UPDATE|DELETE FROM|MERGE INTO) (?:ONLY )?"
    r"((?:\"[^\"]+\"|[A-Za-z_][\w$]*)(?:\.(?:\"[^\"]+\"|[A-Za-z_][\w$]*))?)",
    re.I,
)
#: Where an entry of a log with the default ``log_line_prefix`` (``%m [%p] ``) starts.
_ENTRY: Final = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[\d+\] ([A-Z]+):  ", re.M
)
_STATEMENT: Final = re.compile(r"^(?:statement|execute ([^:]+)): ", re.S)


def _plain(sql: str) -> str:
    """``sql`` without string literals and comments, its whitespace single spaces."""
    text = _STRING.sub("''", sql)
    text = _BLOCK_COMMENT.sub(" ", _LINE_COMMENT.sub(" ", text))
    return _SPACE.sub(" ", text).strip()


def modified(sql: str) -> Counter[str]:
    """How often ``sql`` modifies each table, by its name without a schema, lower case."""
    found: Counter[str] = Counter()
    for match in _MODIFIES.finditer(_plain(sql)):
        name = match.group(1).split(".")[-1].strip('"').lower()
        if name != "set":  # ``UPDATE SET`` is no table (never written so, but be sure)
            found[name] += 1
    return found


def twice(sql: str) -> list[str]:
    """The tables ``sql`` modifies more than once (DUR-005.6), in name order."""
    return sorted(name for name, count in modified(sql).items() if count > 1)


def logged(log: str) -> list[tuple[str | None, str]]:
    """The statements a server log (``log_statement = all``) records, in order: each with
    the name of the prepared statement it executed (``None``: a simple query, or an
    unnamed one)."""
    starts = list(_ENTRY.finditer(log))
    found = []
    for i, start in enumerate(starts):
        if start.group(1) != "LOG":
            continue
        end = starts[i + 1].start() if i + 1 < len(starts) else len(log)
        body = log[start.end() : end]
        head = _STATEMENT.match(body)
        if head is not None:
            name = head.group(1)
            found.append((None if name == "<unnamed>" else name, body[head.end() :].strip()))
    return found


def log_statements(conninfo: str, database: str) -> None:
    """Make every new session of ``database`` log each statement it runs, without its
    parameters (``ALTER DATABASE … SET``: the connection must be a superuser's)."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        for setting, value in (("log_statement", "'all'"), ("log_parameter_max_length", "0")):
            conn.execute(f'ALTER DATABASE "{database}" SET {setting} = {value}')

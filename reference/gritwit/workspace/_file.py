"""The workspace file, ``gritwit.toml``: the actors a push creates, by name (RUN-026.5).

The seed's ``sync.toml``::

    [actors.counter]        # the table's key is the actor's name (RUN-026.1)
    wasm = "counter.wasm"   # exactly one of wasm (a .wasm or .wat), python, test
    [actors.counter.data]   # initial data, optional: entry name -> value
    count = 3               # an integer: its decimal digits; text: its UTF-8 bytes;
    [actors.counter.data.pages]  # a table: a tree of the same
    home = "<h1>hi</h1>"

Paths are relative to the file's directory.  Reading is pure but for the files the
workspace names; building the cores is :mod:`._cores`'s.  Every fault is one
:class:`WorkspaceError` naming the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from .._errors import GritError

__all__ = [
    "CODE_KINDS",
    "DataValue",
    "RESERVED_ENTRIES",
    "Workspace",
    "WorkspaceActor",
    "WorkspaceError",
]

#: The keys naming an actor's code, exactly one per actor.
CODE_KINDS: Final = ("wasm", "python", "test")
#: Entries a workspace's data may not set: the code's and the name's (RUN-026.5).
RESERVED_ENTRIES: Final = frozenset({"wit", "wit_update", "name"})
#: The deepest tree of trees a data table may describe.
MAX_DATA_DEPTH: Final = 16

#: A data value: text, an integer, or a table of them (a tree).
DataValue = str | int | dict[str, "DataValue"]


class WorkspaceError(ValueError):
    """A workspace file that cannot be read or says something wrong: ``file: key: why``."""

    def __init__(self, path: Path, key: str, why: str) -> None:
        where = f"{path}: {key}: " if key else f"{path}: "
        super().__init__(where + why)
        self.path = path
        self.key = key


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkspaceActor:
    """One ``[actors.NAME]`` table: the name, the kind of code and its source (a path for
    ``wasm`` and ``python``, a test actor's name for ``test``), and the initial data."""

    name: str
    kind: str
    source: str
    data: dict[str, DataValue]


@dataclass(frozen=True, slots=True, kw_only=True)
class Workspace:
    """A workspace file read: where it is (paths are relative to ``root``) and its actors, in
    the file's order."""

    path: Path
    actors: tuple[WorkspaceActor, ...]

    @property
    def root(self) -> Path:
        """The directory the workspace's paths are relative to."""
        return self.path.parent

    @classmethod
    def load(cls, path: Path) -> Workspace:
        """Read and check the workspace file ``path`` (a directory: its ``gritwit.toml``)."""
        if path.is_dir():
            path = path / "gritwit.toml"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WorkspaceError(path, "", f"cannot read it: {exc}") from None
        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise WorkspaceError(path, "", f"not TOML: {exc}") from None
        extra = sorted(set(table) - {"actors"})
        if extra:
            raise WorkspaceError(path, extra[0], "unknown key; a workspace holds [actors.NAME]")
        actors = table.get("actors")
        if not isinstance(actors, dict) or not actors:
            raise WorkspaceError(path, "actors", "names no actor: add a table [actors.NAME]")
        return cls(path=path, actors=tuple(_actor(path, n, v) for n, v in actors.items()))


def _actor(path: Path, name: str, table: Any) -> WorkspaceActor:
    from ..runtime import check_name

    key = f"actors.{name}"
    try:
        check_name(name)
    except GritError as exc:
        raise WorkspaceError(path, key, exc.detail + " (RUN-026.1)") from None
    if not isinstance(table, dict):
        raise WorkspaceError(path, key, "must be a table")
    unknown = sorted(set(table) - {*CODE_KINDS, "data"})
    if unknown:
        raise WorkspaceError(
            path, f"{key}.{unknown[0]}", "unknown key; an actor has wasm, python or test, and data"
        )
    kinds = [kind for kind in CODE_KINDS if kind in table]
    if len(kinds) != 1:
        raise WorkspaceError(path, key, "needs exactly one of wasm, python and test")
    (kind,) = kinds
    source = table[kind]
    if not isinstance(source, str) or not source:
        what = "a test actor's name" if kind == "test" else "a path"
        raise WorkspaceError(path, f"{key}.{kind}", f"must be {what} (text)")
    data = table.get("data", {})
    if not isinstance(data, dict):
        raise WorkspaceError(path, f"{key}.data", "must be a table of entries")
    reserved = sorted(RESERVED_ENTRIES & set(data))
    if reserved:
        raise WorkspaceError(
            path, f"{key}.data.{reserved[0]}", "is kept for the code and the name (RUN-026.5)"
        )
    _check_data(path, f"{key}.data", data, 0)
    return WorkspaceActor(name=name, kind=kind, source=source, data=data)


def _check_data(path: Path, key: str, table: dict[str, Any], depth: int) -> None:
    """Each value text, an integer or a non-empty table of them, ``MAX_DATA_DEPTH`` deep at
    most; the entry names' own rules (OBJ-011) are checked as the cores are built."""
    if depth > MAX_DATA_DEPTH:
        raise WorkspaceError(path, key, f"data nests deeper than {MAX_DATA_DEPTH} tables")
    for name, value in table.items():
        if isinstance(value, dict):
            if not value:
                raise WorkspaceError(path, f"{key}.{name}", "an empty table makes no tree")
            _check_data(path, f"{key}.{name}", value, depth + 1)
        elif isinstance(value, bool) or not isinstance(value, str | int):
            raise WorkspaceError(
                path,
                f"{key}.{name}",
                f"a {type(value).__name__} is no data: use text, an integer or a table",
            )

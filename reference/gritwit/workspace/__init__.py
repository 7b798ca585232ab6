"""Workspaces: a file naming actors with their code and initial data, pushed into a store
(``gritwit push``), and an actor's core pulled back to a directory (``gritwit pull``);
RUN-026.5, RUN-026.6.

* :class:`Workspace`, :class:`WorkspaceActor`, :class:`WorkspaceError` — the file
  (``gritwit.toml``) read and checked;
* :func:`genesis_core` — an actor's genesis core, with its name (RUN-026.5);
* :func:`push`, :class:`PushLine` — creates new names, updates changed code (RUN-026.6);
* :func:`current_core`, :func:`pull` — an actor's current core, and written to a directory.
"""

from __future__ import annotations

from ._cores import GenesisCore, genesis_core, name_blob
from ._file import (
    CODE_KINDS,
    RESERVED_ENTRIES,
    DataValue,
    Workspace,
    WorkspaceActor,
    WorkspaceError,
)
from ._push import PushLine, current_core, pull, push

__all__ = [
    "CODE_KINDS",
    "DataValue",
    "GenesisCore",
    "PushLine",
    "RESERVED_ENTRIES",
    "Workspace",
    "WorkspaceActor",
    "WorkspaceError",
    "current_core",
    "genesis_core",
    "name_blob",
    "pull",
    "push",
]

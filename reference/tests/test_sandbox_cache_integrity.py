"""The compiled interpreter's disk cache is never trusted as it stands (SBX-002.2).

A ``*.cwasm`` file is native code that wasmtime runs as it finds it.  The reference
deserializes one only when its header names the SHA-256 of the module it was compiled
from, this wasmtime, this engine's settings (epoch interruption included: SBX-006.10)
and this machine, and the SHA-256 and size of the compiled bytes that follow, signed
with the cache directory's own key — and only when no other user can write it.
Anything else at its place is ignored and replaced by a fresh compilation.  A small
module stands in for the interpreter: it goes through the same :func:`compiled` as
the interpreter and its snapshot image.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import wasmtime

from gritwit.sandbox import _engine
from gritwit.sandbox._engine import (
    CACHE_MAGIC,
    ENGINE_SETTINGS,
    KEY_NAME,
    cache_header,
    cache_key,
    cache_path,
    compiled,
    read_cached,
    sandbox_engine,
)

ENGINE = sandbox_engine()
WASM = wasmtime.wat2wasm(
    '(module (func (export "answer") (result i32) i32.const 42) (memory (export "memory") 1))'
)
OTHER = wasmtime.wat2wasm('(module (func (export "answer") (result i32) i32.const 7))')


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    yield tmp_path / "gritwit" / "sandbox"


@pytest.fixture
def deserialized(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the byte strings handed to ``Module.deserialize``, in order."""
    calls: list[int] = []
    real = wasmtime.Module.deserialize

    def spy(engine: wasmtime.Engine, encoded: bytes | bytearray) -> wasmtime.Module:
        calls.append(len(encoded))
        return real(engine, encoded)

    monkeypatch.setattr(wasmtime.Module, "deserialize", staticmethod(spy))
    return calls


def _answer(module: wasmtime.Module) -> int:
    store = wasmtime.Store(ENGINE)
    store.set_fuel(10_000)
    store.set_epoch_deadline(1)
    func = wasmtime.Instance(store, module, []).exports(store)["answer"]
    assert isinstance(func, wasmtime.Func)
    result = func(store)
    assert isinstance(result, int)
    return result


def _header(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    assert data.startswith(CACHE_MAGIC)
    line = data[len(CACHE_MAGIC) :].split(b"\n", 1)[0]
    header: dict[str, object] = json.loads(line)
    return header


def _payload(path: Path) -> bytes:
    data = path.read_bytes()[len(CACHE_MAGIC) :]
    return data.split(b"\n", 1)[1]


def _rewrite(
    path: Path, header: dict[str, object], payload: bytes, key: bytes | None = None
) -> None:
    """``path`` holding ``header`` (signed again with ``key``: the directory's by default,
    as this host would have signed it) and ``payload``."""
    fields = {name: value for name, value in header.items() if name != "mac"}
    signed = json.dumps(fields, sort_keys=True).encode()
    mac = hmac.new(key or _key(path), signed, hashlib.sha256).hexdigest()
    path.write_bytes(CACHE_MAGIC + json.dumps({**fields, "mac": mac}).encode() + b"\n" + payload)
    path.chmod(0o600)


def _key(path: Path) -> bytes:
    key = cache_key(path.parent)
    assert key is not None
    return key


@pytest.mark.req("SBX-002.2", "SBX-006.10")
def test_a_module_is_compiled_once_and_then_loaded_from_its_checked_file(
    deserialized: list[int],
) -> None:
    assert _answer(compiled(ENGINE, WASM)) == 42
    path = cache_path(WASM)
    assert path.is_file() and deserialized == []
    header = _header(path)
    assert header == cache_header(WASM, _payload(path), _key(path))
    assert header["module"] == hashlib.sha256(WASM).hexdigest()
    if hasattr(os, "getuid"):
        assert path.stat().st_mode & 0o077 == 0  # written for this user alone
    assert _answer(compiled(ENGINE, WASM)) == 42
    assert deserialized == [header["size"]]  # the second load trusted the checked file


@pytest.mark.req("SBX-002.2")
@pytest.mark.parametrize(
    "tamper",
    [
        "flip-a-compiled-byte",
        "truncate",
        "append",
        "claim-another-module",
        "another-wasmtime",
        "another-engine",
        "another-machine",
        "header-not-json",
        "no-magic",
        "swap-in-another-modules-code",
        "signed-with-another-key",
        "mac-left-out",
    ],
)
def test_a_mismatching_or_tampered_file_is_ignored_and_rebuilt(
    tamper: str, deserialized: list[int]
) -> None:
    compiled(ENGINE, WASM)
    path = cache_path(WASM)
    header, payload = _header(path), _payload(path)
    if tamper == "flip-a-compiled-byte":
        middle = len(payload) // 2
        _rewrite(
            path, header, payload[:middle] + bytes([payload[middle] ^ 1]) + payload[middle + 1 :]
        )
    elif tamper == "truncate":
        _rewrite(path, header, payload[:-1])
    elif tamper == "append":
        _rewrite(path, header, payload + b"\0")
    elif tamper == "claim-another-module":
        _rewrite(path, {**header, "module": "0" * 64}, payload)
    elif tamper in ("another-wasmtime", "another-engine", "another-machine"):
        field = tamper.split("-", 1)[1]
        _rewrite(path, {**header, field: "something else"}, payload)
    elif tamper == "header-not-json":
        path.write_bytes(CACHE_MAGIC + b"{not json\n" + payload)
    elif tamper == "no-magic":
        path.write_bytes(payload)  # the cache's old format: compiled bytes alone
    else:  # the other module's compiled code, its hash and size put in the header
        compiled(ENGINE, OTHER)
        alien = _payload(cache_path(OTHER))
        forged = {**header, "compiled": hashlib.sha256(alien).hexdigest(), "size": len(alien)}
        if tamper == "swap-in-another-modules-code":  # by someone without the key
            _rewrite(path, forged, alien, key=b"guessed" * 5)
        elif tamper == "signed-with-another-key":  # a cache made elsewhere, copied here
            _rewrite(path, header, payload, key=b"another machine's key, 32 bytes")
        else:
            fields = {name: value for name, value in header.items() if name != "mac"}
            path.write_bytes(CACHE_MAGIC + json.dumps(fields).encode() + b"\n" + payload)
    assert read_cached(path, WASM) is None
    assert _answer(compiled(ENGINE, WASM)) == 42
    assert deserialized == [], "a file that does not prove itself is never deserialized"
    assert read_cached(path, WASM) == payload, "the file was replaced by a fresh compilation"


@pytest.mark.req("SBX-002.2")
@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_file_others_can_write_is_not_trusted(deserialized: list[int]) -> None:
    compiled(ENGINE, WASM)
    path = cache_path(WASM)
    for mode in (0o620, 0o602):
        path.chmod(mode)
        assert read_cached(path, WASM) is None
        assert _answer(compiled(ENGINE, WASM)) == 42
        assert deserialized == []
        assert path.stat().st_mode & 0o077 == 0  # rebuilt for this user alone


@pytest.mark.req("SBX-002.2", "SBX-006.10")
def test_the_name_and_header_follow_the_engine_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ("epoch_interruption", True) in ENGINE_SETTINGS
    assert ("consume_fuel", True) in ENGINE_SETTINGS
    key = bytes(32)
    before, header = cache_path(WASM), cache_header(WASM, b"x", key)
    changed = tuple((n, not v if n == "epoch_interruption" else v) for n, v in ENGINE_SETTINGS)
    monkeypatch.setattr(_engine, "ENGINE_SETTINGS", changed)
    assert cache_path(WASM) != before
    assert cache_header(WASM, b"x", key)["engine"] != header["engine"]


@pytest.mark.req("SBX-002.2")
def test_a_new_key_retires_every_file_signed_before(deserialized: list[int]) -> None:
    compiled(ENGINE, WASM)
    path = cache_path(WASM)
    (path.parent / KEY_NAME).unlink()
    assert read_cached(path, WASM) is None
    assert _answer(compiled(ENGINE, WASM)) == 42
    assert deserialized == []
    assert read_cached(path, WASM) is not None  # signed again with the new key


@pytest.mark.req("SBX-002.2")
@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_key_others_can_read_is_replaced(deserialized: list[int]) -> None:
    compiled(ENGINE, WASM)
    path = cache_path(WASM)
    key_file = path.parent / KEY_NAME
    old = key_file.read_bytes()
    key_file.chmod(0o644)
    assert cache_key(path.parent) is None and read_cached(path, WASM) is None
    assert _answer(compiled(ENGINE, WASM)) == 42
    assert deserialized == []
    assert key_file.read_bytes() != old and key_file.stat().st_mode & 0o077 == 0


@pytest.mark.req("SBX-002.2")
def test_no_cache_directory_only_costs_a_compilation(
    cache_home: Path, deserialized: list[int]
) -> None:
    cache_home.parent.mkdir(parents=True)
    cache_home.write_text("a file where the directory should be")
    assert _answer(compiled(ENGINE, WASM)) == 42
    assert _answer(compiled(ENGINE, WASM)) == 42
    assert deserialized == []

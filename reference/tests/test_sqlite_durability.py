"""The durability a SQLite store is opened with: ``power`` or ``process`` (DUR-004, DUR-009).

The kill tests run in both (``test_store_crash.py``, ``test_runtime_crash.py``); here the
option itself: how a location carries it, what SQLite is set to, and the refusals.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gritwit.store import Store
from gritwit.store._sqlite import DB_FILENAME, SqliteBackend
from gritwit.store._store_options import split_directory

PROCESS = "?gritwit_durability=process"


@pytest.mark.req("DUR-009.2", "DUR-004")
@pytest.mark.parametrize(
    ("option", "durability", "synchronous"),
    [("", "power", 2), ("?gritwit_durability=power", "power", 2), (PROCESS, "process", 1)],
)
def test_the_location_chooses_the_sync_of_every_commit(
    tmp_path: Path, option: str, durability: str, synchronous: int
) -> None:
    """``power`` (the default) syncs every commit (``synchronous=FULL``, 2); ``process``
    leaves the WAL to the operating system (``NORMAL``, 1); both in WAL mode, one file."""
    with Store.open(f"{tmp_path}{option}") as store:
        backend = store.backend
        assert isinstance(backend, SqliteBackend)
        assert backend.durability == durability
        settings = backend.settings()
        assert (settings["journal_mode"], settings["synchronous"]) == ("wal", synchronous)
        assert backend.path == tmp_path / DB_FILENAME


@pytest.mark.req("DUR-009.2")
@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("d?gritwit_durability=never", "gritwit_durability='never'"),
        ("d?gritwit_sync=normal", "'gritwit_sync'"),
    ],
)
def test_a_misspelt_option_is_refused_naming_it(location: str, words: str) -> None:
    with pytest.raises(ValueError, match="DUR-009") as caught:
        split_directory(location)
    assert words in str(caught.value)
    with pytest.raises(ValueError, match="DUR-009"):
        SqliteBackend("unused", durability="none")


@pytest.mark.req("DUR-009.2")
def test_a_question_mark_of_the_directory_itself_is_kept() -> None:
    assert split_directory("a?b/store") == ("a?b/store", "power")
    assert split_directory(f"a?b/store{PROCESS}") == ("a?b/store", "process")


@pytest.mark.req("DUR-009.2")
def test_runtime_run_opens_a_store_in_process_durability(tmp_path: Path) -> None:
    """``gritwit runtime run DIR?gritwit_durability=process`` opens DIR (one CLI path
    for both durabilities); a bad option is one line naming DUR-009, exit 2."""
    cli = [sys.executable, "-m", "gritwit", "runtime", "run"]
    ok = subprocess.run(
        [*cli, f"{tmp_path}{PROCESS}", "--create"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / DB_FILENAME).is_file()
    bad = subprocess.run(
        [*cli, f"{tmp_path}?gritwit_durability=fast"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode != 0 and "DUR-009" in bad.stderr, bad.stderr

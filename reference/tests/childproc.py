"""Helpers shared by the SIGKILL tests: a child process whose stdout lines arrive on a queue."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from pathlib import Path

import blake3
import pytest

from gritwit.store import Store


def start_child(
    argv: list[str], log: Path
) -> tuple[subprocess.Popen[str], queue.Queue[str | None], threading.Thread]:
    """Start ``argv`` with stderr to ``log``; its stdout lines go to the queue, then ``None``."""
    with log.open("w") as errors:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    return proc, lines, reader


def assert_every_object_rehashes(store: Store) -> set[object]:
    """Read every stored object straight from the backend and re-hash it (DUR-002)."""
    ids = set(store.iter_ids())
    for oid in ids:
        data = store.backend.read(oid)
        assert data is not None and blake3.blake3(data).digest() == oid.digest
    return ids


def run_child(script: Path, directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the Python ``script`` on ``directory`` with ``args`` to its end (or its kill)."""
    return subprocess.run(
        [sys.executable, str(script), str(directory), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def prepare_store(factory: pytest.TempPathFactory, script: Path, name: str) -> Path:
    """A new directory in which ``script``'s ``setup`` made its store: copied for each kill."""
    directory = factory.mktemp(name)
    done = run_child(script, directory, "setup")
    assert done.returncode == 0, done.stderr
    return directory

"""The run's side of the mutation workers: their processes and their package copies.

A :class:`Worker` drives one ``python -m gritwit_conformance.mutate._worker COPY``
process (:mod:`._worker`), one job per line; :func:`make_copy` makes the private copy of
the ``gritwit`` package each worker writes its mutants into.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, overload

from ._groups import PACKAGE_DIR

__all__ = ["HARD_DEADLINE", "Worker", "descendants", "fill_copy", "make_copy"]

#: The reason of a job whose worker gave no answer by its hard deadline (it is stopped).
HARD_DEADLINE = "worker hard deadline"


class Worker:
    """One worker process (:mod:`._worker`) on its own package copy: started on first
    use, sent one job at a time, stopped with every process under it."""

    def __init__(self, copy: Path) -> None:
        self.copy = copy
        self.proc: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gritwit_conformance.mutate._worker", str(self.copy)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines = queue.Queue()
        stdout = self.proc.stdout
        assert stdout is not None

        def pump() -> None:
            for line in stdout:
                self.lines.put(line)
            self.lines.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def stop(self) -> None:
        """Kill the worker and every process under it.  The harness starts each adapter in
        a session of its own (so that its kill reaches the adapter's children), which the
        worker's group does not reach: a mutant adapter spinning in a loop it could not
        leave (a watchdog's epoch mutated) outlived its killed worker, reading no input,
        and took a core for 20 minutes after the run ended."""
        if self.proc is None:
            return
        below = descendants(self.proc.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, 9)
        for pid in below:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                group = os.getpgid(pid)
                if group != os.getpgrp():
                    os.killpg(group, 9)
                os.kill(pid, 9)
        self.proc.wait()
        self.proc = None

    @overload
    def run(self, job: dict[str, Any], hard_deadline: float) -> dict[str, Any]: ...
    @overload
    def run(
        self, job: dict[str, Any], hard_deadline: float, cut: float | None
    ) -> dict[str, Any] | None: ...
    def run(
        self, job: dict[str, Any], hard_deadline: float, cut: float | None = None
    ) -> dict[str, Any] | None:
        """The job's result; ``None`` when ``cut`` (a :func:`time.monotonic` instant: the
        run's time budget) came first: the worker is stopped and the mutant was not run.

        A copy that another process removed (a cleanup of the temporary folder) is made
        again first: every job on it would end in ``FileNotFoundError``, an error that is
        not the mutant's (one such run recorded 218 of them)."""
        if not (self.copy / "gritwit" / "__init__.py").is_file():
            self.stop()
            fill_copy(self.copy)
        if self.proc is None:
            self.start()
        proc = self.proc  # another thread may stop the worker (an interrupted run)
        assert proc is not None and proc.stdin is not None
        try:
            proc.stdin.write(json.dumps(job) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, ValueError):  # stopped under it: its output ends, below
            pass
        reason = HARD_DEADLINE
        wait = hard_deadline if cut is None else min(hard_deadline, cut - time.monotonic())
        try:
            line = self.lines.get(timeout=max(wait, 0.0))
        except queue.Empty:
            line = None
            if wait < hard_deadline:  # the budget ended first: no verdict on this mutant
                self.stop()
                return None
        else:  # ``None`` from the pump: the worker's output ended, so it exited
            if line is None:
                status = proc.wait()
                reason = f"worker died (exit status {status})"
        if line is None:
            self.stop()
            return {
                "status": "error",  # nothing failed before the worker ended
                "test": None,
                "reason": reason,
                "ran": 0,
                "seconds": hard_deadline,
            }
        result: dict[str, Any] = json.loads(line)
        return result


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (its children, theirs, ...), from ``ps`` (POSIX)."""
    try:
        table = subprocess.run(
            ["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    children: dict[int, list[int]] = {}
    for line in table.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(fields[0]))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found


def make_copy(base: Path, index: int) -> Path:
    """A private copy of the ``gritwit`` package, ``base/w<index>/gritwit``, compiled."""
    copy = base / f"w{index}"
    fill_copy(copy)
    return copy


def fill_copy(copy: Path) -> None:
    shutil.copytree(
        PACKAGE_DIR,
        copy / "gritwit",
        ignore=shutil.ignore_patterns("__pycache__"),
        dirs_exist_ok=True,
    )
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(copy / "gritwit")],
        check=False,
        stdout=subprocess.DEVNULL,
    )

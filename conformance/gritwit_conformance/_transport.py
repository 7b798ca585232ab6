"""Child processes speaking the adapter protocol — the only module that spawns them (ADP-001).

A broken adapter (garbage on stdout, a wrong ``seq``, silence past the
time-out, an exit) raises :class:`AdapterBroken` with the reason and the tail
of the adapter's standard error; the process is then killed, never waited on
without a bound (ADP-011, ADP-012).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Sequence
from typing import IO, Any

__all__ = [
    "MAX_LINE",
    "AdapterBroken",
    "AdapterProcess",
    "child_pids",
    "kill_all",
    "terminate_children",
]

#: Longest response line accepted: a 16 MiB object in hex plus room for JSON.
MAX_LINE = 40 * 1024 * 1024
_STDERR_TAIL = 4000
_EOF = object()
#: Every adapter process of this process that may still run, for :func:`kill_all`.
_LIVE: weakref.WeakSet[AdapterProcess] = weakref.WeakSet()


class AdapterBroken(Exception):
    """The implementation under test broke the protocol, hung or died (ADP-012).

    ``requirement`` is the rule the adapter broke, for the report's blame: by
    default ADP-003.1 (every request gets its response).
    """

    def __init__(self, reason: str, stderr: str = "", requirement: str = "ADP-003.1") -> None:
        self.reason = reason
        self.stderr = stderr
        self.requirement = requirement
        text = (
            reason if not stderr.strip() else f"{reason}\n--- adapter stderr (tail) ---\n{stderr}"
        )
        super().__init__(text)


class AdapterProcess:
    """One running adapter: write a request line, read a response line, with a time-out."""

    def __init__(self, command: Sequence[str], *, timeout: float, cwd: str | None = None) -> None:
        self.command = list(command)
        self.timeout = timeout
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _cleanup
        try:
            self._proc = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                cwd=cwd,
                start_new_session=True,  # its own process group: kill() reaches its children
            )
        except OSError as exc:
            self._stderr.close()
            raise AdapterBroken(f"cannot start {self.command!r}: {exc}", "", "ADP-001") from None
        _LIVE.add(self)
        self._lines: queue.Queue[Any] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        try:
            while True:
                line = stdout.readline(MAX_LINE)
                if not line:
                    break
                self._lines.put(line)
                if not line.endswith(b"\n"):
                    break  # over-long line: stop reading, exchange() reports it
        except (OSError, ValueError):
            pass
        self._lines.put(_EOF)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def stderr_tail(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            self._stderr.flush()
            size = self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(0, size - _STDERR_TAIL))
            return self._stderr.read().decode("utf-8", "replace")
        return ""

    def _broken(self, reason: str, requirement: str = "ADP-003.1") -> AdapterBroken:
        self.kill()
        return AdapterBroken(reason, self.stderr_tail(), requirement)

    def answered_on_stderr(self, seq: object) -> bool:
        """A response to ``seq`` went to standard error instead of standard output (ADP-001.2)."""
        return re.search(rf'"seq":\s*{seq}\b', self.stderr_tail()) is not None

    def send_only(self, message: dict[str, Any]) -> None:
        """Write one request and do not wait for its answer (a kill follows, ADP-015)."""
        stdin = self._proc.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError, OSError, ValueError):
            stdin.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
            stdin.flush()

    def exchange(self, message: dict[str, Any], *, timeout: float | None = None) -> bytes:
        """Send one request and return the raw response line (ADP-001, ADP-003)."""
        data = json.dumps(message, separators=(",", ":")).encode() + b"\n"
        return self.exchange_raw(data, message.get("cmd"), message.get("seq"), timeout=timeout)

    def read_line(self, *, timeout: float | None = None) -> bytes:
        """One more raw line of standard output (protocol tests that send raw lines)."""
        return self.exchange_raw(b"", "(raw lines)", None, timeout=timeout)

    def exchange_raw(
        self, data: bytes, cmd: object, seq: object, *, timeout: float | None = None
    ) -> bytes:
        """Write ``data`` as it is (raw lines, for the protocol tests) and read one line."""
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.write(data)
            stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            status = self._exit_status()
            if status is not None:
                raise self._broken(f"the adapter exited (status {status}) before {cmd}") from None
            raise self._broken(f"the adapter closed its input before {cmd}") from None
        wait = self.timeout if timeout is None else timeout
        try:
            line = self._lines.get(timeout=wait)
        except queue.Empty:
            if seq is not None and self.answered_on_stderr(seq):
                raise self._broken(
                    f"no response to {cmd} within {wait:g} s on standard output: "
                    "the adapter wrote it to standard error",
                    "ADP-001.2",
                ) from None
            raise self._broken(f"no response to {cmd} within {wait:g} s (adapter hangs)") from None
        if line is _EOF:
            status = self._exit_status()
            raise self._broken(f"the adapter exited (status {status}) while answering {cmd}")
        assert isinstance(line, bytes)
        if not line.endswith(b"\n"):
            raise self._broken(
                f"response to {cmd} is not a complete line of at most {MAX_LINE} bytes",
                "ADP-001.3",
            )
        return line

    def _exit_status(self) -> int | None:
        """The exit status if the adapter has exited or exits within a second, else None."""
        status = self._proc.poll()
        if status is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = self._proc.wait(timeout=1)
        return status

    def shutdown(self, grace: float = 5.0) -> int | None:
        """Close politely: ``shutdown`` was sent by the caller; close stdin, wait, then kill."""
        with contextlib.suppress(OSError, ValueError):
            if self._proc.stdin:
                self._proc.stdin.close()
        try:
            status = self._proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self._cleanup()
        return status

    def kill(self) -> None:
        """SIGKILL the adapter's whole process group and reap it."""
        # Always signal the group: the leader may be gone while a child of it
        # still holds stdout open.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)
        self._cleanup()

    def _cleanup(self) -> None:
        _LIVE.discard(self)
        for stream in (self._proc.stdin, self._proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if stream:
                    stream.close()


def kill_all() -> None:
    """SIGKILL the process group of every adapter this process started (an interrupted run).

    Safe in a signal handler: it only sends signals; the processes are reaped later.
    """
    for proc in list(_LIVE):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def child_pids(parent: int) -> list[int]:
    """The live child processes of ``parent``, read from ``/proc`` (Linux; [] elsewhere)."""
    children = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == parent and fields[0] != "Z":
                    children.append(int(entry.name))
    return children


def terminate_children(grace: float = 3.0) -> None:
    """SIGTERM every child of this process, SIGKILL those left after ``grace`` seconds.

    The children are the xdist workers (each kills its own adapters on SIGTERM) and
    adapters started here; afterwards the run leaves no process behind.
    """
    kill_all()
    me = os.getpid()
    for pid in child_pids(me):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while child_pids(me) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in child_pids(me):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
